"""Cached reads for pages: a rerun with unchanged data runs no SQL, a write shows at once.

Every cached result is keyed by the service function, all its arguments (the acting user among
them, so one role or structure never gets another's result) and the data version: a counter that
every committed write anywhere increments. That version is itself re-read at most every
`VERSION_TTL` seconds, so several app processes sharing one PostgreSQL see each other's writes
within that delay; this process's own writes clear it at once (`invalidate`, called by
`ui.feedback.handled` after a successful write).

Charts are cached the same way, by what they are built from: `chart(series_chart, points=points)`
returns the Vega-Lite spec `st.altair_chart` would draw, and Altair's building and serialisation
(most of a chart page's rerun) only run when the data or the options change. The app skips Altair's
check of each spec against the Vega-Lite schema (a third of a chart's cost); the tests, which render
every chart page with data, set ANCRAGE_VALIDATE_CHARTS=1 and keep it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from contextlib import nullcontext
from importlib import import_module
from typing import Any, TypeVar

import altair as alt
import streamlit as st

from core.db import with_retries
from services.admin.audit import data_version
from ui.streamlit_internals import altair_globals_lock, altair_to_vega_lite_spec, to_arrow_dataset

T = TypeVar("T")
VERSION_TTL = 2


@st.cache_data(ttl=VERSION_TTL, show_spinner=False)
def _version() -> int:
    return data_version()


def _key(kwargs: dict) -> bytes | dict:
    """The arguments as the cache key: pickled, far cheaper than Streamlit's hashing of a dataclass or a
    frame. Equal bytes unpickle to equal arguments, so two different calls never share an entry (equal
    arguments pickled differently only cost a miss). Arguments that cannot be pickled are hashed."""
    try:
        return pickle.dumps(kwargs, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any pickling failure: let Streamlit hash them instead
        return kwargs


@st.cache_data(ttl=600, max_entries=2000, show_spinner=False)
def _call(module: str, name: str, version: int, key: bytes | dict, _kwargs: dict):
    return getattr(import_module(module), name)(**_kwargs)


def cached(service: Callable[..., T], /, **kwargs) -> T:
    """Call a read service through the cache.

    >>> # structures = cached(structure_list, actor=actor, region="11", page=2)
    """
    # A read is safe to repeat: a busy SQLite file or a PostgreSQL restart gets a few short retries.
    return with_retries(lambda: _call(service.__module__, service.__name__, _version(), _key(kwargs), kwargs))


def _vega_lite_spec(built) -> dict:
    """The spec as st.altair_chart makes it (no default theme, data as Arrow datasets, under Streamlit's
    lock on Altair's global settings), without the schema check unless ANCRAGE_VALIDATE_CHARTS=1."""
    if os.environ.get("ANCRAGE_VALIDATE_CHARTS") == "1":
        return altair_to_vega_lite_spec(built)
    datasets: dict[str, Any] = {}
    alt.data_transformers.register("to_arrow_dataset", to_arrow_dataset)
    with altair_globals_lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = built.to_dict(validate=False)
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    return spec


@st.cache_data(ttl=600, max_entries=500, show_spinner=False)
def _chart_spec(module: str, name: str, key: bytes | dict, _kwargs: dict) -> dict | None:
    built = getattr(import_module(module), name)(**_kwargs)
    return None if built is None else _vega_lite_spec(built)


def chart(build: Callable[..., Any], /, **kwargs) -> dict | None:
    """The Vega-Lite spec of the Altair chart `build(**kwargs)`, as `st.altair_chart` draws it (its theme,
    data as Arrow datasets), built once per distinct arguments; draw it with `st.vega_lite_chart`
    (None when `build` returns None: nothing worth a chart).

    The arguments are the cache key: pass the (small) data the chart shows, not a handle to it, so a
    write that changes the data changes the chart at once.

    >>> # st.vega_lite_chart(chart(series_chart, points=points, title="Sollicitations"), width="stretch")
    """
    return _chart_spec(build.__module__, build.__qualname__, _key(kwargs), kwargs)


def invalidate() -> None:
    """Forget the data version, so the next read sees this process's latest write."""
    _version.clear()
