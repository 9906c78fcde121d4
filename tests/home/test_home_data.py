"""What each role's home is built from: released results and guarded counts only, training as the
Team training page counts it, and the reader's own to-do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import (
    Enrolment,
    Invitation,
    OutboxMessage,
    PrivacyMode,
    RosterImport,
    Survey,
    User,
    utcnow,
)
from cxculture.services import training
from cxculture.services.org import ensure_department
from cxculture.services.results import homes
from cxculture.services.surveys import responses
from cxculture.services.training import assignments
from tests.factories import full_answers, make_survey, make_user

LOCALE = "en"


def _answer(survey: Survey, path: str, count: int, value: int = 4) -> None:
    """``count`` people of ``path`` who have not answered yet answer ``survey``."""
    waiting = db.session.execute(
        select(Invitation)
        .where(
            Invitation.survey_id == survey.id,
            Invitation.department_path == path,
            Invitation.submitted_at.is_(None),
        )
        .order_by(Invitation.id)
        .limit(count)
    ).scalars()
    for invitation in list(waiting):
        responses.submit_response(invitation, full_answers(survey, value), "en", utcnow())


def _people(path: str, count: int) -> list[User]:
    return [make_user(department=path) for _ in range(count)]


def _close(survey: Survey) -> None:
    survey.closed_at = utcnow()
    db.session.commit()


@pytest.fixture
def company(ctx):
    """Operations with a large Contact Center (12) and a small Back Office (3), Finance (8);
    a head of Operations, an HR admin in People (invited: whole-company surveys reach them)."""
    _people("Operations/Contact Center", 12)
    _people("Operations/Back Office", 3)
    _people("Finance", 8)
    head = make_user(name="Hugo Head", department="Operations", heads=("Operations",))
    hr = make_user(name="Helga HR", department="People", is_hr_admin=True)
    return {"head": head, "hr": hr}


# Results


def test_a_small_departments_numbers_are_not_shown_to_its_head(company):
    survey = make_survey(actor=company["hr"])
    for path, count in (("Operations/Contact Center", 12), ("Operations/Back Office", 3)):
        _answer(survey, path, count)
    _answer(survey, "Finance", 8, value=2)
    _close(survey)
    home = homes.head_home(company["head"], utcnow(), LOCALE)
    groups = {row.group.key: row for row in home.latest.departments}
    small = groups["Operations/Back Office"]
    assert small.group.is_suppressed
    assert small.group.index is None
    assert small.group.n is None
    assert small.focus is None  # no "where to act" drawn from hidden figures
    shown = [row.group for row in groups.values() if not row.group.is_suppressed]
    assert shown
    assert all(group.n >= 5 for group in shown)


def test_hr_lowest_and_highest_list_only_departments_the_release_shows(company):
    survey = make_survey(actor=company["hr"])
    _answer(survey, "Operations/Contact Center", 12, value=5)
    _answer(survey, "Operations/Back Office", 3, value=1)
    _answer(survey, "Finance", 8, value=2)
    _close(survey)
    latest = homes.hr_home(company["hr"], utcnow(), LOCALE).latest
    listed = {group.key for group in latest.lowest + latest.highest}
    assert "Operations/Back Office" not in listed
    assert all(not group.is_suppressed for group in latest.lowest + latest.highest)
    assert latest.hidden >= 1


def test_a_phased_survey_that_is_open_shows_its_guarded_rate_and_no_results(company):
    closed = make_survey(name="Wave 1", actor=company["hr"], opens_in=timedelta(days=-40))
    _answer(closed, "Operations/Contact Center", 12)
    _close(closed)
    running = make_survey(name="Wave 2", actor=company["hr"])
    _answer(running, "Operations/Contact Center", 10)
    now = utcnow()
    hr = homes.hr_home(company["hr"], now, LOCALE)
    assert hr.latest.survey.id == closed.id  # the open wave releases nothing before it closes
    (row,) = hr.running
    assert row.survey.id == running.id
    assert (row.rates.invited, row.rates.answered) == (25, 10)
    head = homes.head_home(company["head"], now, LOCALE)
    assert head.latest.survey.id == closed.id
    (shown,) = head.running
    assert [(r.key, r.answered) for r in shown.rates] == [("Operations", 10)]


def test_a_live_survey_is_the_latest_results_once_it_has_released_some(app, company):
    app.config["CX_LIVE_RESULTS_HOURS"] = 0
    closed = make_survey(name="Wave 1", actor=company["hr"], opens_in=timedelta(days=-40))
    _answer(closed, "Finance", 8)
    _close(closed)
    live = make_survey(name="Live wave", actor=company["hr"], live_results=True)
    _answer(live, "Operations/Contact Center", 12)
    latest = homes.hr_home(company["hr"], utcnow(), LOCALE).latest
    assert latest.survey.id == live.id
    assert latest.release.is_open


def test_a_running_survey_with_few_invited_shows_no_rate(ctx):
    hr = make_user(department="People", is_hr_admin=True)
    _people("Finance", 3)
    survey = make_survey(actor=hr, departments=("Finance",))
    _answer(survey, "Finance", 2)
    (row,) = homes.hr_home(hr, utcnow(), LOCALE).running
    assert row.rates.is_hidden
    assert row.rates.answered is None
    assert row.lagging == []


def test_reading_a_heads_home_twice_does_not_tell_who_answered(ctx):
    hr = make_user(department="People", is_hr_admin=True)
    _people("Finance/Payables", 3)
    _people("Finance/Treasury", 6)
    head = make_user(department="Finance", heads=("Finance/Payables",))
    survey = make_survey(actor=hr, departments=("Finance",))
    before = homes.head_home(head, utcnow(), LOCALE).running
    _answer(survey, "Finance/Payables", 1)
    after = homes.head_home(head, utcnow(), LOCALE).running
    assert [r.rates for r in before] == [r.rates for r in after]
    assert all(rate.is_hidden for rate in after[0].rates)


# Training


@pytest.fixture
def assigned(company):
    """Who-is-my-customer assigned to Finance, due a week ago; one person took another module
    on their own, one had done the assigned one on their own before it was assigned."""
    training.load_modules()
    module = training.get_module("who-is-my-customer")
    finance = ensure_department("Finance")
    people = db.session.execute(
        select(User).where(User.department_id == finance.id).order_by(User.id)
    ).scalars()
    people = list(people)
    early, on_their_own = people[0], people[1]
    own = training.enrol_self(early, module)
    own.completed_at = utcnow() - timedelta(days=30)
    other = training.enrol_self(on_their_own, training.get_module("right-first-time"))
    other.due_on = utcnow().date() - timedelta(days=3)  # never counted: their own
    db.session.commit()
    today = utcnow().date()
    assignments.assign_to_department(
        company["hr"], module, finance, today, None, today - timedelta(days=7)
    )
    for enrolment in db.session.execute(select(Enrolment).where(Enrolment.module_id == module.id)):
        enrolment[0].due_on = today - timedelta(days=7)
    db.session.commit()
    return {"module": module, "early": early, "own": on_their_own}


def test_overdue_counts_only_assigned_modules_as_the_team_training_page_does(company, assigned):
    today = utcnow().date()
    home = homes.hr_home(company["hr"], utcnow(), LOCALE)
    page_rows = assignments.completion(company["hr"])
    assert home.training.modules == assignments.completion_by_module(page_rows, today)
    assert home.training.overdue == [row for row in page_rows if row.is_overdue(today)]
    overdue_modules = {row.module_id for row in home.training.overdue}
    assert overdue_modules == {assigned["module"].id}  # the module taken on one's own: never
    assert len(home.training.overdue) == 8
    assert [a.count for a in home.attention if a.kind == "training_overdue"] == [8]


def test_a_module_done_before_it_was_assigned_counts_once_the_person_counts_it(company, assigned):
    early = assigned["early"]
    enrolment = training.enrolment_of(early, assigned["module"])
    names = {row.person for row in homes.hr_home(company["hr"], utcnow(), LOCALE).training.overdue}
    assert early.name in names  # shown as the Team training page shows it: not done yet
    assert training.count_for_team(enrolment, utcnow())
    names = {row.person for row in homes.hr_home(company["hr"], utcnow(), LOCALE).training.overdue}
    assert early.name not in names


def test_a_head_sees_overdue_people_of_their_departments_only(company, assigned):
    training.load_modules()
    today = utcnow().date()
    module = training.get_module("right-first-time")
    contact = ensure_department("Operations/Contact Center")
    assignments.assign_to_department(company["head"], module, contact, today, None, today)
    late = db.session.execute(
        select(Enrolment).where(Enrolment.module_id == module.id, Enrolment.source != "self")
    ).scalars()
    for enrolment in late:
        enrolment.due_on = today - timedelta(days=1)
    db.session.commit()
    home = homes.head_home(company["head"], utcnow(), LOCALE)
    assert {row.department for row in home.training.overdue} == {"Operations/Contact Center"}
    assert len(home.training.overdue) == 12
    assert [m.module_id for m in home.training.open_modules] == [module.id]


# The roster


def test_roster_problems_name_what_keeps_people_out_of_results(company):
    loner = make_user(name="Lena Loner", department=None)
    ensure_department("Sales")
    make_user(department="Sales")
    db.session.add(
        RosterImport(filename="export.csv", content=b"x", sha256="0" * 64, uploaded_by_id=None)
    )
    db.session.add_all(
        [
            OutboxMessage(
                kind="invitation",
                to_email="gone@example.test",
                locale="en",
                subject="s",
                body="b",
                attempts=1,
                last_error="SMTPRecipientsRefused",
            ),
            OutboxMessage(
                kind="reminder",
                to_email="secret@example.test",
                locale="en",
                subject="s",
                body="b",
                attempts=1,
                last_error="SMTPRecipientsRefused",
                is_recipient_hidden=True,
            ),
        ]
    )
    db.session.commit()
    roster = homes.hr_home(company["hr"], utcnow(), LOCALE).roster
    assert [person.name for person in roster.listed_without_department] == [loner.name]
    # Sales and People have nobody heading them; Operations' teams have Operations' head.
    assert {row.path for row in roster.headless} == {"Finance", "People", "Sales"}
    assert roster.pending is not None
    assert roster.pending.filename == "export.csv"
    # A reminder is neither named nor counted: their number would count who has not answered.
    assert roster.failed_emails == 1
    assert roster.failed_addresses == ["gone@example.test"]


def test_an_applied_roster_is_no_problem(company):
    db.session.add(
        RosterImport(
            filename="export.csv",
            content=b"x",
            sha256="0" * 64,
            applied_at=utcnow(),
            summary={"created": 3, "updated": 1, "deactivated": 0},
        )
    )
    db.session.commit()
    roster = homes.hr_home(company["hr"], utcnow(), LOCALE).roster
    assert roster.pending is None
    assert roster.last_applied.summary["created"] == 3


# What needs HR first


def test_a_survey_closing_soon_with_few_answers_comes_first(company, assigned):
    survey = make_survey(actor=company["hr"], closes_in=timedelta(days=1))
    _answer(survey, "Operations/Contact Center", 3)
    kinds = [item.kind for item in homes.hr_home(company["hr"], utcnow(), LOCALE).attention]
    assert kinds[0] == "survey_closing"
    assert kinds.index("training_overdue") < kinds.index("headless")


def test_with_nothing_planned_hr_is_asked_to_plan_the_next_wave(company):
    kinds = [item.kind for item in homes.hr_home(company["hr"], utcnow(), LOCALE).attention]
    assert kinds[-1] == "nothing_planned"


# The employee


def test_an_employees_to_do_has_their_open_surveys_and_modules_due_most_urgent_first(company):
    training.load_modules()
    person = make_user(department="Operations/Contact Center")
    survey = make_survey(actor=company["hr"], closes_in=timedelta(days=10))
    answered = make_survey(name="Answered", actor=company["hr"])
    invitation = responses.invitation_for(person, answered.id)
    responses.submit_response(invitation, full_answers(answered), "en", utcnow())
    today = utcnow().date()
    late = training.get_module("who-is-my-customer")
    soon = training.get_module("right-first-time")
    contact = ensure_department("Operations/Contact Center")
    for module, due in ((late, today + timedelta(days=2)), (soon, today + timedelta(days=20))):
        assignments.assign_to_department(company["hr"], module, contact, due, None, today)
    enrolment = training.enrolment_of(person, late)
    enrolment.due_on = today - timedelta(days=1)
    own = training.enrol_self(person, training.get_module("permission-to-fix-it"))
    db.session.commit()
    home = homes.employee_home(person, utcnow())
    order = [
        item.survey.survey.id if item.survey else item.enrolment.module.slug for item in home.todo
    ]
    assert order == [late.slug, survey.id, soon.slug, own.module.slug]
    assert home.todo[0].is_overdue
    assert not home.todo[1].is_overdue
    assert answered.id not in order


def test_an_employees_profile_names_the_head_who_reads_their_results(company):
    person = make_user(department="Operations/Contact Center")
    home = homes.employee_home(person, utcnow())
    assert [head.name for head in home.heads] == ["Hugo Head"]
    assert home.heads_of.path == "Operations"
    # A head is never their own head: they see the one above, or nobody.
    assert homes.employee_home(company["head"], utcnow()).heads == []


def test_the_profile_link_is_the_newest_confidential_survey_the_person_answered(company):
    person = make_user(department="Operations/Contact Center")
    first = make_survey(name="First", actor=company["hr"], opens_in=timedelta(days=-30))
    second = make_survey(name="Anonymous", actor=company["hr"], privacy_mode=PrivacyMode.ANONYMOUS)
    for survey in (first, second):
        invitation = responses.invitation_for(person, survey.id)
        responses.submit_response(invitation, full_answers(survey), "en", utcnow())
    assert homes.employee_home(person, utcnow()).profile_survey.id == first.id
    nobody = make_user(department="Finance")
    assert homes.employee_home(nobody, utcnow()).profile_survey is None
