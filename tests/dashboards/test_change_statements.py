"""Changes between waves in plain words: what moved and whether it could be chance, with the
statistics behind a toggle; whole sentences that start with a capital in every language."""

from __future__ import annotations

import io
import re
from html import unescape

import pypdf
import pytest
from flask_babel import force_locale

from cxculture.dashboards import reports
from cxculture.extensions import db
from cxculture.models import Survey, utcnow
from cxculture.scoring.stats import WaveChange

LOCALES = ["en", "pt_BR", "es"]
STATISTICS = re.compile(r"welch|t-test|teste t|prueba t|p [<=]|p-value|confidence", re.I)


def _change(difference: float, significant: bool, p_value: float | None = 0.01) -> WaveChange:
    return WaveChange(
        before_n=40,
        after_n=38,
        before_mean=60.0,
        after_mean=60.0 + difference,
        difference=difference,
        ci_low=difference - 3.1,
        ci_high=difference + 3.1,
        p_value=p_value,
        is_significant=significant,
    )


def _statement(app, locale: str, previous: str | None, change: WaveChange | None):
    with app.test_request_context(), force_locale(locale):
        return reports.change_statement(previous, change)


CASES = {
    "up": ("First wave", _change(8.3, True)),
    "down": ("First wave", _change(-6.6, True, 0.0004)),
    "same": ("First wave", _change(2.2, False, 0.31)),
    "hidden before": ("First wave", None),
    "first wave": (None, None),
}


def test_a_real_rise_says_up_and_not_chance(app):
    statement = _statement(app, "en", *CASES["up"])
    assert statement.sentence == "Up 8 points since “First wave”: a real change, not chance."


def test_a_real_fall_says_down_and_not_chance(app):
    statement = _statement(app, "en", *CASES["down"])
    assert statement.sentence == "Down 7 points since “First wave”: a real change, not chance."


def test_a_change_that_could_be_chance_says_about_the_same(app):
    statement = _statement(app, "en", *CASES["same"])
    assert statement.sentence == (
        "About the same as in “First wave”: the difference could be chance."
    )


def test_the_first_wave_says_there_is_nothing_to_compare_yet(app):
    statement = _statement(app, "en", None, None)
    assert statement.sentence.startswith("This is the first wave of this questionnaire")
    assert statement.details == []


def test_one_point_is_singular_and_a_fraction_keeps_a_decimal(app):
    assert _statement(app, "en", "W1", _change(1.2, True)).sentence.startswith("Up 1 point since")
    assert _statement(app, "en", "W1", _change(-0.4, True)).sentence.startswith(
        "Down 0.4 points since"
    )
    assert _statement(app, "pt_BR", "W1", _change(1.2, True)).sentence.startswith(
        "Subiu 1 ponto desde"
    )
    assert _statement(app, "es", "W1", _change(-12.0, True)).sentence.startswith(
        "Bajó 12 puntos desde"
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", list(CASES))
def test_sentences_start_with_a_capital_and_keep_statistics_out(app, locale, case):
    statement = _statement(app, locale, *CASES[case])
    first = statement.sentence.lstrip("¿¡“\"'(")
    assert first[0].isupper(), statement.sentence
    assert statement.sentence.endswith(".")
    assert not STATISTICS.search(statement.sentence)
    for line in statement.details:
        assert line.lstrip("¿¡“\"'(")[0].isupper(), line


@pytest.mark.parametrize("locale", LOCALES)
def test_the_statistics_are_in_the_details(app, locale):
    details = " ".join(_statement(app, locale, *CASES["down"]).details)
    assert "Welch" in details
    assert "0,001" in details or "0.001" in details  # p below 0.001, in the reader's numbers
    assert ("-6,6" if locale != "en" else "-6.6") in details


def test_numbers_in_the_details_are_the_readers(app):
    details = " ".join(_statement(app, "pt_BR", *CASES["up"]).details)
    assert "68,3" in details  # the mean now, with a decimal comma
    assert "+8,3" in details


def _results(browser, survey: int, key: str = "Operations") -> str:
    return browser.client.get(f"/dashboards/results?survey={survey}&department={key}").get_data(
        as_text=True
    )


def _close_second_wave(app, demo: int) -> int:
    with app.app_context():
        second = db.session.get(Survey, demo + 1)
        second.closed_at = utcnow()
        db.session.commit()
        return second.id


@pytest.mark.parametrize("locale", LOCALES)
def test_the_results_page_says_the_change_plainly_with_the_statistics_folded(
    app, demo, browser, locale
):
    second = _close_second_wave(app, demo)
    browser.login("head.operations@demo.test", "cxdemo")
    browser.use_language(locale)
    html = _results(browser, second)
    sentence = unescape(re.search(r'<p class="mb-1 cx-change">(.*?)</p>', html, re.S).group(1))
    assert "“Customer orientation, first wave”" in sentence
    assert sentence.lstrip("¿¡“")[0].isupper()
    assert not STATISTICS.search(sentence)
    folded = re.search(r"<details[^>]*><summary>(.*?)</summary>(.*?)</details>", html, re.S)
    assert "Welch" in folded.group(2)
    assert "Welch" not in html.replace(folded.group(0), "")


def test_the_first_wave_page_says_so(demo, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    browser.use_language("en")
    html = _results(browser, demo)
    assert "This is the first wave of this questionnaire" in html
    assert '<details class="small text-body-secondary mb-3">' not in html


def test_the_report_uses_the_same_words(app, demo, browser):
    second = _close_second_wave(app, demo)
    browser.login("head.operations@demo.test", "cxdemo")
    browser.use_language("en")
    html = _results(browser, second)
    sentence = unescape(re.search(r'<p class="mb-1 cx-change">(.*?)</p>', html, re.S).group(1))
    pdf = browser.client.get(
        f"/dashboards/results/report.pdf?survey={second}&department=Operations"
    ).data
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    words = " ".join(text.split())
    assert " ".join(sentence.split()) in words
