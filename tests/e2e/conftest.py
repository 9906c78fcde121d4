"""Browser tests: the real app on a loopback port, driven by Debian's Chromium through Playwright.

Chromium comes from the system (``apt-get install chromium``), never from a download: without it
these tests are skipped, except under ``CI=true``, where a missing browser fails the run.
Screenshots of every step land in ``test-artifacts/e2e/<database>/`` (or ``$CX_E2E_ARTIFACTS``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from cxculture.extensions import db

DEFAULT_CHROMIUM = "/usr/bin/chromium"
NOT_INSTALLED = "Chromium not installed: apt-get install chromium (browser tests)"
# The closed network makes Chromium's background services wait for hosts it cannot reach.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WAIT_MS = 15_000  # every wait, click and navigation gives up after this
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
# Reports each Content-Security-Policy violation on the console, where the watcher reads it
# (Chromium logs most of them there too; this makes every one explicit, with its directive).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  console.error(`CSP violation: ${event.violatedDirective} blocked ${blocked}`);
});
"""


def chromium_executable() -> str:
    """The system Chromium's path; skips the test without one, and fails it under CI=true."""
    path = os.environ.get("CX_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NOT_INSTALLED}; CI needs it (looked for {path})", pytrace=False)
        pytest.skip(NOT_INSTALLED)
    return path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole run (each person gets a fresh context)."""
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_executable(), args=list(CHROMIUM_ARGS), timeout=30_000
    )
    expect.set_options(timeout=WAIT_MS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts(database_url: str) -> Path:
    """Where screenshots go: one folder per database, so both CI passes keep theirs."""
    root = Path(os.environ.get("CX_E2E_ARTIFACTS") or PROJECT_ROOT / "test-artifacts" / "e2e")
    folder = root / ("postgresql" if database_url.startswith("postgres") else "sqlite")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


class _Recorder:
    """WSGI middleware noting every server error, so a test can fail on a 500 it never saw."""

    def __init__(self, app: Flask):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.errors: list[str] = []

    def __call__(self, environ, start_response):
        def recording(status: str, headers, exc_info=None):
            if status.startswith("5"):
                self.errors.append(f"{status} for {environ.get('PATH_INFO')}")
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, recording)


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str
    recorder: _Recorder


@contextmanager
def serving(app: Flask) -> Iterator[LiveServer]:
    """``app``, with its real forms (CSRF on), served on a free loopback port while inside."""
    assert app.config["WTF_CSRF_ENABLED"], "browser tests drive the real forms, CSRF included"
    recorder = _Recorder(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", recorder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test's app served on a free loopback port.

    It runs on the suite's database (the ``app`` fixture's), whose tables are emptied after
    the test once the server has stopped.
    """
    with serving(app) as server:
        yield server
    assert not server.recorder.errors, f"the server answered with errors: {server.recorder.errors}"


@dataclass
class Watcher:
    """What went wrong in one person's browser: console errors, script errors, failed loads."""

    problems: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def page_error(self, error: Exception) -> None:
        self.problems.append(f"script error: {error}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def assert_clean(self, where: str) -> None:
        found, self.problems[:] = list(self.problems), []
        assert not found, f"{where}: the browser reported {found}"


@dataclass
class Tab:
    """One person's browser tab, with what it has reported."""

    page: Page
    watcher: Watcher


def new_tab(browser: Browser, base_url: str, locale: str = "en-US", **options) -> Tab:
    """A fresh context (cookies, language, screen) with one tab on ``base_url``, watched for
    console errors and CSP violations; closing ``tab.page.context`` ends it."""
    context = browser.new_context(base_url=base_url, locale=locale, **(options or DESKTOP))
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    context.add_init_script(CSP_REPORTER)
    page = context.new_page()
    watcher = Watcher()
    page.on("console", watcher.console)
    page.on("pageerror", watcher.page_error)
    page.on("response", watcher.response)
    return Tab(page, watcher)


@pytest.fixture
def open_browser(
    chromium: Browser, live_server: LiveServer, artifacts: Path
) -> Iterator[Callable[..., Tab]]:
    """``open_browser(locale="pt-BR", **PHONE)``: a fresh context (cookies, language, screen)
    with one tab on the live server, watched for console errors and CSP violations."""
    tabs: list[Tab] = []

    def open_one(locale: str = "en-US", **options) -> Tab:
        tab = new_tab(chromium, live_server.url, locale, **options)
        tabs.append(tab)
        return tab

    yield open_one
    for tab in tabs:
        tab.page.context.close()
    for tab in tabs:
        tab.watcher.assert_clean("at the end of the test")


@pytest.fixture
def screenshot(artifacts: Path) -> Callable[[Page, str], Path]:
    """``screenshot(page, "03-employee-answers")``: a full-page PNG named by its step."""

    def take(page: Page, step: str) -> Path:
        path = artifacts / f"{step}.png"
        # From the top, so sticky parts of the page are drawn where a reader first sees them.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True, scale="css")
        return path

    return take


@pytest.fixture
def pt(live_server: LiveServer) -> Callable[..., str]:
    """``pt("Log in")``: the product's Portuguese for an English string, as a page shows it."""

    def translate(message: str, **variables: object) -> str:
        with live_server.app.test_request_context(), force_locale("pt_BR"):
            text = gettext(message, **variables)
        assert text != (message % variables if variables else message), f"untranslated: {message}"
        return text

    return translate
