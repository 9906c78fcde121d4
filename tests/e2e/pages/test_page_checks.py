"""The page checks themselves: they find what they promise to, and name it (pages written here,
in a blank tab, with no server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DESKTOP, PHONE, new_tab
from tests.e2e.pages.page_checks import inspect, problems_in, untranslated

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body {{ margin: 0 }}
  .scroller {{ overflow-x: auto }}
  .wide {{ width: 2000px }}
  .clipped {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0) }}
  .menu {{ position: fixed; left: 100%; width: 300px }}
</style></head>
<body><main>{body}</main></body></html>
"""
CATALOG = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "Log in"
msgstr "Entrar"

msgid "Not translated yet"
msgstr ""

#, fuzzy
msgid "Waiting for review"
msgstr "Aguardando revisão"

msgid "Email"
msgstr "E-mail"

msgid "Customer Orientation Index"
msgstr "Customer Orientation Index"

msgid "Net Promoter Score trend"
msgstr "Tendência do Net Promoter Score"

#, python-format
msgid "Survey launched: %(n)d people invited."
msgstr "Pesquisa lançada: %(n)d pessoas convidadas."

#, python-format
msgid "%(num)d of the %(total)d people invited answered on time"
msgstr "%(num)d das %(total)d pessoas convidadas responderam no prazo"

#, python-format
msgid "%(share)s%% of the answers came in late"
msgstr "%(share)s%% das respostas chegaram tarde"

msgid "Read <a href=\"/guide\">the guide first</a> please"
msgstr "Leia <a href=\"/guide\">o guia antes</a> por favor"
"""


@pytest.fixture(scope="module")
def blank(chromium: Browser) -> Iterator[Page]:
    tab = new_tab(chromium, "http://127.0.0.1:9", **DESKTOP)
    yield tab.page
    tab.page.context.close()


@pytest.fixture(scope="module")
def phone(chromium: Browser) -> Iterator[Page]:
    tab = new_tab(chromium, "http://127.0.0.1:9", **PHONE)
    yield tab.page
    tab.page.context.close()


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    folder = tmp_path / "pt_BR" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(CATALOG, encoding="utf-8")
    return tmp_path


def problems(page: Page, body: str, lang: str = "en") -> list[str]:
    page.set_content(PAGE.format(lang=lang, body=body))
    return problems_in(inspect(page), lang.replace("-", "_"))


def test_a_page_with_one_heading_that_fits_has_no_problem(blank: Page, phone: Page):
    for page in (blank, phone):
        assert problems(page, "<h1>Results</h1><p>Short text.</p>") == []


def test_overflow_names_the_widest_element_past_the_edge(blank: Page, phone: Page):
    body = '<h1>Results</h1><div class="wide" id="heatmap"><span>cell</span></div>'
    assert problems(phone, body) == [
        "horizontal overflow: the page is 2000px wide on a 390px screen; widest: "
        '#heatmap (2000px wide, right edge at 2000px, "cell")'
    ]
    (found,) = problems(
        blank, '<h1>Results</h1><section><table class="wide"><tr><td>1</td></tr></table></section>'
    )
    assert "widest: body > main > section > table.wide (2000px wide" in found


def test_what_scrolls_inside_its_box_or_stays_off_screen_is_no_overflow(phone: Page):
    table = '<table class="wide"><tr><td>1</td></tr></table>'
    body = (
        f'<h1>Results</h1><div class="scroller">{table}</div>'
        '<nav class="menu">Menu</nav><p class="clipped">Only for screen readers</p>'
    )
    assert problems(phone, body) == []


def test_a_page_needs_exactly_one_visible_heading(blank: Page):
    assert problems(blank, "<h2>Results</h2>") == ["no visible <h1>"]
    assert problems(blank, '<h1 class="clipped">Results</h1>') == ["no visible <h1>"]
    assert problems(blank, "<h1 hidden>Results</h1><h1>Home</h1>") == []
    assert problems(blank, "<h1>Results</h1><h1>Home</h1>") == [
        "2 visible <h1>: ['Results', 'Home']"
    ]


def test_a_page_in_another_language_than_asked_is_named(blank: Page):
    assert problems(blank, "<h1>Resultados</h1>", lang="es") == []
    page_in_english = PAGE.format(lang="en", body="<h1>Results</h1>")
    blank.set_content(page_in_english)
    assert problems_in(inspect(blank), "pt_BR") == ['served in "en", not in "pt-BR"']


def test_english_sentences_the_catalog_translates_are_named(translations: Path):
    text = (
        "Entrar\nLog in\nNot translated yet\nWaiting for review\nEmail\n"
        "Survey launched: 12 people invited.\n40% of the answers came in late"
    )
    assert untranslated(text, "pt_BR", translations) == [
        "Log in",
        "Not translated yet",
        "Waiting for review",
        "Survey launched: %(n)d people invited.",
        "%(share)s%% of the answers came in late",
    ]


def test_translated_text_names_and_single_words_pass(translations: Path):
    text = (
        "Entrar\nE-mail\nEmail\nCustomer Orientation Index\nTendência do Net Promoter Score\n"
        "Pesquisa lançada: 12 pessoas convidadas.\nLeia o guia antes por favor\n"
        "SysLog inputs"  # "Log in" inside other words is not "Log in"
    )
    assert untranslated(text, "pt_BR", translations) == []


def test_a_message_is_named_when_all_its_pieces_are_shown(translations: Path):
    assert untranslated("Statement of the questionnaire moved", "pt_BR", translations) == []
    text = "3 of the 12 people invited answered on time"
    assert untranslated(text, "pt_BR", translations) == [
        "%(num)d of the %(total)d people invited answered on time"
    ]


def test_markup_splits_a_message_into_the_pieces_a_page_shows(translations: Path):
    assert untranslated("Read the guide first please", "pt_BR", translations) == [
        'Read <a href="/guide">the guide first</a> please'
    ]


def test_parts_marked_as_english_or_not_to_translate_are_left_out(blank: Page):
    body = (
        "<h1>Editar módulo</h1>"
        '<section lang="en"><h2>English text</h2><p>Log in</p></section>'
        '<ul translate="no"><li>Employee number</li></ul>'
        '<button aria-label="Log in" lang="en">→</button><p>Change password</p>'
    )
    blank.set_content(PAGE.format(lang="pt-BR", body=body))
    found = inspect(blank)
    assert "Change password" in found.text
    assert "Log in" not in found.text
    assert "Employee number" not in found.text
