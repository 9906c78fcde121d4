"""HR's automatic rules: at close, low-scoring departments that are large enough get a module."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Enrolment, Invitation, User, utcnow
from cxculture.services import surveys, training
from cxculture.services.surveys import responses
from cxculture.services.training import assignments
from tests.factories import full_answers, make_survey, make_user


def _people(path: str, count: int) -> None:
    for _ in range(count):
        make_user(department=path)


def _answer(survey, path: str, value: int) -> None:
    for invitation in (
        db.session.execute(
            select(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.survey_id == survey.id, Invitation.submitted_at.is_(None))
        )
        .scalars()
        .all()
    ):
        if invitation.user.department and invitation.user.department.path == path:
            responses.submit_response(invitation, full_answers(survey, value), "en", utcnow())


def _enrolled_in(path: str) -> int:
    return db.session.execute(
        select(func.count(Enrolment.id))
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.source == "rule", User.department.has(path=path))
    ).scalar_one()


@pytest.fixture
def survey_with_rule(ctx):
    training.load_modules()
    _people("Finance", 7)
    _people("Sales", 6)  # the smallest sibling: hidden too, so Legal cannot be subtracted
    _people("Legal", 2)  # too small to be shown: never targeted
    hr = make_user(is_hr_admin=True, department=None)
    survey = make_survey(actor=hr)
    _answer(survey, "Finance", 1)
    _answer(survey, "Sales", 5)
    _answer(survey, "Legal", 1)
    module = training.get_module("who-is-my-customer")
    assignments.create_rule(hr, survey, "line_of_sight", 60, module, 14)
    return survey, hr


def test_the_rule_fires_at_close_for_low_departments_that_meet_the_minimum(survey_with_rule):
    survey, hr = survey_with_rule
    surveys.close_survey(survey, hr, utcnow())
    assert _enrolled_in("Finance") == 7
    assert _enrolled_in("Sales") == 0  # scored high
    assert _enrolled_in("Legal") == 0  # below the minimum size: never singled out
    due = db.session.execute(select(Enrolment.due_on).where(Enrolment.source == "rule")).scalar()
    assert (due - utcnow().date()).days == 14


def test_closing_reopening_and_closing_again_assigns_nothing_twice(survey_with_rule):
    survey, hr = survey_with_rule
    surveys.close_survey(survey, hr, utcnow())
    first = db.session.execute(select(func.count(Enrolment.id))).scalar_one()
    surveys.reopen_survey(survey, hr, utcnow())
    surveys.close_survey(survey, hr, utcnow())
    assert assignments.apply_closed_surveys(utcnow()) == 0
    assert db.session.execute(select(func.count(Enrolment.id))).scalar_one() == first


def test_an_open_survey_applies_no_rule(survey_with_rule):
    survey, _hr = survey_with_rule
    assert assignments.apply_rules(survey, utcnow()) == 0


def test_a_rule_out_of_range_is_refused(survey_with_rule):
    survey, hr = survey_with_rule
    module = training.get_module("who-is-my-customer")
    with pytest.raises(assignments.RuleError):
        assignments.create_rule(hr, survey, "line_of_sight", 0, module, 14)
    with pytest.raises(assignments.RuleError):
        assignments.create_rule(hr, survey, "happiness", 50, module, 14)


def test_hr_adds_a_rule_on_the_survey_page(app, browser, hr_admin):
    with app.app_context():
        training.load_modules()
        survey_id = make_survey().id
        module_id = training.get_module("right-first-time").id
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{survey_id}"
    bad = browser.post_form(
        path,
        {"dimension": "act", "threshold": "150", "module_id": str(module_id), "due_days": "30"},
        action=f"{path}/rules",
    )
    assert bad.status_code == 422
    good = browser.post_form(
        path,
        {"dimension": "act", "threshold": "55", "module_id": str(module_id), "due_days": "30"},
        action=f"{path}/rules",
        follow_redirects=True,
    )
    html = good.get_data(as_text=True)
    assert "Rule added" in html
    assert "below 55" in html
