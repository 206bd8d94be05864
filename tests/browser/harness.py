"""The app under test and what a browser scenario does with it.

`AppServer` runs `streamlit run app.py` on a free loopback port against its own copy of a demo
database, in its own process group, and always stops it. The page helpers drive Chromium through
Playwright the way a person would: wait until the app is idle, log in, open a page, read it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core.config import PROJECT_ROOT
from ui.navigation import PAGE_BY_KEY, PageSpec

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
ARTIFACTS = PROJECT_ROOT / "artifacts" / "browser"
DEMO_PASSWORD = "ancrage-demo"
AUTH_COOKIE = "ancrage_auth"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
ERROR_BOXES = "[data-testid=stException], [data-testid=stAlertContentError]"
START_TIMEOUT_S = 60
ACTION_TIMEOUT_MS = 30_000
# A run often asks for another one (st.rerun after log-in, a component sending its value back):
# the app counts as idle once it has stayed so for this long.
SETTLE_MS = 500


# --- the app server ------------------------------------------------------------------------------


def app_env(data_dir: Path) -> dict[str, str]:
    """The environment of a process working on the database in `data_dir` (SQLite, own cookie key)."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "ANCRAGE_DATABASE_URL", "ANCRAGE_ENV", "ANCRAGE_COOKIE_KEY"):
        env.pop(name, None)
    env["ANCRAGE_DATA_DIR"] = str(data_dir)
    env["ANCRAGE_SECRET_DIR"] = str(data_dir / "secret")
    # Explicit, so that a developer's .streamlit/secrets.toml cannot point the tests elsewhere.
    env["DATABASE_URL"] = f"sqlite:///{data_dir / 'ancrage.db'}"
    env.setdefault("ANCRAGE_BCRYPT_ROUNDS", "4")
    return env


def bootstrap_demo(data_dir: Path) -> None:
    """A fresh demo database in `data_dir`, made by the same command as run.sh."""
    data_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "startup.bootstrap", "--demo"],
        cwd=PROJECT_ROOT,
        env=app_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"startup.bootstrap --demo failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`streamlit run app.py` on 127.0.0.1 against a copy of the database prepared in `template`
    (or against `database_url`, the benchmark's PostgreSQL databases)."""

    def __init__(self, template: Path, data_dir: Path, *, name: str = "app", database_url: str | None = None) -> None:
        shutil.copytree(template, data_dir)
        self.data_dir = data_dir
        self.database_url = database_url
        self.name = name
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / "logs" / f"streamlit-{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        """Start on a free port and wait for `/_stcore/health` (another port if this one was taken)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            self.port = free_port()
            if self._launch_and_wait():
                return self
        raise RuntimeError(f"Streamlit did not start; log {self.log_path}:\n{self.log_tail()}")

    def _launch_and_wait(self) -> bool:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        if shutil.which("setpriv"):
            # Also gone if pytest itself is killed before it can stop the server.
            command = ["setpriv", "--pdeathsig", "TERM", *command]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**app_env(self.data_dir), **({"DATABASE_URL": self.database_url} if self.database_url else {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Streamlit not healthy after {START_TIMEOUT_S} s; log {self.log_path}:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server's whole process group; safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- what a scenario does in the browser ----------------------------------------------------------


# Added to every page by the fixtures: records the app's script state changes and the messages the
# server sends, so that `wait_idle` knows the app has answered since a click and when it last moved.
# A quick run can come and go within one browser task: the page then never shows it as "running",
# but its messages (a new session, a finished script) still arrive, so both count as activity.
RUN_WATCH_JS = """
(() => {
  const watch = {doc: Math.random(), state: null, runs: 0, messages: 0, changedAt: performance.now()};
  window.__ancrageRunWatch = watch;
  const look = () => {
    const app = document.querySelector('[data-testid=stApp]');
    const state = app ? app.getAttribute('data-test-script-state') : null;
    if (state !== watch.state) {
      if (state === 'running') watch.runs += 1;
      watch.state = state;
      watch.changedAt = performance.now();
    }
  };
  new MutationObserver(look).observe(document, {attributes: true, childList: true, subtree: true});
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        watch.messages += 1;
        watch.changedAt = performance.now();
      });
    }
  };
})();
"""
_WATCH_STATUS_JS = """() => {
  const w = window.__ancrageRunWatch;
  return w ? {doc: w.doc, state: w.state, activity: w.runs + w.messages, quietMs: performance.now() - w.changedAt} : null;
}"""


def _watch_status(page: Page) -> dict | None:
    try:
        return page.evaluate(_WATCH_STATUS_JS)
    except PlaywrightError:  # the page is being replaced (navigation, reload)
        return {"doc": None, "state": None, "activity": 0, "quietMs": 0}


def run_mark(page: Page) -> tuple | None:
    """Where the page stands (document, runs and messages so far), to wait for what follows it."""
    status = _watch_status(page)
    return (status["doc"], status["activity"]) if status else None


def wait_idle(page: Page, *, since: tuple | None = None, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
    """Wait until the app has finished running: `stApp` notRunning, and unchanged for a moment.

    A run often asks for another one (st.rerun after log-in, a component sending its value back
    once loaded), so "not running" only counts once it and the server's messages have been quiet
    for SETTLE_MS. On pages opened by the fixtures it must also follow the app's answer: a run or
    a message after `since` (a `run_mark` taken before a click), or any of a newly loaded document.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since = None
    while True:
        now = time.monotonic()
        status = _watch_status(page)
        if status is not None:
            activity_before = since[1] if since and since[0] == status["doc"] else 0
            if (
                status["state"] == "notRunning"
                and status["activity"] > activity_before
                and status["quietMs"] >= SETTLE_MS
            ):
                return
        elif page.locator(IDLE).count():
            idle_since = idle_since or now
            if now - idle_since >= SETTLE_MS / 1000:
                return
        else:
            idle_since = None
        if now > deadline:
            raise TimeoutError(f"the app was still running after {timeout_ms} ms ({page.url}, {status})")
        page.wait_for_timeout(50)


def click_and_wait(locator) -> None:
    """Click a button or link of the app and wait until the run it starts is over."""
    page = locator.page
    mark = run_mark(page)
    locator.click()
    wait_idle(page, since=mark)


def go_back(page: Page) -> None:
    """The browser's Back button, then wait for the page."""
    mark = run_mark(page)
    page.go_back()
    wait_idle(page, since=mark)


def reload(page: Page) -> None:
    """The browser's Reload button, then wait for the page."""
    page.reload()
    wait_idle(page)


def path_of(spec: PageSpec) -> str:
    """The address of a page: `/` for the home page (the default page), else `/<url>`."""
    return "/" if spec.key == "home" else f"/{spec.url}"


def goto(page: Page, url_slug: str) -> None:
    """Type the address `/<url_slug>` (`""` or the home page's slug: `/`) and wait for the page."""
    slug = url_slug.strip("/")
    page.goto("/" if slug in ("", PAGE_BY_KEY["home"].url) else f"/{slug}")
    wait_idle(page)


def submit_login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and submit the log-in form, without expecting it to succeed."""
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    click_and_wait(page.get_by_role("button", name="Se connecter", exact=True))


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in from the log-in form on screen, and wait for the auth cookie (set one run later)."""
    submit_login(page, username, password)
    deadline = time.monotonic() + 15
    while not has_auth_cookie(page):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {AUTH_COOKIE} cookie after logging in as {username!r}:\n{main_text(page)}")
        page.wait_for_timeout(100)
    wait_idle(page)


def has_auth_cookie(page: Page) -> bool:
    return any(c["name"] == AUTH_COOKIE for c in page.context.cookies())


def logout(page: Page) -> None:
    """Press "Se déconnecter" in the sidebar."""
    click_and_wait(sidebar(page).get_by_role("button", name="Se déconnecter", exact=True))


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def open_from_menu(page: Page, title: str) -> None:
    """Click a page's link in the sidebar menu."""
    click_and_wait(sidebar(page).get_by_role("link", name=title, exact=True))


def menu_titles(page: Page) -> list[str]:
    """The titles of the sidebar's page links, in order."""
    labels = sidebar(page).get_by_test_id("stPageLink-NavLink").get_by_test_id("stMarkdownContainer")
    return [text.strip() for text in labels.all_inner_texts()]


def main_text(page: Page) -> str:
    """The visible text of the page's main area (the sidebar left out)."""
    main = page.get_by_test_id("stMain")
    return main.inner_text() if main.count() else page.locator("body").inner_text()


def shows_login_form(page: Page, *, within_s: float = 15) -> bool:
    """The log-in form is on screen (its "Identifiant" field and its "Se connecter" button).

    On a loaded machine a rerun may still be drawing the form when the app looks idle: look again
    for up to `within_s` seconds before saying no.
    """
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Se connecter", exact=True))
    deadline = time.monotonic() + within_s
    while True:
        if form.count() == 1 and form.get_by_label("Identifiant", exact=True).is_visible():
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(250)


def headings(page: Page) -> list[str]:
    """The titles and headers of the main area, in order."""
    return [text.strip() for text in page.get_by_test_id("stMain").get_by_test_id("stHeading").all_inner_texts()]


def assert_never_appears(locator, *, within_ms: int = 1_000) -> None:
    """`locator` matches nothing, even a moment later (tables and charts are drawn after the run)."""
    try:
        locator.first.wait_for(state="attached", timeout=within_ms)
    except PlaywrightTimeoutError:
        return
    raise AssertionError(f"unexpected on the page: {locator}")


def assert_no_streamlit_error(page: Page, *, expected: tuple[str, ...] = ()) -> None:
    """No exception box and no red error box, except error boxes containing one of `expected`.

    The home page's urgent to-do items (inside its `home_todo` container) are not errors.
    """
    boxes = page.evaluate(
        "(selector) => Array.from(document.querySelectorAll(selector))"
        ".filter((box) => !box.closest('.st-key-home_todo')).map((box) => box.innerText)",
        ERROR_BOXES,
    )
    unexpected = [box for box in boxes if not any(text in box for text in expected)]
    assert not unexpected, f"error box(es) on {page.url}: {unexpected}"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as artifacts/browser/<name>.png and return its path."""
    path = ARTIFACTS / f"{safe_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


# --- picking, waiting for what a person sees, reading figures ------------------------------------

SEEN_MS = 20_000  # a save reruns the page (flash message after st.rerun): give a loaded machine time


def choose(page: Page, box, typed: str, option: str, *, multi: bool = False) -> None:
    """Pick `option` in a select box by typing part of it, as a person would (inside a form: no run)."""
    box.click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option, exact=True).click()
    if multi:  # a multiselect stays open for more choices
        page.keyboard.press("Escape")


def click_until(locator, outcome) -> None:
    """Click, then wait until `outcome` shows and the app is idle again.

    For quick runs (a pick list, a switch): on a loaded machine the browser may draw such a run's start
    and end at once, so wait for what the person sees rather than for the run itself.
    """
    locator.click()
    expect(outcome.first).to_be_visible(timeout=SEEN_MS)
    wait_idle(locator.page)


def metric(page: Page, label: str, *, exact: bool = False):
    """The value of the metric whose label holds `label` (is exactly `label` with `exact`), in the page."""
    metrics = page.get_by_test_id("stMain").get_by_test_id("stMetric")
    if exact:
        return metrics.filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).get_by_test_id(
            "stMetricValue"
        )
    return metrics.filter(has_text=label).get_by_test_id("stMetricValue")
