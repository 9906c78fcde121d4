"""A small company with something of everything, for the robustness tests, and the checks that
tell a complete change from a partial one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import String, Text, func, select

from cxculture.extensions import db
from cxculture.models import (
    Answer,
    AuditEvent,
    Department,
    Instrument,
    Invitation,
    PrivacyMode,
    Response,
    RosterImport,
    Survey,
    User,
    utcnow,
)
from cxculture.paths import PATH_SEPARATOR
from cxculture.services import accounts, plans, training
from cxculture.services.accounts import tokens
from cxculture.services.org import roster
from cxculture.services.surveys import questionnaires, responses
from tests import factories
from tests.conftest import Person

# A department tree as deep as the path column (1,000 characters) allows, nearly: renaming,
# moving or merging near it is where paths outgrow their column.
DEEP_TOP = "Deep"
DEEP_NAMES = ["L" * 120] * 8 + ["Leaf" * 5]
QUIZ_YAML = """pass_mark: 0.5
questions:
  - question: "Who is my customer?"
    options: ["Whoever my work serves", "Nobody"]
    answer: 0
  - question: "Does the back office serve customers?"
    options: ["Yes, through others", "No"]
    answer: 0
  - question: "Who fixes a customer's problem?"
    options: ["Whoever meets it", "Another department"]
    answer: 0
"""
ROSTER_CSV = (
    b"employee number,name,email,department\r\n"
    b"9001,Nina Newcomer,nina@example.test,Operations/Contact Center\r\n"
)


@dataclass(frozen=True)
class World:
    """Who and what the robustness tests act on (ids, usable outside an application context)."""

    hr_admin: Person
    head: Person
    employee: Person
    colleague_id: int  # a person HR edits (never the HR admin who is logged in)
    colleague_email: str
    contact_center_id: int
    finance_id: int  # an empty department: archive it, merge it
    deep_top_id: int
    deep_leaf_id: int
    instrument_id: int  # the shipped questionnaire, frozen by the launches
    editable_instrument_id: int
    editable_item_id: int
    draft_survey_id: int
    open_survey_id: int
    open_item_ids: tuple[int, ...]
    closed_survey_id: int
    module_slug: str
    module_id: int
    roster_import_id: int
    set_password_token: str
    api_token_id: int
    plan_id: int = 0  # a focus plan of the Contact Center, with one action
    plan_action_id: int = 0

    def ids(self) -> list[int]:
        """Every id a form could name, for select fields that take ids."""
        return sorted(
            {
                self.hr_admin.id,
                self.head.id,
                self.employee.id,
                self.colleague_id,
                self.contact_center_id,
                self.finance_id,
                self.deep_top_id,
                self.deep_leaf_id,
                self.instrument_id,
                self.editable_instrument_id,
                self.editable_item_id,
                self.draft_survey_id,
                self.open_survey_id,
                self.closed_survey_id,
                self.module_id,
            }
        )


def _person(user: User) -> Person:
    return Person(user.id, user.email, user.name)


def build_world(app: Flask) -> World:
    """Departments (one near the deepest path allowed), HR, a head, employees, a questionnaire and
    an editable copy, surveys in draft, open and closed (with answers), a training module the
    employee takes, a previewed roster file and a set-password link."""
    with app.app_context():
        hr_admin = factories.make_user(
            email="hr@example.test", name="Helga HR", department="People", is_hr_admin=True
        )
        head = factories.make_user(
            email="head@example.test",
            name="Hugo Head",
            department="Operations",
            heads=("Operations",),
        )
        employee = factories.make_user(email="employee@example.test", name="Eva Employee")
        colleagues = [factories.make_user() for _ in range(5)]
        finance = factories.make_department("Finance")
        deep_path = PATH_SEPARATOR.join([DEEP_TOP, *DEEP_NAMES])
        deep_leaf = factories.make_department(deep_path)
        deep_top = db.session.execute(
            select(Department).where(Department.path == DEEP_TOP)
        ).scalar_one()
        newcomer = factories.make_user(email="newcomer@example.test", password=None)

        instrument = factories.make_instrument()
        audience = ("Operations",)
        now = utcnow()
        closed = factories.make_survey(name="Closed wave", departments=audience, actor=hr_admin)
        for person in [employee, *colleagues]:
            invitation = responses.invitation_for(person, closed.id)
            answers = factories.full_answers(closed, value=3)
            responses.submit_response(invitation, answers, "en", now)
        closed.closed_at = utcnow()
        db.session.commit()
        open_survey = factories.make_survey(
            name="Open wave",
            departments=audience,
            privacy_mode=PrivacyMode.ANONYMOUS,
            actor=hr_admin,
        )
        draft = factories.make_survey(name="Draft wave", launch=False, actor=hr_admin)
        editable = questionnaires.copy_instrument(instrument, hr_admin)

        module = training.create_module(
            hr_admin, "who-is-my-customer", ["line_of_sight"], 4, "free"
        )
        training.save_text(
            hr_admin, module, "en", "Who is my customer?", "Read this.", "Who is it?", QUIZ_YAML
        )
        training.enrol_self(employee, module)
        record = roster.store_upload("people.csv", ROSTER_CSV, False, hr_admin)
        issued = tokens.issue_token("BI", ["results:read"], hr_admin, now)
        plan = plans.create_plan(head, employee.department, closed, ["listen"], utcnow())
        action = plans.add_action(
            head, plan, "Listen to calls", employee.id, now.date(), now.date()
        )
        return World(
            hr_admin=_person(hr_admin),
            head=_person(head),
            employee=_person(employee),
            colleague_id=colleagues[0].id,
            colleague_email=colleagues[0].email,
            contact_center_id=employee.department_id,
            finance_id=finance.id,
            deep_top_id=deep_top.id,
            deep_leaf_id=deep_leaf.id,
            instrument_id=instrument.id,
            editable_instrument_id=editable.id,
            editable_item_id=editable.items[0].id,
            draft_survey_id=draft.id,
            open_survey_id=open_survey.id,
            open_item_ids=tuple(item.id for item in open_survey.instrument.items),
            closed_survey_id=closed.id,
            module_slug=module.slug,
            module_id=module.id,
            roster_import_id=record.id,
            set_password_token=accounts.set_password_token(newcomer),
            api_token_id=issued.token.id,
            plan_id=plan.id,
            plan_action_id=action.id,
        )


# Snapshots and checks


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, comparable before and after a request."""
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def stored_text_problems() -> list[str]:
    """Text that PostgreSQL would refuse but SQLite keeps: NUL characters, and strings longer
    than their column (SQLite does not enforce lengths)."""
    problems = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            limit = column.type.length
            values = db.session.execute(select(column).where(column.is_not(None))).scalars()
            for value in values:
                if "\x00" in value:
                    problems.append(f"{table.name}.{column.name} holds a NUL character")
                if limit is not None and len(value) > limit:
                    problems.append(f"{table.name}.{column.name} holds {len(value)} > {limit}")
    return problems


def consistency_problems() -> list[str]:
    """What a half-done write would leave behind: a response without all its answers, an
    invitation marked answered without a response (or the other way round), a draft left on an
    answered invitation, a survey or a roster import without the audit event of its change."""
    problems = []
    items_per_instrument = dict(
        db.session.execute(
            select(Instrument.id, func.count())
            .select_from(Instrument)
            .join(Instrument.items)
            .group_by(Instrument.id)
        ).all()
    )
    answers = dict(
        db.session.execute(
            select(Answer.response_id, func.count()).group_by(Answer.response_id)
        ).all()
    )
    for response_id, instrument_id in db.session.execute(
        select(Response.id, Survey.instrument_id).join(Survey, Survey.id == Response.survey_id)
    ):
        if answers.get(response_id, 0) != items_per_instrument.get(instrument_id, 0):
            problems.append(f"response {response_id} has {answers.get(response_id, 0)} answers")
    for survey in db.session.execute(select(Survey)).scalars():
        submitted = db.session.execute(
            select(func.count(Invitation.id)).where(
                Invitation.survey_id == survey.id, Invitation.submitted_at.is_not(None)
            )
        ).scalar_one()
        stored = db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == survey.id)
        ).scalar_one()
        if submitted != stored:
            problems.append(f"survey {survey.id}: {submitted} submitted, {stored} responses")
        actions = set(
            db.session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.target_type == "survey", AuditEvent.target_id == survey.id
                )
            ).scalars()
        )
        if "survey.created" not in actions:
            problems.append(f"survey {survey.id} has no creation event")
        if survey.launched_at is not None and "survey.launched" not in actions:
            problems.append(f"survey {survey.id} launched without its event")
        if survey.launched_at is not None and survey.min_group_size is None:
            problems.append(f"survey {survey.id} launched without its anonymity minimums")
    # Read in Python: a JSON column stores None as JSON null, which SQL does not see as NULL.
    answered_with_draft = sum(
        draft is not None
        for draft in db.session.execute(
            select(Invitation.draft).where(Invitation.submitted_at.is_not(None))
        ).scalars()
    )
    if answered_with_draft:
        problems.append(f"{answered_with_draft} answered invitations keep a draft")
    for record in db.session.execute(
        select(RosterImport).where(RosterImport.applied_at.is_not(None))
    ).scalars():
        applied = db.session.execute(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "roster.applied", AuditEvent.target_id == record.id
            )
        ).scalar_one()
        if applied != 1:
            problems.append(f"roster import {record.id} applied {applied} times in the trail")
    return problems
