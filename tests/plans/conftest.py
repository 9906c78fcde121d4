"""What the focus plan tests share: a company with a closed wave, and plans made in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Department, Survey, User, utcnow
from cxculture.services import plans
from cxculture.services.org import ensure_department
from cxculture.services.surveys import responses
from tests.factories import closed_release, full_answers, make_survey, make_user

TEAM = "Operations/Contact Center"


def answered_wave(name: str, value: int, opens_in: timedelta, close: bool = True):
    """A wave of the Contact Center's five people, all answering ``value``."""
    survey = make_survey(name=name, departments=(TEAM,), opens_in=opens_in)
    people = db.session.execute(
        select(responses.Invitation).where(responses.Invitation.survey_id == survey.id)
    ).scalars()
    for invitation in people:
        responses.submit_response(invitation, full_answers(survey, value), "en", utcnow())
    if close:
        closed_release(survey)
    return survey


@pytest.fixture
def world(app, head, hr_admin, employee):
    """The head of Operations, HR, Eva and four colleagues in the Contact Center (answered a
    closed wave), a head of Commercial and a person in Commercial/Sales."""
    with app.app_context():
        for _ in range(4):
            make_user(department=TEAM)
        other = make_user(
            email="other@example.test", department="Commercial", heads=("Commercial",)
        )
        seller = make_user(email="seller@example.test", department="Commercial/Sales")
        wave = answered_wave("Wave 1", 2, timedelta(days=-10))
        return {
            "wave": wave.id,
            "team": ensure_department(TEAM).id,
            "sales": ensure_department("Commercial/Sales").id,
            "other_head": other.email,
            "seller": seller.email,
        }


def user_by_email(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def make_plan(app, actor_email: str, department_id: int, survey_id: int, dims=("listen",)) -> int:
    with app.app_context():
        plan = plans.create_plan(
            user_by_email(actor_email),
            db.session.get(Department, department_id),
            db.session.get(Survey, survey_id),
            list(dims),
            utcnow(),
        )
        return plan.id
