"""The page picker: one slice per page, French labels, the number brought back in range."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from models.user import Role
from tests.factories import make_structure, make_user
from tests.pages.helpers import open_page
from ui.pagination import PAGE_SIZE, page_count, page_label, results_label


def _picker_app() -> None:
    from types import SimpleNamespace

    import streamlit as st

    from ui.pagination import paginate

    total = st.session_state.get("rows_total", 0)
    calls = st.session_state.setdefault("fetched", [])

    def fetch(limit: int, offset: int) -> SimpleNamespace:
        calls.append((limit, offset))
        return SimpleNamespace(total=total, rows=list(range(offset, min(offset + limit, total))))

    result = paginate("picker_page", fetch)
    st.write(f"rows {result.rows[0] if result.rows else '-'}..{result.rows[-1] if result.rows else '-'}")


def _run(total: int, page: int | None = None) -> AppTest:
    at = AppTest.from_function(_picker_app)
    at.session_state["rows_total"] = total
    if page is not None:
        at.session_state["picker_page"] = page
    return at.run()


def test_labels_are_french():
    assert page_label(2, 7) == "Page 2 sur 7"
    assert results_label(1234) == "1 234 résultats"
    assert results_label(1) == "1 résultat"


def test_page_count_rounds_up_and_never_zero():
    assert page_count(0) == 1
    assert page_count(PAGE_SIZE) == 1
    assert page_count(PAGE_SIZE + 1) == 2


def test_a_short_list_has_no_picker_and_says_so():
    at = _run(3)
    assert not at.number_input
    assert at.caption[0].value == "Page 1 sur 1 — 3 résultats"


def test_moving_to_the_second_page_fetches_the_second_slice():
    total = 2 * PAGE_SIZE + 5
    at = _run(total)
    assert at.caption[0].value == f"Page 1 sur 3 — {total} résultats"
    at.number_input(key="picker_page").set_value(2).run()
    assert at.caption[0].value == f"Page 2 sur 3 — {total} résultats"
    assert at.session_state["fetched"][-1] == (PAGE_SIZE, PAGE_SIZE)
    assert f"rows {PAGE_SIZE}..{2 * PAGE_SIZE - 1}" in at.markdown[0].value


def test_a_page_beyond_the_end_shows_the_last_page():
    total = PAGE_SIZE + 1  # two pages; the picker still says 9 from a longer list
    at = _run(total, page=9)
    assert at.caption[0].value == f"Page 2 sur 2 — {total} résultats"
    assert at.number_input(key="picker_page").value == 2
    assert at.session_state["fetched"][-1] == (PAGE_SIZE, PAGE_SIZE)
    assert f"rows {PAGE_SIZE}..{PAGE_SIZE}" in at.markdown[0].value


def test_the_directory_pages_its_structures(sqlite_db):
    for n in range(PAGE_SIZE + 2):
        make_structure(name=f"Structure {n:02d}")
    at = open_page(make_user(Role.COORDINATION), "directory")
    assert f"Page 1 sur 2 — {PAGE_SIZE + 2} résultats" in [c.value for c in at.caption]
    assert len(at.dataframe[0].value) == PAGE_SIZE
    at.number_input(key="directory_page").set_value(2).run()
    assert f"Page 2 sur 2 — {PAGE_SIZE + 2} résultats" in [c.value for c in at.caption]
    assert len(at.dataframe[0].value) == 2
