"""Writing focus plans: who may (heads within their reach, HR everywhere), what is refused (a
wave not closed, dimensions outside one to three, a due day already gone, a closed plan), and
an audit entry for every change, in the change's own transaction. The trail notes ids, days
and statuses, never an action's text: that stays in the plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select

from cxculture.extensions import db
from cxculture.models import (
    Department,
    FocusPlan,
    PlanAction,
    Survey,
    SurveyState,
    User,
    department_heads,
)
from cxculture.models.plans import ACTION_STATUSES, MAX_FOCUS_DIMENSIONS
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit
from cxculture.services.org import reach, subtree_condition

ACTION_TEXT_MAX = 500


class NotYourDepartment(Exception):
    """The person may not plan for this department: answer 403."""


class PlanError(ValueError):
    """A plan that cannot be made as asked: a wave not closed, or not one to three known
    dimensions."""


class PlanClosed(Exception):
    """The plan is closed: it is kept as it was, no longer edited."""


class ActionError(ValueError):
    """An action that cannot be saved: no text, too long, an unknown status or owner."""


class DueDateInPast(ValueError):
    """A due day before today."""


def _check_reach(actor: User, department: Department) -> None:
    if not reach.can_view_department(actor, department):
        raise NotYourDepartment(department.id)


def _check_open(plan: FocusPlan) -> None:
    if plan.is_closed:
        raise PlanClosed(plan.id)


def _dimensions(chosen: list[str]) -> list[str]:
    """The chosen dimensions in the instrument's order, refused unless one to three known."""
    unique = set(chosen)
    if not 1 <= len(unique) <= MAX_FOCUS_DIMENSIONS or not unique <= set(DIMENSIONS):
        raise PlanError("dimensions")
    return [d for d in DIMENSIONS if d in unique]


def create_plan(
    actor: User, department: Department, survey: Survey, dimensions: list[str], now: datetime
) -> FocusPlan:
    """A new plan for ``department`` following ``survey``, which must have closed."""
    _check_reach(actor, department)
    if survey.state(now) is not SurveyState.CLOSED:
        raise PlanError("survey")
    plan = FocusPlan(
        department_id=department.id,
        survey_id=survey.id,
        created_by_id=actor.id,
        dimensions=_dimensions(dimensions),
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(
        actor,
        "plan.created",
        "focus_plan",
        plan.id,
        department=department.path,
        survey=survey.id,
        dimension=plan.dimensions,
    )
    db.session.commit()
    return plan


def edit_plan(actor: User, plan: FocusPlan, dimensions: list[str]) -> None:
    """Choose the plan's dimensions again."""
    _check_reach(actor, plan.department)
    _check_open(plan)
    plan.dimensions = _dimensions(dimensions)
    audit.record(actor, "plan.edited", "focus_plan", plan.id, dimension=plan.dimensions)
    db.session.commit()


def share_plan(actor: User, plan: FocusPlan, is_shared: bool) -> None:
    """Show the plan to the department's employees on their home, or stop showing it."""
    _check_reach(actor, plan.department)
    _check_open(plan)
    plan.is_shared = is_shared
    audit.record(actor, "plan.shared", "focus_plan", plan.id, shared=is_shared)
    db.session.commit()


def close_plan(actor: User, plan: FocusPlan, now: datetime) -> None:
    """Close the plan: kept as it is, no longer edited nor reminded of."""
    _check_reach(actor, plan.department)
    _check_open(plan)
    plan.closed_at = now
    audit.record(actor, "plan.closed", "focus_plan", plan.id)
    db.session.commit()


def owner_choices(plan: FocusPlan) -> list[User]:
    """Who may own an action of the plan: the active people of its department and below, and
    the heads of the department or of one above it."""
    department = plan.department
    above = _ancestors_and_self(department)
    people = db.session.execute(
        select(User)
        .outerjoin(Department, Department.id == User.department_id)
        .where(
            User.is_active.is_(True),
            or_(
                subtree_condition([department]),
                User.id.in_(
                    select(department_heads.c.user_id).where(
                        department_heads.c.department_id.in_([d.id for d in above])
                    )
                ),
            ),
        )
        .order_by(User.name, User.id)
    ).scalars()
    return list(people)


def _ancestors_and_self(department: Department) -> list[Department]:
    found = []
    current: Department | None = department
    while current is not None:
        found.append(current)
        current = current.parent
    return found


def _owner(plan: FocusPlan, owner_id: int | None, kept: int | None = None) -> int | None:
    """The owner chosen, refused unless among the plan's owner choices; ``kept`` (an action's
    owner as it stands) is accepted as it is, so an action whose owner has since left the
    department can still have its text or date corrected."""
    if owner_id is None or owner_id == kept:
        return owner_id
    if owner_id not in {person.id for person in owner_choices(plan)}:
        raise ActionError("owner")
    return owner_id


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text or len(text) > ACTION_TEXT_MAX:
        raise ActionError("text")
    return text


def add_action(
    actor: User,
    plan: FocusPlan,
    text: str,
    owner_id: int | None,
    due_on: date,
    today: date,
) -> PlanAction:
    """A new action of the plan, not started yet."""
    _check_reach(actor, plan.department)
    _check_open(plan)
    if due_on < today:
        raise DueDateInPast(due_on)
    action = PlanAction(
        plan_id=plan.id,
        text=_text(text),
        owner_id=_owner(plan, owner_id),
        due_on=due_on,
        status="not_started",
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        actor,
        "plan.action_added",
        "focus_plan",
        plan.id,
        plan_action=action.id,
        owner=action.owner_id,
        due_on=due_on.isoformat(),
    )
    db.session.commit()
    return action


def update_action(actor: User, action: PlanAction, status: str, now: datetime) -> None:
    """Say where the action stands, as of ``now``."""
    plan = action.plan
    _check_reach(actor, plan.department)
    _check_open(plan)
    if status not in ACTION_STATUSES:
        raise ActionError("status")
    if status == action.status:
        return
    action.status = status
    action.done_at = now if status == "done" else None
    audit.record(
        actor,
        "plan.action_updated",
        "focus_plan",
        plan.id,
        plan_action=action.id,
        status=status,
    )
    db.session.commit()


def _action_schedule(action: PlanAction) -> dict[str, object]:
    """What the audit trail notes of an action when it is edited: who owns it and by when
    (its text is never copied into the trail)."""
    return {"owner": action.owner_id, "due_on": action.due_on.isoformat()}


def edit_action(
    actor: User,
    action: PlanAction,
    text: str,
    owner_id: int | None,
    due_on: date,
    today: date,
) -> bool:
    """Correct an action's text, owner or due day; whether anything changed.

    Only a due day that changes must be from today on: an overdue action keeps its day while
    its text or owner is corrected. A new due day clears ``reminded_on``, so the owner is
    reminded again once the new day has passed."""
    plan = action.plan
    _check_reach(actor, plan.department)
    _check_open(plan)
    is_new_day = due_on != action.due_on
    if is_new_day and due_on < today:
        raise DueDateInPast(due_on)
    new_text = _text(text)
    new_owner = _owner(plan, owner_id, kept=action.owner_id)
    before = _action_schedule(action)
    is_text_rewritten = new_text != action.text
    action.text = new_text
    action.owner_id = new_owner
    if is_new_day:
        action.due_on = due_on
        action.reminded_on = None
    after = _action_schedule(action)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changed and not is_text_rewritten:
        return False
    audit.record(
        actor,
        "plan.action_edited",
        "focus_plan",
        plan.id,
        plan_action=action.id,
        text_rewritten=is_text_rewritten,
        **changed,
    )
    db.session.commit()
    return True


def remove_action(actor: User, action: PlanAction) -> None:
    """Remove an action written by mistake; the trail keeps its number, owner, day and status."""
    plan = action.plan
    _check_reach(actor, plan.department)
    _check_open(plan)
    audit.record(
        actor,
        "plan.action_removed",
        "focus_plan",
        plan.id,
        plan_action=action.id,
        owner=action.owner_id,
        due_on=action.due_on.isoformat(),
        status=action.status,
    )
    plan.actions.remove(action)  # delete-orphan: the row goes with the commit
    db.session.commit()
