"""The one page picker for long lists: one page size, French labels, the page kept in range.

A page asks its service for one slice (`limit`, `offset`) and gets the total with it; `paginate`
reads the page number the picker holds, fetches that slice, brings the number back in range when
the list shrank (a filter changed), then draws the picker and « Page 2 sur 7 — 1 234 résultats ».
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import streamlit as st

from core.formatting import fr_number

#: Rows per page, everywhere a list is paged.
PAGE_SIZE = 25


class _Paged(Protocol):
    total: int


R = TypeVar("R", bound=_Paged)


def page_count(total: int) -> int:
    """Pages needed for `total` rows (at least one, so an empty list still has « Page 1 sur 1 »).

    >>> page_count(0), page_count(25), page_count(26)
    (1, 1, 2)
    """
    return max(1, -(-total // PAGE_SIZE))


def page_label(number: int, pages: int) -> str:
    """>>> page_label(2, 7)
    'Page 2 sur 7'
    """
    return f"Page {fr_number(number)} sur {fr_number(pages)}"


def results_label(total: int) -> str:
    """>>> results_label(1), results_label(0)
    ('1 résultat', '0 résultat')
    """
    return f"{fr_number(total)} résultat{'s' if total > 1 else ''}"


def paginate(key: str, fetch: Callable[[int, int], R], *, where: Any = None) -> R:
    """The slice of rows the picker stored under `key` points to.

    The picker goes in `where` (a column beside the filters, say; by default here), the line
    « Page … sur … — … résultats » here.

    `fetch(limit, offset)` calls the service; its result carries `total`. A number beyond the last
    page (the list shrank since) shows the last page instead.
    """
    number = _stored_number(key)
    result = fetch(PAGE_SIZE, (number - 1) * PAGE_SIZE)
    pages = page_count(result.total)
    if number > pages:
        number = pages
        result = fetch(PAGE_SIZE, (number - 1) * PAGE_SIZE)
    st.session_state[key] = number
    if pages > 1:
        (st if where is None else where).number_input("Page", min_value=1, max_value=pages, step=1, key=key)
    st.caption(f"{page_label(number, pages)} — {results_label(result.total)}")
    return result


def _stored_number(key: str) -> int:
    try:
        return max(1, int(st.session_state.get(key, 1)))
    except (TypeError, ValueError):
        return 1
