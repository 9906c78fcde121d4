"""A frozen questionnaire's outline and answer form are built once per process, and nothing
kept can ever show a stale or wrongly translated form: an editable questionnaire is read
afresh every time, and each language gets its own labels."""

from __future__ import annotations

import html as html_text
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import event

from cxculture.extensions import db
from cxculture.models import Response, Survey, User
from cxculture.services import surveys
from cxculture.services.surveys import outline, questionnaires
from cxculture.surveys import forms
from tests.conftest import Person, csrf_token, make_person
from tests.factories import make_instrument, make_survey


@pytest.fixture
def colleague(app) -> Person:
    return make_person(app, email="colleague@example.test", name="Carl Colleague")


@pytest.fixture
def survey(app, employee, colleague):
    """An open survey ``employee`` and ``colleague`` are invited to (its questionnaire frozen
    by the launch): (id, item ids in the order of the form)."""
    with app.app_context():
        made = make_survey()
        assert made.instrument.is_frozen
        return made.id, [item.id for item in made.instrument.items]


@pytest.fixture
def builds(monkeypatch) -> dict[str, list]:
    """Every outline and answer form class built from now on, by kind."""
    built: dict[str, list] = {"outline": [], "form": []}
    build_outline, build_form = outline.build_outline, forms.build_answer_form_class

    def counted_outline(instrument):
        built["outline"].append(instrument.id)
        return build_outline(instrument)

    def counted_form(shape, locale):
        built["form"].append((shape.instrument_id, locale))
        return build_form(shape, locale)

    monkeypatch.setattr(outline, "build_outline", counted_outline)
    monkeypatch.setattr(forms, "build_answer_form_class", counted_form)
    return built


def legends(html: str) -> list[str]:
    """The question texts of an answer page, in order."""
    found = re.findall(r'<legend class="h6"><span[^>]*>\d+\.</span> ([^<]*)</legend>', html)
    return [html_text.unescape(text) for text in found]


def answer_labels(html: str) -> list[str]:
    """The five answers' labels of the first question."""
    first = re.search(r'<div class="likert-options">(.*?)</div>\s*</fieldset>', html, re.S)
    assert first, "no answers on the page"
    found = re.findall(r'<label class="form-check-label"[^>]*>([^<]*)</label>', first.group(1))
    return [html_text.unescape(text) for text in found]


def complete(items: list[int]) -> dict[str, str]:
    form = {f"item_{item}": "4" for item in items}
    form.update(role_statement="I answer our customers' calls.", submit="1")
    return form


def test_a_frozen_questionnaires_form_is_built_once_for_every_reader(
    app, browser, employee, colleague, survey, builds
):
    survey_id, items = survey
    browser.login(employee.email)
    browser.client.get(f"/surveys/{survey_id}")
    browser.post_form(f"/surveys/{survey_id}", {"item_1": "9", "save": "1"})  # sent back
    assert browser.post_form(f"/surveys/{survey_id}", complete(items)).status_code == 302
    browser.logout()
    browser.login(colleague.email)
    browser.client.get(f"/surveys/{survey_id}")

    assert builds["outline"] == [builds["outline"][0]]  # one questionnaire, read once
    assert len(builds["form"]) == 1  # one language, one class; every page filled its own form
    with app.app_context():
        assert db.session.query(Response).count() == 1


def test_each_language_gets_its_own_labels(app, browser, employee, survey, builds):
    survey_id, items = survey
    with app.app_context():
        questions = db.session.get_one(Survey, survey_id).instrument.items
        texts = [question.texts for question in questions[:2]]
    browser.login(employee.email)
    english = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    browser.use_language("pt_BR")
    portuguese = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    browser.use_language("en")
    english_again = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)

    assert legends(english)[:2] == [text["en"] for text in texts]
    assert legends(portuguese)[:2] == [text["pt_BR"] for text in texts]
    assert legends(english_again) == legends(english)
    # The answers' labels are read in the reader's language whenever the page is drawn.
    with app.test_request_context(), force_locale("pt_BR"):
        agree = gettext("Strongly agree")
    assert agree != "Strongly agree"
    assert answer_labels(portuguese)[-1] == agree
    assert answer_labels(english_again)[-1] == "Strongly agree"
    assert sorted(locale for _id, locale in builds["form"]) == ["en", "pt_BR"]


def test_an_edit_to_an_editable_questionnaire_shows_at_once(app, builds):
    with app.app_context(), app.test_request_context():
        instrument = make_instrument()
        assert not instrument.is_frozen
        first = instrument.items[0]
        before = forms.answer_form(instrument, "en")
        assert before[f"item_{first.id}"].label.text == first.texts["en"]

        texts = {**first.texts, "en": "We call customers back when we said we would."}
        questionnaires.update_item(first, first.dimension, first.is_reverse_keyed, texts, None)
        after = forms.answer_form(instrument, "en")
        assert after[f"item_{first.id}"].label.text == texts["en"]

        new = {"en": "A new one.", "pt_BR": "Uma nova.", "es": "Una nueva."}
        added = questionnaires.add_item(instrument, "listen", False, new, None)
        grown = forms.answer_form(instrument, "en")
        assert grown.item_fields[-1] == f"item_{added.id}"
        assert outline.outline_of(instrument).items[-1].texts["en"] == "A new one."
    assert len(builds["form"]) == 3  # nothing of an editable questionnaire is kept
    assert len(builds["outline"]) == 4


def test_launching_freezes_the_questionnaire_and_from_then_on_its_form_is_kept(app, builds):
    with app.app_context(), app.test_request_context():
        survey = make_survey(launch=False)
        instrument = survey.instrument
        forms.answer_form(instrument, "en")
        forms.answer_form(instrument, "en")
        assert len(builds["form"]) == 2  # still editable: built each time

        actor = db.session.get_one(User, survey.created_by_id)
        surveys.launch_survey(survey, actor, survey.opens_at)
        assert instrument.is_frozen
        forms.answer_form(instrument, "en")
        forms.answer_form(instrument, "en")
        assert len(builds["form"]) == 3


def test_a_submission_reads_no_item_and_the_invitation_once(app, browser, employee, survey):
    survey_id, items = survey
    browser.login(employee.email)
    browser.client.get(f"/surveys/{survey_id}")  # the questionnaire's outline is read here
    statements: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(" ".join(statement.split()).lower())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        token_page = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
        statements.clear()
        sent = browser.client.post(
            f"/surveys/{survey_id}", data={**complete(items), "csrf_token": csrf_token(token_page)}
        )
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert sent.status_code == 302
    reads = [statement for statement in statements if statement.startswith("select")]
    assert not [statement for statement in statements if "instrument_items" in statement]
    assert len([read for read in reads if "from invitations" in read]) == 1
    assert len(reads) == 2  # the signed-in person, and the invitation with all it needs


@pytest.mark.parametrize("token", [None, "garbage"])
def test_a_submission_without_its_token_is_refused_and_stores_nothing(
    app, browser, employee, survey, token
):
    survey_id, items = survey
    browser.login(employee.email)
    data = complete(items) if token is None else {**complete(items), "csrf_token": token}
    assert browser.client.post(f"/surveys/{survey_id}", data=data).status_code == 400
    with app.app_context():
        assert db.session.query(Response).count() == 0
