"""The demo company on a live server, seeded once for every test of this folder, and tabs in
which its people are logged in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser

from cxculture.extensions import db
from tests.conftest import build_app, empty_tables
from tests.e2e.conftest import LiveServer, Tab, new_tab, serving
from tests.e2e.pages import demo_site
from tests.e2e.pages.demo_site import Account

# The product's languages, and what a browser set to each sends.
BROWSER_LANGUAGES = {"en": "en-US", "pt_BR": "pt-BR", "es": "es-ES"}


@dataclass(frozen=True)
class DemoSite:
    """The demo company on a live server, and the records page addresses are built from."""

    server: LiveServer
    data: demo_site.DemoData


@pytest.fixture(scope="package")
def demo_company(
    _schema: None, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """The demo company, seeded once and served on a loopback port for the tests of this
    folder, which only read it (and choose their language); its tables are emptied after them.
    """
    app = build_app(database_url, tmp_path_factory.mktemp("instance"))
    try:
        with app.app_context():
            data = demo_site.seed()
        with serving(app) as server:
            yield DemoSite(server, data)
    finally:
        with app.app_context():
            db.session.rollback()
            empty_tables()
            db.engine.dispose()


@pytest.fixture(scope="package")
def open_as(chromium: Browser, demo_company: DemoSite) -> Callable[..., Tab]:
    """``open_as(account, "pt_BR", **PHONE)``: a new tab (its own context: cookies, screen) in
    which ``account`` is logged in and reads the product in that language.

    Each person logs in through the form once; their later tabs start with the same cookies,
    which spares a login per language and screen.
    """
    server = demo_company.server
    cookies: dict[str, Any] = {}

    def open_one(account: Account, locale: str, **screen: Any) -> Tab:
        if account.email:
            with server.app.app_context():
                demo_site.set_language(account.email, locale)
        stored = {"storage_state": cookies[account.email]} if account.email in cookies else {}
        tab = new_tab(chromium, server.url, BROWSER_LANGUAGES[locale], **screen, **stored)
        if account.email and not stored:
            demo_site.log_in(tab.page, account)
            cookies[account.email] = tab.page.context.storage_state()
        return tab

    return open_one
