"""A submission posted as the answer page sends it is read without binding the form; that
reading must never accept what the form would refuse, nor read anything differently."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from cxculture.extensions import db
from cxculture.models import Survey
from cxculture.models.surveys import TEXT_LIMIT
from cxculture.services.surveys.outline import outline_of
from cxculture.services.surveys.responses import AnswerSet
from cxculture.surveys.forms import answers_as_sent, posted_answer_form
from tests.factories import make_outcome_instrument, make_survey

STATEMENT = "I answer the phone so our customers get help quickly."


@pytest.fixture
def questionnaire(app):
    """(survey id, the names of its item fields) of a launched survey with the 0-10 question."""
    with app.app_context():
        survey = make_survey(instrument=make_outcome_instrument())
        assert outline_of(survey.instrument).outcome_question is not None
        return survey.id, [f"item_{item.id}" for item in survey.instrument.items]


def read_both(app, survey_id: int, pairs: list[tuple[str, str]]):
    """(what the quick reading gives, the bound form, whether the form is valid)."""
    formdata = MultiDict(pairs)
    with app.test_request_context(method="POST", data=formdata):
        instrument = db.session.get_one(Survey, survey_id).instrument
        quick = answers_as_sent(formdata, outline_of(instrument))
        form, is_valid = posted_answer_form(instrument, "en", formdata)
        return quick, form.answers(), is_valid, bool(form.submit.data)


def as_sent(items: list[str], **changes: str) -> list[tuple[str, str]]:
    sent = {"csrf_token": "token", **{name: "4" for name in items}, "advocacy": "9"}
    sent.update(role_statement=STATEMENT, comment="", submit="Submit my answers")
    sent.update(changes)
    return list(sent.items())


def test_a_complete_submission_as_the_page_sends_it_is_read_as_the_form_reads_it(
    app, questionnaire
):
    survey_id, items = questionnaire
    quick, answers, is_valid, pressed = read_both(app, survey_id, as_sent(items))
    assert is_valid
    assert pressed
    assert quick == answers
    assert quick.values
    assert set(quick.values.values()) == {4}
    assert (quick.advocacy, quick.role_statement) == (9, STATEMENT)


def test_an_unanswered_question_is_left_to_the_service_to_refuse(app, questionnaire):
    survey_id, items = questionnaire
    sent = [pair for pair in as_sent(items) if pair[0] != items[0]]
    quick, answers, _is_valid, _pressed = read_both(app, survey_id, sent)
    assert quick == answers
    assert int(items[0].removeprefix("item_")) not in quick.values


@pytest.mark.parametrize(
    "changes",
    [
        {"submit": ""},  # the button not pressed, as WTForms reads it
        {"submit": "false"},
        {"save": "Save and finish later", "submit": ""},
        {"advocacy": "11"},
        {"advocacy": "07"},
        {"role_statement": "x" * (TEXT_LIMIT + 1)},
        {"comment": "a\x00b"},
        {"role_statement": "bell\x07"},
        {"item_999999": "3"},  # an item of no questionnaire here
        {"extra": "1"},  # a field the page does not have
    ],
)
def test_anything_the_page_would_not_send_goes_through_the_form(app, questionnaire, changes):
    survey_id, items = questionnaire
    quick, _answers, _is_valid, _pressed = read_both(app, survey_id, as_sent(items, **changes))
    assert quick is None


@pytest.mark.parametrize("value", ["0", "6", " 3", "03", "+3", "3.0", "three", "", "\x003"])
def test_a_choice_not_offered_goes_through_the_form(app, questionnaire, value):
    survey_id, items = questionnaire
    sent = as_sent(items, **{items[3]: value})
    quick, _answers, _is_valid, _pressed = read_both(app, survey_id, sent)
    assert quick is None


def test_a_field_sent_twice_goes_through_the_form(app, questionnaire):
    survey_id, items = questionnaire
    sent = [*as_sent(items), (items[0], "4")]
    assert read_both(app, survey_id, sent)[0] is None


NAMES = st.sampled_from(
    ["csrf_token", "submit", "save", "advocacy", "role_statement", "comment", "item", "item_0"]
)
VALUES = st.one_of(
    st.sampled_from(["1", "3", "5", "0", "10", "11", "-1", "03", " 4", "", "false", "y"]),
    st.text(max_size=12),
    st.just("z" * (TEXT_LIMIT + 1)),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drops=st.sets(st.integers(min_value=0, max_value=30), max_size=5),
    changes=st.lists(st.tuples(NAMES, st.integers(0, 30), VALUES), max_size=6),
)
@example(drops=set(), changes=[])
def test_whatever_is_posted_the_quick_reading_accepts_only_what_the_form_accepts_and_reads_it_alike(
    app, questionnaire, drops, changes
):
    survey_id, items = questionnaire
    sent = [pair for index, pair in enumerate(as_sent(items)) if index not in drops]
    for name, index, value in changes:
        # "item" is one of the questionnaire's items; "item_0" is an item it does not have.
        field = items[index % len(items)] if name == "item" else name
        if index % 2:  # replace rather than add: the field sent once, with another value
            sent = [pair for pair in sent if pair[0] != field]
        sent.append((field, value))
    quick, answers, is_valid, pressed = read_both(app, survey_id, sent)
    if quick is not None:
        assert is_valid
        assert pressed
        assert isinstance(quick, AnswerSet)
        assert quick == answers
