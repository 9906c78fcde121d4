"""Training assigned to departments: assigning, following completion, reminding the overdue.

Training records are not survey answers: heads see who has completed what they assigned in
their departments. Only assigned modules are followed (by a head, HR or a rule): what a person
takes on their own, a module suggested from their own answers included, is theirs alone, and
progress made before an assignment stays theirs until they choose to count it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from cxculture import disclosure, exports
from cxculture.extensions import db
from cxculture.models import (
    Department,
    Enrolment,
    Module,
    Role,
    RuleApplication,
    Survey,
    SurveyState,
    TrainingRule,
    User,
    utcnow,
)
from cxculture.models.training import ASSIGNED_SOURCES
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit, mail
from cxculture.services.org import reach, subtree_condition


class NotYourDepartment(Exception):
    """The person may not assign training to this department: answer 403."""


class DueDateInPast(ValueError):
    """A due date before today."""


def assign_to_department(
    actor: User,
    module: Module,
    department: Department,
    due_on: date,
    message: str | None,
    today: date,
) -> int:
    """Assign ``module`` to every active person of ``department`` (and the departments below
    it), due on ``due_on``; returns how many people it newly assigned. People it was already
    assigned to get the earlier due date."""
    if not reach.can_view_department(actor, department):
        raise NotYourDepartment(department.id)
    if due_on < today:
        raise DueDateInPast(due_on)
    created = _enrol_department(module, department, due_on, "department", actor.id, message)
    audit.record(
        actor,
        "training.assigned",
        "department",
        department.id,
        module=module.slug,
        due_on=due_on.isoformat(),
        enrolled=created,
    )
    db.session.commit()
    return created


def _enrol_department(
    module: Module,
    department: Department,
    due_on: date,
    source: str,
    assigned_by_id: int | None,
    message: str | None = None,
) -> int:
    """Assign the module to the department's active people it was not assigned to yet (the
    caller commits). Someone who had taken it on their own is assigned like everyone else and
    counted alike, so the number says nothing of who had: their earlier progress stays theirs
    (``Enrolment.assigned_at``)."""
    people = db.session.execute(
        select(User)
        .join(Department, Department.id == User.department_id)
        .where(User.is_active.is_(True), subtree_condition([department]))
    ).scalars()
    existing = {
        e.user_id: e
        for e in db.session.execute(
            select(Enrolment).where(Enrolment.module_id == module.id)
        ).scalars()
    }
    assignment = {
        "source": source,
        "due_on": due_on,
        "assigned_by_id": assigned_by_id,
        "department_id": department.id,
        "message": (message or "").strip() or None,
        "assigned_at": utcnow(),
    }
    created = 0
    for person in people:
        enrolment = existing.get(person.id)
        if enrolment is None:
            db.session.add(Enrolment(user_id=person.id, module_id=module.id, **assignment))
            created += 1
        elif not enrolment.is_assigned:
            for name, value in assignment.items():
                setattr(enrolment, name, value)
            created += 1
        elif not enrolment.is_completed and (enrolment.due_on is None or due_on < enrolment.due_on):
            enrolment.due_on = due_on
    return created


class RuleError(ValueError):
    """A rule that cannot be set: unknown dimension, threshold or delay out of range."""


def create_rule(
    actor: User, survey: Survey, dimension: str, threshold: float, module: Module, due_days: int
) -> TrainingRule:
    """HR's automatic assignment for when ``survey`` closes."""
    if dimension not in DIMENSIONS or not 0 < threshold <= 100 or not 1 <= due_days <= 365:
        raise RuleError()
    rule = TrainingRule(
        survey_id=survey.id,
        dimension=dimension,
        threshold=threshold,
        module_id=module.id,
        due_days=due_days,
        created_by_id=actor.id,
    )
    db.session.add(rule)
    db.session.flush()
    audit.record(
        actor,
        "training.rule_created",
        "survey",
        survey.id,
        rule=rule.id,
        dimension=dimension,
        threshold=threshold,
        module=module.slug,
    )
    db.session.commit()
    return rule


def rules_of(survey: Survey) -> list[TrainingRule]:
    return list(
        db.session.execute(
            select(TrainingRule)
            .where(TrainingRule.survey_id == survey.id)
            .order_by(TrainingRule.id)
        ).scalars()
    )


def apply_rules(survey: Survey, now: datetime) -> int:
    """Apply the survey's rules once it has closed: every department whose released score is
    below a rule's threshold gets its module (a group the release layer hides is never singled
    out). A rule applies to a department once, whatever closes and reopens follow. Returns the
    new enrolments."""
    rules = rules_of(survey)
    if not rules or survey.state(now) is not SurveyState.CLOSED:
        return 0
    found = disclosure.release_of(survey, now)
    applied = {
        (a.rule_id, a.department_path)
        for a in db.session.execute(
            select(RuleApplication).where(RuleApplication.rule_id.in_([r.id for r in rules]))
        ).scalars()
    }
    created = 0
    for rule in rules:
        for group in found.departments():
            score = group.dimensions.get(rule.dimension)
            if group.is_suppressed or score is None or score >= rule.threshold:
                continue
            if (rule.id, group.key) in applied:
                continue
            department = db.session.execute(
                select(Department).where(Department.path == group.key)
            ).scalar_one_or_none()
            enrolled = 0
            if department is not None:  # a department since renamed or removed is skipped
                enrolled = _enrol_department(
                    rule.module,
                    department,
                    now.date() + timedelta(days=rule.due_days),
                    "rule",
                    rule.created_by_id,
                )
            db.session.add(
                RuleApplication(rule_id=rule.id, department_path=group.key, enrolled=enrolled)
            )
            audit.record(
                None,
                "training.rule_applied",
                "survey",
                survey.id,
                rule=rule.id,
                module=rule.module.slug,
                department=group.key,
                enrolled=enrolled,
            )
            created += enrolled
    db.session.commit()
    return created


def apply_closed_surveys(now: datetime) -> int:
    """Apply the rules of every closed survey that has some (for surveys that closed by date)."""
    surveys = (
        db.session.execute(select(Survey).where(Survey.id.in_(select(TrainingRule.survey_id))))
        .scalars()
        .all()
    )
    return sum(apply_rules(survey, now) for survey in surveys)


# What heads, HR and the API follow: assigned modules only, and only progress made since the
# assignment (what came before is the person's own, until they count it).
IS_ASSIGNED = Enrolment.source.in_(ASSIGNED_SOURCES)
COMPLETED_SINCE_ASSIGNED = and_(
    Enrolment.completed_at.is_not(None),
    or_(Enrolment.assigned_at.is_(None), Enrolment.completed_at >= Enrolment.assigned_at),
)


@dataclass(frozen=True)
class CompletionRow:
    """Who is enrolled in what, and where they stand (names allowed: not survey answers)."""

    person: str
    department: str
    module_id: int
    due_on: date | None
    completed: bool
    best_score: float | None

    def is_overdue(self, today: date) -> bool:
        return not self.completed and self.due_on is not None and self.due_on < today


def completion(viewer: User, departments: list[Department] | None = None) -> list[CompletionRow]:
    """Assigned modules of the people in the departments the viewer may see (HR: all of them)."""
    if departments is None:
        departments = None if viewer.has_role(Role.HR_ADMIN) else viewer.headed_departments
    elif not all(reach.can_view_department(viewer, department) for department in departments):
        raise NotYourDepartment()
    query = (
        select(
            User.name,
            Department.path,
            Enrolment.module_id,
            Enrolment.due_on,
            COMPLETED_SINCE_ASSIGNED,
            case((COMPLETED_SINCE_ASSIGNED, Enrolment.best_score), else_=None),
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Department, Department.id == User.department_id)
        .where(IS_ASSIGNED)
        .order_by(Department.path, User.name)
    )
    if departments is not None:
        query = query.where(subtree_condition(departments))
    # The CASE leaves SQLAlchemy without the row's types: CompletionRow's fields, in order.
    rows: Iterable[tuple[str, str, int, date | None, bool, float | None]]
    rows = db.session.execute(query)
    return [CompletionRow(*row) for row in rows]


def completion_counts() -> dict[str, tuple[int, int]]:
    """Assigned modules and their completions per path of the people's current department."""
    return {
        path: (enrolled, completed)
        for path, enrolled, completed in db.session.execute(
            select(
                Department.path,
                func.count(Enrolment.id),
                func.count(Enrolment.id).filter(COMPLETED_SINCE_ASSIGNED),
            )
            .join(User, User.id == Enrolment.user_id)
            .join(Department, Department.id == User.department_id)
            .where(IS_ASSIGNED)
            .group_by(Department.path)
        )
    }


@dataclass(frozen=True)
class ModuleCompletion:
    module_id: int
    enrolled: int
    completed: int
    overdue: int


def completion_by_module(rows: list[CompletionRow], today: date) -> list[ModuleCompletion]:
    """Counts per module from the rows a viewer may see."""
    counts: dict[int, list[int]] = {}
    for row in rows:
        entry = counts.setdefault(row.module_id, [0, 0, 0])
        entry[0] += 1
        entry[1] += row.completed
        entry[2] += row.is_overdue(today)
    return [ModuleCompletion(module_id, *values) for module_id, values in sorted(counts.items())]


def module_completion(departments: list[Department] | None, today: date) -> list[ModuleCompletion]:
    """Enrolled, completed and overdue per module for the people now in ``departments`` and
    below them (None: every department), counted in SQL: the figures of the training pages."""
    query = (
        select(
            Enrolment.module_id,
            func.count(Enrolment.id),
            func.count(Enrolment.id).filter(COMPLETED_SINCE_ASSIGNED),
            func.count(Enrolment.id).filter(~COMPLETED_SINCE_ASSIGNED, Enrolment.due_on < today),
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Department, Department.id == User.department_id)
        .where(IS_ASSIGNED)
        .group_by(Enrolment.module_id)
        .order_by(Enrolment.module_id)
    )
    if departments is not None:
        query = query.where(subtree_condition(departments))
    return [ModuleCompletion(*row) for row in db.session.execute(query)]


def completion_table(
    rows: list[CompletionRow], titles: dict[int, str], today: date
) -> tuple[list[str], list[list[exports.Cell]]]:
    """The rows as a table for HR's export."""
    header = ["person", "department", "module", "due_on", "status", "best_score"]
    table: list[list[exports.Cell]] = []
    for row in rows:
        status = "completed" if row.completed else "overdue" if row.is_overdue(today) else "open"
        table.append(
            [
                row.person,
                row.department,
                titles.get(row.module_id, row.module_id),
                row.due_on.isoformat() if row.due_on else "",
                status,
                round(row.best_score, 2) if row.best_score is not None else None,
            ]
        )
    return header, table


def queue_overdue_reminders(today: date) -> int:
    """Queue one reminder per overdue enrolment not reminded today; returns how many. People
    without an email get none (their modules wait for them on the product's pages)."""
    overdue = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            User.is_active.is_(True),
            User.email.is_not(None),
            IS_ASSIGNED,
            ~COMPLETED_SINCE_ASSIGNED,
            Enrolment.due_on < today,
            func.coalesce(Enrolment.reminded_on, date.min) < today,
        )
    ).all()
    for enrolment, person in overdue:
        if person.email is None:  # left out by the query; this tells the type checker
            continue
        locale = person.locale or "en"
        text = enrolment.module.written_text_in(locale)  # assigned: from the catalogue
        link = mail.absolute_url("training.module", slug=enrolment.module.slug)
        subject, body = mail.render_email(
            "training_overdue", locale, title=text.title, due_on=enrolment.due_on, link=link
        )
        mail.queue_message("training_overdue", person.email, locale, subject, body)
        enrolment.reminded_on = today
    db.session.commit()
    return len(overdue)
