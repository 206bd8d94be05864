"""The page caches: charts built once per data, drawn as st.altair_chart would; reads refreshed after writes only."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from services.admin.settings import setting_get, setting_set
from tests.factories import make_user
from ui import cache, feedback
from ui.streamlit_internals import altair_to_vega_lite_spec
from ui.weekly_charts import series_chart

BUILT: list[int] = []


def bars(frame: pd.DataFrame) -> alt.Chart:
    BUILT.append(len(frame))
    return alt.Chart(frame).mark_bar().encode(x="n:Q", y="label:N")


def _weekly_frame() -> pd.DataFrame:
    weeks = pd.date_range("2026-01-05", periods=4, freq="7D").date
    return pd.DataFrame(
        {
            "week_start": list(weeks) * 2,
            "label": ["Arrivées"] * 4 + ["Présents"] * 4,
            "value": [1, None, 3, 2, 5, 6, None, 7],
            "structures": [2] * 8,
            "open": [False, False, False, True] * 2,
        }
    )


@pytest.mark.parametrize("validate", ["1", ""])
def test_the_cached_spec_is_what_altair_chart_draws(monkeypatch, validate):
    monkeypatch.setenv("ANCRAGE_VALIDATE_CHARTS", validate)
    built = series_chart(_weekly_frame(), network=True)
    assert cache._vega_lite_spec(built) == altair_to_vega_lite_spec(built)


def test_a_chart_is_built_once_per_data(monkeypatch):
    BUILT.clear()
    cache._chart_spec.clear()
    frame = pd.DataFrame({"label": ["a", "b"], "n": [1, 2]})
    first = cache.chart(bars, frame=frame)
    again = cache.chart(bars, frame=frame.copy())
    assert BUILT == [2] and first == again
    changed = cache.chart(bars, frame=pd.DataFrame({"label": ["a", "b", "c"], "n": [1, 2, 3]}))
    assert BUILT == [2, 3] and changed["datasets"] != first["datasets"]


def test_a_builder_returning_none_gives_no_chart():
    assert cache.chart(lambda_none) is None


def lambda_none():
    return None


def test_handled_refreshes_reads_after_a_write_only(db, monkeypatch):
    refreshed = []
    monkeypatch.setattr(feedback, "invalidate", lambda: refreshed.append(True))
    with feedback.handled():
        setting_get(key="standard_stale_months")
    assert refreshed == []
    with feedback.handled():
        setting_set(actor=make_user(), key="standard_stale_months", value=18)
    assert refreshed == [True]
