"""Languages: the person's setting, else the browser's, else English; complete catalogs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from cxculture import PROJECT_ROOT
from cxculture.extensions import db
from cxculture.models import User
from tests.conftest import Browser, make_person

TRANSLATIONS = PROJECT_ROOT / "cxculture" / "translations"
LOGIN_TITLE = {"en": "Log in to cxculture", "pt_BR": "Entrar no cxculture", "es": "Inicia sesión"}


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.5", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("es-AR,es;q=0.9", "es"),
        ("es", "es"),
        ("de-DE", "en"),
        (None, "en"),
    ],
)
def test_browser_language_is_used_before_login(client, header, locale):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/auth/login", headers=headers).get_data(as_text=True)
    assert LOGIN_TITLE[locale] in html
    assert f'<html lang="{locale.replace("_", "-")}">' in html


def test_persons_setting_beats_the_browser(app, browser):
    person = make_person(app, email="lucia@example.test", locale="es")
    browser.login(person.email)
    html = browser.client.get("/me", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert "Mi espacio" in html


def test_switching_language_is_saved_on_the_account(app, browser, employee):
    browser.login(employee.email)
    response = browser.post_form("/me", {"locale": "pt_BR", "next": "/me"}, action="/language")
    assert response.headers["Location"] == "/me"
    assert "Meu espaço" in browser.client.get("/me").get_data(as_text=True)
    with app.app_context():
        saved = db.session.execute(select(User.locale).where(User.id == employee.id)).scalar()
    assert saved == "pt_BR"


def test_switching_language_before_login_lasts_for_the_visit(browser):
    browser.post_form("/auth/login", {"locale": "es"}, action="/language")
    assert LOGIN_TITLE["es"] in browser.client.get("/auth/login").get_data(as_text=True)


def test_unknown_language_changes_nothing(browser):
    response = browser.post_form("/auth/login", {"locale": "xx"}, action="/language")
    assert response.status_code == 302
    assert LOGIN_TITLE["en"] in browser.client.get("/auth/login").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(browser):
    response = browser.post_form(
        "/auth/login", {"locale": "es", "next": "https://evil.example/"}, action="/language"
    )
    assert response.headers["Location"] == "/"


def _messages(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_every_message_is_translated(locale):
    template = _messages(TRANSLATIONS / "messages.pot")
    catalog = _messages(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = (
            found.string if found and isinstance(found.string, tuple) else [found and found.string]
        )
        if found is None or found.fuzzy or not all(strings):
            untranslated.append(message.id)
    assert untranslated == []


def test_template_is_up_to_date_with_the_code(tmp_path):
    """Every string marked in the code or templates is in messages.pot (`make translations`)."""
    fresh_pot = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(fresh_pot),
            str(PROJECT_ROOT),
        ]
    )
    fresh = {message.id for message in _messages(fresh_pot) if message.id}
    shipped = {message.id for message in _messages(TRANSLATIONS / "messages.pot") if message.id}
    assert fresh - shipped == set()


# -- One format per kind of date, and no machine date left on a page ---------------------------

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DOWNLOADS = re.compile(r"\.(csv|xlsx|pdf|json|png|svg)(\?|$)|/api/|/auth/logout|/language")
# What a template may format dates with: the product's filters, one per kind (templating.py).
OTHER_DATE_FORMATTING = re.compile(
    r"\|\s*(datetime|date|datetime_tag|date_tag)\s*\(|\|\s*(dateformat|datetimeformat|timeformat)"
    r"|strftime|isoformat|format_date\(|format_datetime\("
)


class VisibleText(HTMLParser):
    """The text a reader sees: element contents, not attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _crawl(browser, start: str, limit: int = 120) -> dict[str, str]:
    """The visible text of the pages reachable from ``start`` (links on the site, downloads
    and actions left out; two pages at most of each kind, ids aside), by path."""
    seen: dict[str, str] = {}
    kinds: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "#", path.partition("?")[0])
        if path in seen or kinds.get(kind, 0) >= 2:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = browser.client.get(path, follow_redirects=True)
        seen[path] = ""
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = VisibleText()
            parser.feed(response.get_data(as_text=True))
            seen[path] = " ".join(parser.parts)
            queue.extend(
                link.split("#")[0]
                for link in parser.links
                if link.startswith("/") and not link.startswith("//") and not DOWNLOADS.search(link)
            )
    return seen


@pytest.fixture
def demo(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_no_page_shows_a_machine_date(demo, app, locale):
    """Dates on pages are written as the reader's language writes them, never 2026-03-01
    (which a <time datetime="..."> attribute may still carry for machines): every page HR, a
    head and an employee of the demo company reach from their homes."""
    leaks = {}
    for login in ("hr@demo.test", "head.contact@demo.test", "ana@demo.test"):
        browser = Browser(app.test_client())
        browser.login(login, "cxdemo")
        browser.use_language(locale)
        pages = _crawl(browser, "/")
        assert len([text for text in pages.values() if text]) > 5
        assert any(re.search(r"\b20\d\d\b", text) for text in pages.values())  # dates seen
        leaks.update(
            {path: ISO_DAY.findall(text) for path, text in pages.items() if ISO_DAY.search(text)}
        )
    assert leaks == {}


def test_the_audit_log_wraps_its_moments_in_time_elements(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.use_language("es")
    html = browser.client.get("/hr/audit/").get_data(as_text=True)
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}T[^"]+">[^<]*\d{4}, \d', html)


def test_templates_format_dates_only_with_the_products_filters():
    """One format per kind: |date for a day, |datetime for a moment (and their *_tag forms for
    a <time> element); no format argument, no other filter, no strftime in a template."""
    found = {
        f"{path.relative_to(PROJECT_ROOT)}:{number}": line.strip()
        for path in sorted((PROJECT_ROOT / "templates").rglob("*.*"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OTHER_DATE_FORMATTING.search(line)
    }
    assert found == {}


def test_a_day_and_a_moment_each_have_one_format(app):
    with app.test_request_context():
        from cxculture.templating import format_day, format_moment

        moment = datetime(2026, 3, 10, 14, 5, tzinfo=UTC)
        with force_locale("pt_BR"):
            assert (format_day(moment.date()), format_moment(moment)) == (
                "10 de mar. de 2026",
                "10 de mar. de 2026 14:05",
            )
        with force_locale("es"):
            assert (format_day(moment), format_moment(moment)) == (
                "10 mar 2026",
                "10 mar 2026, 14:05",
            )
        assert format_day(None) == format_moment(None) == "—"
