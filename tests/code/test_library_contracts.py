"""What Ancrage relies on in its libraries' private parts still holds (see ui/streamlit_internals.py).

A Streamlit upgrade that renames or changes these fails here, loudly, instead of breaking charts.
"""

from __future__ import annotations

from importlib.metadata import version

import altair as alt
import pandas as pd

from ui import streamlit_internals as internals


def test_streamlit_is_the_pinned_version():
    # The private pieces below were read in this version: re-read them before changing the pin.
    assert version("streamlit") == "1.67.0"


def test_the_private_chart_pieces_exist():
    with internals.altair_globals_lock:  # a lock: usable as a context manager
        pass
    assert callable(internals.altair_to_vega_lite_spec) and callable(internals.to_arrow_dataset)


def test_the_cached_spec_is_the_one_streamlit_would_send(monkeypatch):
    from ui.cache import _vega_lite_spec

    data = pd.DataFrame({"mois": ["janvier", "février"], "n": [3, 7]})
    built = alt.Chart(data).mark_bar().encode(x="mois", y="n")
    streamlit_spec = internals.altair_to_vega_lite_spec(built)
    monkeypatch.delenv("ANCRAGE_VALIDATE_CHARTS", raising=False)
    fast_spec = _vega_lite_spec(built)
    assert fast_spec == streamlit_spec
    assert streamlit_spec["datasets"] and "values" not in streamlit_spec["data"]  # data as named Arrow datasets
