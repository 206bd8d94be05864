"""Running the app as a logged-in role with AppTest (no browser)."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core.access import Actor
from core.config import PROJECT_ROOT
from ui.navigation import PAGE_BY_KEY

TIMEOUT = 30


def app_as(actor: Actor | None, *, script: str = "app.py") -> AppTest:
    """An AppTest of `script` whose session is already logged in as `actor` (None: logged out)."""
    if script == "app.py":
        # As on a server where app.py has declared its navigation (any earlier session did): every
        # run goes through app.py. The flag is process-wide and AppTest may leave it either way.
        PagesManager.uses_pages_directory = False
    at = AppTest.from_file(str(PROJECT_ROOT / script), default_timeout=TIMEOUT)
    if actor is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = actor.username
        at.session_state["name"] = actor.display_name
        at.session_state["roles"] = [actor.role]
    return at


def open_page(actor: Actor, page_key: str) -> AppTest:
    """Run the app, then open one of the actor's pages as its menu would."""
    spec = PAGE_BY_KEY[page_key]
    at = app_as(actor)
    at.run()
    at.switch_page(str(PROJECT_ROOT / spec.script))
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote, to search for a message."""
    parts = [e.value for e in (*at.markdown, *at.title, *at.header, *at.subheader, *at.caption)]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    return "\n".join(str(p) for p in parts)
