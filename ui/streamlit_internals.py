"""The only place that reaches into Streamlit's private modules (pinned: streamlit==1.67.0).

`ui.cache.chart` builds a chart's Vega-Lite spec once and draws it many times with
`st.vega_lite_chart`; to give exactly what `st.altair_chart` would send it needs three private
pieces of `streamlit.elements.vega_charts`. `ui.auth` needs to know which script the server runs
and whether it still serves `pages/` by itself (its older multipage mode); `ui.outage` needs to
know whether a run is a fragment's timer. They are named here only, and
`tests/code/test_library_contracts.py` checks that they still exist and behave as relied on, so
that an upgrade of Streamlit that changes them fails a test instead of breaking charts, log-in or
the outage notice silently.
"""

from __future__ import annotations

from streamlit.elements import vega_charts as _vega_charts
from streamlit.runtime.pages_manager import PagesManager as _PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx as _get_script_run_ctx

#: Streamlit's lock around Altair's global settings (themes, data transformers).
altair_globals_lock = _vega_charts._altair_globals_lock
#: Altair chart → Vega-Lite spec as `st.altair_chart` sends it (validated against the schema).
altair_to_vega_lite_spec = _vega_charts._convert_altair_to_vega_lite_spec
#: Altair data transformer that stores each dataset as Arrow and names it in the spec.
to_arrow_dataset = _vega_charts._to_arrow_dataset


def main_script_path() -> str | None:
    """The script this run started from (`app.py`, or a page run by itself); None outside a run."""
    ctx = _get_script_run_ctx()
    return None if ctx is None else ctx.main_script_path


def pages_directory_mode() -> bool:
    """True while the server still runs `pages/<url>.py` directly (no session has declared `st.navigation`)."""
    return bool(getattr(_PagesManager, "uses_pages_directory", False))


def fragment_run() -> bool:
    """True when this run is a fragment's own rerun (its timer), not the whole app's."""
    ctx = _get_script_run_ctx()
    return ctx is not None and bool(ctx.fragment_ids_this_run)
