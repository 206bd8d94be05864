"""Fixtures of the end-to-end scenarios: the app served by `streamlit run`, and Chromium pages.

- `app_server`: one server for the whole browser suite, on a fresh demo database.
- `fresh_app_server`: a server of its own for one test (first requests on a new process, or a test
  that changes what others rely on, such as locking a demo account).
- `page`: a page in a new browser context (no cookie) on `app_server`; `new_page(server)` opens
  more, on any server. Every page is screenshotted at the end of the test under
  artifacts/browser/; a failure also prints each page's visible text and the server's log.

Playwright and the servers live for the browser package only, so the rest of the suite runs
without them.
"""

from __future__ import annotations

import atexit
import os

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUN_WATCH_JS,
    AppServer,
    bootstrap_demo,
    safe_name,
    screenshot,
)

PAGES_KEY = pytest.StashKey[list]()
SERVERS_KEY = pytest.StashKey[list]()
SHOT_KEY = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def demo_template(tmp_path_factory):
    """A demo database made once by `python -m startup.bootstrap --demo`; each server gets a copy."""
    template = tmp_path_factory.mktemp("browser") / "template"
    bootstrap_demo(template)
    return template


def _started(template, tmp_path_factory, name: str) -> AppServer:
    server = AppServer(template, tmp_path_factory.mktemp("browser") / name, name=name)
    atexit.register(server.stop)  # also when the run is interrupted before fixture teardown
    return server.start()


@pytest.fixture(scope="package")
def app_server(demo_template, tmp_path_factory):
    """The app, shared by the browser scenarios (do not lock or change its demo accounts)."""
    server = _started(demo_template, tmp_path_factory, "shared")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_app_server(request, demo_template, tmp_path_factory):
    """A newly started app on its own fresh demo database, for this test only."""
    server = _started(demo_template, tmp_path_factory, safe_name(request.node.name))
    request.node.stash.setdefault(SERVERS_KEY, []).append(server)
    try:
        yield server
    finally:
        _screenshot_pages(request.node)  # while the server still answers
        server.stop()


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./test.sh does it).")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(request, browser):
    """`new_page(server=None)`: a page in a new browser context (no cookie) on `server` or `app_server`."""
    contexts = []
    pages = request.node.stash.setdefault(PAGES_KEY, [])

    def open_page(server: AppServer | None = None):
        if server is None:
            server = request.getfixturevalue("app_server")
        servers = request.node.stash.setdefault(SERVERS_KEY, [])
        if server not in servers:
            servers.append(server)
        context = browser.new_context(base_url=server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        context.add_init_script(RUN_WATCH_JS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    _screenshot_pages(request.node)
    for context in contexts:
        context.close()


def _screenshot_pages(item) -> None:
    """The end-of-scenario screenshots: artifacts/browser/<test name>[-<n>].png, once per test."""
    if item.stash.get(SHOT_KEY, False):
        return
    item.stash[SHOT_KEY] = True
    for number, page in enumerate(item.stash.get(PAGES_KEY, []), start=1):
        try:
            screenshot(page, item.name if number == 1 else f"{item.name}-{number}")
        except Exception as error:  # a crashed page must not hide the test's own result
            print(f"screenshot failed: {error}")


@pytest.fixture
def page(new_page):
    """A page in a new browser context on the shared app."""
    return new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        for number, page in enumerate(item.stash.get(PAGES_KEY, []), start=1):
            name = item.name if number == 1 else f"{item.name}-{number}"
            try:
                path = screenshot(page, name)
                text = page.locator("body").inner_text(timeout=5_000)
                report.sections.append((f"browser page {number} ({page.url})", f"screenshot: {path}\n\n{text}"))
            except Exception as error:
                report.sections.append((f"browser page {number}", f"could not read the page: {error}"))
        for server in item.stash.get(SERVERS_KEY, []):
            report.sections.append((f"streamlit log ({server.log_path})", server.log_tail()))
    return report
