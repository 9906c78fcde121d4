"""What archiving a module would change, read before HR confirms it. Nothing is written here.

Only what heads, HR and rules follow is counted (assigned modules, progress since the
assignment): who took a module on their own stays theirs, even as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, not_, select

from cxculture.extensions import db
from cxculture.models import Enrolment, Module, Survey, TrainingRule, User
from cxculture.services.training.assignments import COMPLETED_SINCE_ASSIGNED, IS_ASSIGNED


@dataclass(frozen=True)
class ArchiveImpact:
    """Assigned people still taking the module, those who completed it, and the rules that name
    it on surveys still to close."""

    assigned_open: int  # active people it is assigned to who have not completed it
    overdue: int  # of those, past their due date (their reminders go on)
    completed: int  # completed since it was assigned
    pending_rules: int  # HR's rules naming it on surveys not closed yet


def archive_impact(module: Module, now: datetime) -> ArchiveImpact:
    """The assigned enrolments of ``module`` by where they stand, and its rules still to fire."""
    today: date = now.date()
    not_done = not_(COMPLETED_SINCE_ASSIGNED)
    assigned_open, overdue, completed = db.session.execute(
        select(
            func.count(Enrolment.id).filter(not_done),
            func.count(Enrolment.id).filter(not_done, Enrolment.due_on < today),
            func.count(Enrolment.id).filter(COMPLETED_SINCE_ASSIGNED),
        )
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.module_id == module.id, IS_ASSIGNED, User.is_active.is_(True))
    ).one()
    # A survey's state is worked out from its dates: one row per rule, its survey's two dates.
    rules = db.session.execute(
        select(Survey.closed_at, Survey.closes_at)
        .join(TrainingRule, TrainingRule.survey_id == Survey.id)
        .where(TrainingRule.module_id == module.id)
    ).all()
    pending = sum(1 for closed_at, closes_at in rules if closed_at is None and now < closes_at)
    return ArchiveImpact(assigned_open, overdue, completed, pending)
