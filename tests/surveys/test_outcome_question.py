"""The outcome question of questionnaire version 2: "how likely would you be to recommend what we
deliver", answered from 0 to 10 after the items, in the reader's language; version 1 waves stay
as they were and compare with version 2 ones."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db
from cxculture.models import Response, Survey, utcnow
from cxculture.services import surveys
from cxculture.services.surveys import questionnaires, responses
from tests.factories import (
    full_answers,
    make_instrument,
    make_outcome_instrument,
    make_survey,
    make_user,
)
from tests.surveys.test_answering import _complete_form, _count_responses, is_checked

QUESTIONS = 22  # 20 items, the outcome question and the role question


@pytest.fixture
def outcome_survey(app, employee):
    """An open survey on version 2, ``employee`` invited: (id, item ids)."""
    with app.app_context():
        survey = make_survey(instrument=make_outcome_instrument())
        return survey.id, [item.id for item in survey.instrument.items]


def test_version_2_keeps_every_item_of_version_1_and_adds_the_outcome(ctx):
    first = make_instrument()
    second = make_outcome_instrument()
    assert (first.version, second.version) == (1, 2)
    assert second.key == first.key
    assert second.based_on_id == first.id
    assert first.outcome_question is None

    def shape(instrument):
        return [(i.code, i.dimension, i.is_reverse_keyed, i.texts) for i in instrument.items]

    assert shape(second) == shape(first)
    assert set(second.outcome_question) == {"en", "pt_BR", "es"}
    assert "recommend what we deliver" in second.outcome_question["en"]


def test_the_command_loads_every_shipped_version(app):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["load-instrument"]).output
    assert "Loaded coi v1, 20 items." in output
    assert "Loaded coi v2, 20 items and the outcome question." in output
    assert output.count("Already loaded") == 0
    assert runner.invoke(args=["load-instrument"]).output.count("Already loaded") == 2


def _version_2(tmp_path, **changes):
    data = yaml.safe_load(questionnaires.SHIPPED_INSTRUMENTS[1].read_text(encoding="utf-8"))
    data.update(changes)
    base = tmp_path / "customer_orientation_index.yaml"
    base.write_text(questionnaires.SHIPPED_INSTRUMENT.read_text(encoding="utf-8"), "utf-8")
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_an_outcome_question_missing_a_language_is_refused(ctx, tmp_path):
    path = _version_2(tmp_path, outcome_question={"en": "How likely?", "pt_BR": "Qual?"})
    with pytest.raises(
        questionnaires.InstrumentError, match="outcome_question: missing text in es"
    ):
        questionnaires.load_instrument(path)


def test_items_cannot_come_from_another_questionnaire(ctx, tmp_path):
    path = _version_2(tmp_path, key="other")
    with pytest.raises(questionnaires.InstrumentError, match="another questionnaire"):
        questionnaires.load_instrument(path)


def test_the_form_asks_the_outcome_from_0_to_10_in_the_readers_language(
    app, browser, employee, outcome_survey
):
    survey_id, items = outcome_survey
    browser.login(employee.email)
    browser.use_language("es")
    html = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "recomiendes lo que entregamos" in html
    assert html.count('name="advocacy" type="radio"') == 11
    assert 'name="advocacy" type="radio" value="0"' in html
    assert 'name="advocacy" type="radio" value="10"' in html
    # Its number follows the items'; what 0 and 10 mean is read with the group.
    assert f'<span class="text-body-secondary">{len(items) + 1}.</span>' in html
    assert 'aria-describedby="advocacy-anchors"' in html
    assert "10 significa extremadamente probable" in html
    assert f'max="{QUESTIONS}" value="0"' in html


def test_leaving_the_outcome_out_comes_back_beside_it_with_every_answer_kept(
    app, browser, employee, outcome_survey
):
    survey_id, items = outcome_survey
    browser.login(employee.email)
    response = browser.post_form(f"/surveys/{survey_id}", {**_complete_form(items), "submit": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#advocacy"' in html  # the error summary leads to it
    assert 'id="advocacy-errors"' in html
    assert all(is_checked(html, f"item_{item_id}", "4") for item_id in items)
    assert _count_responses(app, survey_id) == 0


@pytest.mark.parametrize("value", ["11", "-1", "seven", "7.5"])
def test_a_value_off_the_scale_is_refused(app, browser, employee, outcome_survey, value):
    survey_id, items = outcome_survey
    browser.login(employee.email)
    data = {**_complete_form(items), "advocacy": value, "submit": "1"}
    response = browser.post_form(f"/surveys/{survey_id}", data)
    assert response.status_code == 422
    assert 'id="advocacy-errors"' in response.get_data(as_text=True)
    assert _count_responses(app, survey_id) == 0


@pytest.mark.parametrize("value", [0, 6, 10])
def test_the_answer_is_stored_with_the_response(app, browser, employee, outcome_survey, value):
    survey_id, items = outcome_survey
    browser.login(employee.email)
    data = {**_complete_form(items), "advocacy": str(value), "submit": "1"}
    response = browser.post_form(f"/surveys/{survey_id}", data)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.execute(select(Response)).scalar_one()
        assert stored.advocacy == value


def test_a_draft_keeps_the_outcome_and_counts_it(app, browser, employee, outcome_survey):
    survey_id, items = outcome_survey
    browser.login(employee.email)
    draft = {f"item_{items[0]}": "2", "advocacy": "9", "save": "1"}
    assert browser.post_form(f"/surveys/{survey_id}", draft).status_code == 302
    html = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert is_checked(html, "advocacy", "9")
    assert f'max="{QUESTIONS}" value="2"' in html


def test_a_version_1_survey_neither_asks_nor_takes_the_outcome(app, browser, employee):
    with app.app_context():
        survey = make_survey()
        survey_id, items = survey.id, [item.id for item in survey.instrument.items]
    browser.login(employee.email)
    assert 'name="advocacy"' not in browser.client.get(f"/surveys/{survey_id}").get_data(
        as_text=True
    )
    data = {**_complete_form(items), "advocacy": "9", "submit": "1"}
    assert browser.post_form(f"/surveys/{survey_id}", data).status_code == 302
    with app.app_context():
        assert db.session.execute(select(Response.advocacy)).scalar_one() is None
        # Asked directly, the service refuses an outcome the questionnaire does not ask.
        other = make_survey(name="Wave 2")
        person = make_user(department="Finance")
        answers = full_answers(other)
        answers.advocacy = 9
        invitation = _invitation(other, person)
        with pytest.raises(responses.IncompleteAnswers) as refused:
            responses.submit_response(invitation, answers, "en", utcnow(), keep_draft=False)
        assert refused.value.problems == {"advocacy": "unknown"}


def _invitation(survey: Survey, person):
    surveys.invite_newcomers(survey, make_user(is_hr_admin=True), utcnow())
    return responses.invitation_for(person, survey.id)


def test_the_database_refuses_an_outcome_off_the_scale(ctx):
    survey = make_survey(instrument=make_outcome_instrument())
    person = make_user(department="Finance")
    invitation = _invitation(survey, person)
    stored = responses.submit_response(invitation, full_answers(survey), "en", utcnow())
    assert stored.advocacy == 8
    stored.advocacy = 11
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
