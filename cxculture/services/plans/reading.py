"""Reading focus plans: one plan, the plans a head or HR may see with their progress, and the
shared plans an employee finds on their home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Department, FocusPlan, PlanAction, Role, User
from cxculture.services.org import subtree_condition


def get_plan(plan_id: int) -> FocusPlan | None:
    return db.session.get(FocusPlan, plan_id)


@dataclass(frozen=True)
class PlanRow:
    """A plan with its progress: actions done out of all, and those past their due day."""

    plan: FocusPlan
    total: int
    done: int
    overdue: int


def plan_rows(viewer: User, today: date) -> list[PlanRow]:
    """Every plan of the departments ``viewer`` may see (HR: all), open ones first, with their
    progress counted in SQL."""
    is_done = PlanAction.status == "done"
    counts = (
        select(
            PlanAction.plan_id,
            func.count(PlanAction.id).label("total"),
            func.count(PlanAction.id).filter(is_done).label("done"),
            func.count(PlanAction.id).filter(~is_done, PlanAction.due_on < today).label("overdue"),
        )
        .group_by(PlanAction.plan_id)
        .subquery()
    )
    query = (
        select(
            FocusPlan,
            func.coalesce(counts.c.total, 0),
            func.coalesce(counts.c.done, 0),
            func.coalesce(counts.c.overdue, 0),
        )
        .join(Department, Department.id == FocusPlan.department_id)
        .outerjoin(counts, counts.c.plan_id == FocusPlan.id)
        .order_by(FocusPlan.closed_at.is_not(None), Department.path, FocusPlan.id.desc())
    )
    if not viewer.has_role(Role.HR_ADMIN):
        query = query.where(subtree_condition(viewer.headed_departments))
    # COALESCE leaves the type checker without the counts' types: they are integers.
    return [
        PlanRow(cast(FocusPlan, plan), cast(int, total), cast(int, done), cast(int, overdue))
        for plan, total, done, overdue in db.session.execute(query)
    ]


def shared_plans_for(user: User) -> list[FocusPlan]:
    """The open, shared plans of the person's own department (not those of other departments,
    nor plans their head keeps unshared)."""
    if user.department_id is None:
        return []
    return list(
        db.session.execute(
            select(FocusPlan)
            .where(
                FocusPlan.department_id == user.department_id,
                FocusPlan.is_shared.is_(True),
                FocusPlan.closed_at.is_(None),
            )
            .order_by(FocusPlan.id.desc())
        ).scalars()
    )
