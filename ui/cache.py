"""Cached reads for pages: a rerun with unchanged data runs no SQL, a write shows at once.

Every cached result is keyed by the service function, all its arguments (the acting user among
them, so one role or structure never gets another's result) and the data version: the newest
audit-log id, which every write anywhere moves. That version is itself re-read at most every
`VERSION_TTL` seconds, so several app processes sharing one PostgreSQL see each other's writes
within that delay; this process's own writes clear it at once (`invalidate`, called by
`ui.feedback.handled` after a successful write).
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable, TypeVar

import streamlit as st

from services.audit import data_version

T = TypeVar("T")
VERSION_TTL = 2


@st.cache_data(ttl=VERSION_TTL, show_spinner=False)
def _version() -> int:
    return data_version()


@st.cache_data(ttl=600, max_entries=2000, show_spinner=False)
def _call(module: str, name: str, version: int, kwargs: dict):
    return getattr(import_module(module), name)(**kwargs)


def cached(service: Callable[..., T], /, **kwargs) -> T:
    """Call a read service through the cache.

    >>> # structures = cached(structure_list, actor=actor, region="11", page=2)
    """
    return _call(service.__module__, service.__name__, _version(), kwargs)


def invalidate() -> None:
    """Forget the data version, so the next read sees this process's latest write."""
    _version.clear()
