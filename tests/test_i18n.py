"""Languages: the person's setting, else the browser's, else English; complete catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from sqlalchemy import select

from cxculture import PROJECT_ROOT
from cxculture.extensions import db
from cxculture.models import User
from tests.conftest import make_person

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
