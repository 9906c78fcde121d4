"""An employee's home: the surveys waiting for them, their modules due, and their own profile;
nothing of anyone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cxculture.models import Department, Enrolment, FocusPlan, Survey, SurveyState, User
from cxculture.services import plans, training
from cxculture.services.surveys.responses import MySurvey, my_surveys


@dataclass(frozen=True)
class Todo:
    """One thing the person has to do: answer a survey, or take (or count) a module."""

    due: date | None  # the day it closes or is due; None: no date (a module of their own)
    survey: MySurvey | None = None
    enrolment: Enrolment | None = None
    is_overdue: bool = False

    @property
    def needs_counting(self) -> bool:
        """A module done on their own before it was assigned: the team sees it once counted."""
        return self.enrolment is not None and self.enrolment.is_completed_before_assignment


@dataclass(frozen=True)
class EmployeeHome:
    todo: list[Todo]  # overdue first, then by date; undated modules last
    upcoming: list[MySurvey]  # scheduled surveys
    completed_modules: int
    department: Department | None
    heads: list[User]  # who heads the person's department (or the nearest one above)
    heads_of: Department | None
    manager: User | None
    profile_survey: Survey | None  # the newest confidential survey they answered
    # Their own department's focus plans that its head shared (no other department's).
    shared_plans: list[FocusPlan] = field(default_factory=list)


def _nearest_heads(user: User) -> tuple[list[User], Department | None]:
    """The active heads of the person's department, else of the nearest department above that
    has some; the person never heads themselves."""
    department = user.department
    while department is not None:
        heads = [h for h in department.heads if h.is_active and h.id != user.id]
        if heads:
            return heads, department
        department = department.parent
    return [], None


def _todo(rows: list[MySurvey], enrolments: list[Enrolment], today: date) -> list[Todo]:
    found = [
        Todo(row.survey.closes_at.date(), survey=row)
        for row in rows
        if row.state is SurveyState.OPEN and not row.has_submitted
    ]
    for enrolment in enrolments:
        if enrolment.is_completed and not enrolment.is_completed_before_assignment:
            continue
        overdue = (
            not enrolment.is_completed and enrolment.due_on is not None and enrolment.due_on < today
        )
        found.append(Todo(enrolment.due_on, enrolment=enrolment, is_overdue=overdue))
    return sorted(found, key=lambda t: (not t.is_overdue, t.due or date.max, t.survey is None))


def employee_home(user: User, now: datetime) -> EmployeeHome:
    """The person's own to-do and profile: nothing of anyone else."""
    rows = my_surveys(user, now)
    enrolments = training.my_training(user)
    answered = [row.survey for row in rows if row.has_submitted and not row.survey.is_anonymous]
    heads, heads_of = _nearest_heads(user)
    completed = sum(
        1 for e in enrolments if e.is_completed and not e.is_completed_before_assignment
    )
    return EmployeeHome(
        _todo(rows, enrolments, now.date()),
        [row for row in rows if row.state is SurveyState.SCHEDULED],
        completed,
        user.department,
        heads,
        heads_of,
        user.manager if user.manager is not None and user.manager.is_active else None,
        max(answered, key=lambda s: s.opens_at, default=None),
        plans.shared_plans_for(user),
    )
