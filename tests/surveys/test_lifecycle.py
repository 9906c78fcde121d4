"""The survey lifecycle: states from the dates, launch to the right audience, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Invitation, OutboxMessage, SurveyState, utcnow
from cxculture.services import audit, mail, surveys
from cxculture.services.mail import outbox
from cxculture.services.surveys import SurveySpec
from tests.factories import make_instrument, make_survey, make_user

DAY = timedelta(days=1)


def _invited(survey) -> set[str]:
    return set(
        db.session.execute(
            select(Invitation.user_id).where(Invitation.survey_id == survey.id)
        ).scalars()
    )


def test_state_follows_the_dates_without_anyone_clicking(ctx):
    survey = make_survey(opens_in=DAY, closes_in=3 * DAY)
    now = utcnow()
    assert survey.state(now) is SurveyState.SCHEDULED
    assert survey.state(now + 2 * DAY) is SurveyState.OPEN
    assert survey.state(now + 4 * DAY) is SurveyState.CLOSED


def test_a_draft_stays_a_draft_whatever_the_date(ctx):
    survey = make_survey(launch=False)
    assert survey.state(utcnow()) is SurveyState.DRAFT
    assert _invited(survey) == set()


def test_launch_invites_active_people_of_the_whole_company(ctx):
    people = [make_user(department=path) for path in ("IT", "Finance", "Operations/Logistics")]
    make_user(department="IT", is_active=False)
    nobody = make_user(department=None)
    survey = make_survey()
    expected = {person.id for person in people} | {nobody.id, survey.created_by_id}
    assert _invited(survey) == expected


def test_launch_to_departments_includes_sub_departments_only(ctx):
    inside = make_user(department="Operations/Contact Center/Night")
    head_office = make_user(department="Operations")
    make_user(department="Operations Research")  # same prefix, other tree
    make_user(department="Finance")
    survey = make_survey(departments=("Operations",))
    assert _invited(survey) == {inside.id, head_office.id}


def test_launch_records_the_department_people_were_in(ctx):
    person = make_user(department="IT")
    survey = make_survey()
    invitation = db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey.id, Invitation.user_id == person.id)
    ).scalar_one()
    assert invitation.department_id == person.department_id


def test_launch_queues_one_invitation_email_per_person_in_their_language(ctx):
    make_user(department="IT", locale="es", email="lucia@example.test")
    make_user(department="IT", locale="pt_BR", email="joao@example.test")
    survey = make_survey()
    messages = {
        m.to_email: m
        for m in db.session.execute(
            select(OutboxMessage).where(OutboxMessage.survey_id == survey.id)
        ).scalars()
    }
    assert len(messages) == len(_invited(survey))
    assert messages["lucia@example.test"].subject.startswith(("Encuesta", "Survey"))
    assert messages["lucia@example.test"].locale == "es"
    # Each holds the slot of its own personal link, made as it leaves.
    assert mail.LINK_SLOT in messages["joao@example.test"].body
    invitations = db.session.execute(
        select(Invitation.id).where(Invitation.survey_id == survey.id)
    ).scalars()
    assert {m.invitation_id for m in messages.values()} == set(invitations)


def test_launch_fails_whole_when_something_breaks_midway(ctx, monkeypatch):
    for _ in range(3):
        make_user(department="IT")
    survey = make_survey(launch=False)
    actor = make_user(is_hr_admin=True)

    def broken_render(*args, **kwargs):
        raise RuntimeError("template missing")

    # The invitations for the first language are written before the second one fails.
    calls = iter([None])
    original = outbox.render_email

    def fail_on_second(*args, **kwargs):
        if next(calls, "fail") == "fail":
            broken_render()
        return original(*args, **kwargs)

    monkeypatch.setattr(outbox, "render_email", fail_on_second)
    with pytest.raises(RuntimeError):
        surveys.launch_survey(survey, actor, utcnow())
    db.session.rollback()
    db.session.expire_all()
    assert _invited(survey) == set()
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
    assert survey.state(utcnow()) is SurveyState.DRAFT


def test_launch_refuses_an_empty_audience(ctx):
    survey = make_survey(departments=("Empty",), launch=False)
    with pytest.raises(surveys.EmptyAudience):
        surveys.launch_survey(survey, make_user(is_hr_admin=True), utcnow())


def test_launch_freezes_the_instrument(ctx):
    instrument = make_instrument()
    assert not instrument.is_frozen
    make_survey(instrument=instrument)
    assert instrument.is_frozen


def test_dates_must_close_after_opening_and_in_the_future(ctx):
    actor = make_user(is_hr_admin=True)
    now = utcnow()
    for opens, closes in ((now + DAY, now), (now - 3 * DAY, now - DAY)):
        spec = SurveySpec("Bad", make_instrument().id, "confidential", opens, closes)
        with pytest.raises(surveys.InvalidSurveyDates):
            surveys.create_survey(spec, actor, now)


def test_close_early_then_reopen_before_the_closing_date(ctx):
    survey = make_survey()
    actor = make_user(is_hr_admin=True)
    now = utcnow()
    surveys.close_survey(survey, actor, now)
    assert survey.state(now) is SurveyState.CLOSED
    surveys.reopen_survey(survey, actor, now)
    assert survey.state(now) is SurveyState.OPEN


def test_reopen_is_refused_after_the_closing_date(ctx):
    survey = make_survey(closes_in=DAY)
    actor = make_user(is_hr_admin=True)
    surveys.close_survey(survey, actor, utcnow())
    with pytest.raises(surveys.WrongState):
        surveys.reopen_survey(survey, actor, utcnow() + 2 * DAY)


def test_extend_moves_the_closing_date_and_reopens_a_survey_closed_by_date(ctx):
    survey = make_survey(closes_in=DAY)
    actor = make_user(is_hr_admin=True)
    later = utcnow() + 2 * DAY
    assert survey.state(later) is SurveyState.CLOSED
    surveys.extend_survey(survey, later + DAY, actor, later)
    assert survey.state(later) is SurveyState.OPEN
    with pytest.raises(surveys.InvalidSurveyDates):
        surveys.extend_survey(survey, later, actor, later)


@pytest.mark.parametrize("action", ["close", "remind", "newcomers"])
def test_lifecycle_actions_refuse_a_draft(ctx, action):
    survey = make_survey(launch=False)
    actor = make_user(is_hr_admin=True)
    service = {
        "close": surveys.close_survey,
        "remind": surveys.send_reminders,
        "newcomers": surveys.invite_newcomers,
    }[action]
    with pytest.raises(surveys.WrongState):
        service(survey, actor, utcnow())


def test_launching_twice_is_refused(ctx):
    survey = make_survey()
    with pytest.raises(surveys.WrongState):
        surveys.launch_survey(survey, make_user(is_hr_admin=True), utcnow())


def test_people_who_join_later_can_be_invited_once(ctx):
    survey = make_survey()
    before = _invited(survey)
    newcomer = make_user(department="IT")
    actor = make_user(is_hr_admin=True, department=None)
    invited = surveys.invite_newcomers(survey, actor, utcnow())
    assert invited == 2  # the newcomer and the HR admin just created
    assert _invited(survey) == before | {newcomer.id, actor.id}
    assert surveys.invite_newcomers(survey, actor, utcnow()) == 0


def test_every_change_is_in_the_audit_trail(ctx):
    survey = make_survey()
    actor = make_user(is_hr_admin=True, name="Ana Auditor")
    surveys.close_survey(survey, actor, utcnow())
    actions = [event.action for event in audit.events_for("survey", survey.id)]
    assert actions == ["survey.closed", "survey.launched", "survey.created"]
    assert audit.events_for("survey", survey.id)[0].actor.name == "Ana Auditor"
