"""The only place that reaches into Streamlit's private modules (pinned: streamlit==1.67.0).

`ui.cache.chart` builds a chart's Vega-Lite spec once and draws it many times with
`st.vega_lite_chart`; to give exactly what `st.altair_chart` would send it needs three private
pieces of `streamlit.elements.vega_charts`. They are named here only, and
`tests/code/test_library_contracts.py` checks that they still exist and behave as relied on, so
that an upgrade of Streamlit that changes them fails a test instead of breaking charts silently.
"""

from __future__ import annotations

from streamlit.elements import vega_charts as _vega_charts

#: Streamlit's lock around Altair's global settings (themes, data transformers).
altair_globals_lock = _vega_charts._altair_globals_lock
#: Altair chart → Vega-Lite spec as `st.altair_chart` sends it (validated against the schema).
altair_to_vega_lite_spec = _vega_charts._convert_altair_to_vega_lite_spec
#: Altair data transformer that stores each dataset as Arrow and names it in the spec.
to_arrow_dataset = _vega_charts._to_arrow_dataset
