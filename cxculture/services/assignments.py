"""Training assigned to departments: assigning, following completion, reminding the overdue.

Training records are not survey answers: heads see who has completed what in their departments.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from cxculture.access import can_view_department
from cxculture.extensions import db
from cxculture.models import Department, Enrolment, Module, OutboxMessage, Role, User
from cxculture.services import audit
from cxculture.services.mail import absolute_url, render_email
from cxculture.services.org import subtree_condition


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
    """Enrol every active person of ``department`` (and the departments below it) in ``module``,
    due on ``due_on``; returns how many new enrolments. People already enrolled keep their
    progress and get the earlier due date."""
    if not can_view_department(actor, department):
        raise NotYourDepartment(department.id)
    if due_on < today:
        raise DueDateInPast(due_on)
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
    created = 0
    for person in people:
        enrolment = existing.get(person.id)
        if enrolment is None:
            db.session.add(
                Enrolment(
                    user_id=person.id,
                    module_id=module.id,
                    source="department",
                    due_on=due_on,
                    assigned_by_id=actor.id,
                    department_id=department.id,
                    message=(message or "").strip() or None,
                )
            )
            created += 1
        elif not enrolment.is_completed and (enrolment.due_on is None or due_on < enrolment.due_on):
            enrolment.due_on = due_on
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
    """Enrolments of the people in the departments the viewer may see (HR: all of them)."""
    if departments is None:
        departments = None if viewer.has_role(Role.HR_ADMIN) else viewer.headed_departments
    elif not all(can_view_department(viewer, department) for department in departments):
        raise NotYourDepartment()
    query = (
        select(
            User.name,
            Department.path,
            Enrolment.module_id,
            Enrolment.due_on,
            Enrolment.completed_at.is_not(None),
            Enrolment.best_score,
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Department, Department.id == User.department_id)
        .order_by(Department.path, User.name)
    )
    if departments is not None:
        query = query.where(subtree_condition(departments))
    return [CompletionRow(*row) for row in db.session.execute(query)]


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


def completion_csv(rows: list[CompletionRow], titles: dict[int, str], today: date) -> str:
    """The rows as CSV, for HR."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person", "department", "module", "due_on", "status", "best_score"])
    for row in rows:
        status = "completed" if row.completed else "overdue" if row.is_overdue(today) else "open"
        writer.writerow(
            [
                row.person,
                row.department,
                titles.get(row.module_id, row.module_id),
                row.due_on.isoformat() if row.due_on else "",
                status,
                f"{row.best_score:.2f}" if row.best_score is not None else "",
            ]
        )
    return out.getvalue()


def queue_overdue_reminders(today: date) -> int:
    """Queue one reminder per overdue enrolment not reminded today; returns how many."""
    overdue = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(
            User.is_active.is_(True),
            Enrolment.completed_at.is_(None),
            Enrolment.due_on < today,
            func.coalesce(Enrolment.reminded_on, date.min) < today,
        )
    ).all()
    for enrolment, person in overdue:
        locale = person.locale or "en"
        text = enrolment.module.text_in(locale)
        link = absolute_url("training.module", slug=enrolment.module.slug)
        subject, body = render_email(
            "training_overdue", locale, title=text.title, due_on=enrolment.due_on, link=link
        )
        db.session.add(
            OutboxMessage(
                kind="training_overdue",
                to_email=person.email,
                locale=locale,
                subject=subject,
                body=body,
            )
        )
        enrolment.reminded_on = today
    db.session.commit()
    return len(overdue)
