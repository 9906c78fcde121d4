"""Reminding the owners of overdue actions: one email per owner, each action at most once a
day (``reminded_on``), none for closed plans, finished actions or people without a mailbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import FocusPlan, PlanAction, Role, User
from cxculture.services import mail


def remind_overdue_actions(now: datetime) -> int:
    """Queue one email per owner with actions past their due day and not reminded today;
    returns how many emails."""
    today = now.date()
    overdue = db.session.execute(
        select(PlanAction, User)
        .join(User, User.id == PlanAction.owner_id)
        .join(FocusPlan, FocusPlan.id == PlanAction.plan_id)
        .where(
            FocusPlan.closed_at.is_(None),
            PlanAction.status != "done",
            PlanAction.due_on < today,
            func.coalesce(PlanAction.reminded_on, date.min) < today,
            User.is_active.is_(True),
            User.email.is_not(None),
        )
        .order_by(User.id, PlanAction.due_on, PlanAction.id)
    ).all()
    by_owner: dict[int, list[PlanAction]] = defaultdict(list)
    owners: dict[int, User] = {}
    for action, owner in overdue:
        by_owner[owner.id].append(action)
        owners[owner.id] = owner
    rows = []
    for owner_id, actions in by_owner.items():
        owner = owners[owner_id]
        if owner.email is None:  # left out by the query; this tells the type checker
            continue
        locale = owner.locale or "en"
        # Heads and HR follow plans on the plans page; everyone else on their home.
        follows_plans = owner.has_role(Role.DEPT_HEAD) or owner.has_role(Role.HR_ADMIN)
        link = mail.absolute_url("plans.index" if follows_plans else "home.employee_home")
        subject, body = mail.render_email(
            "plan_overdue", locale, actions=actions, link=link, count=len(actions)
        )
        rows.append(
            {
                "kind": "plan_overdue",
                "to_email": owner.email,
                "locale": locale,
                "subject": subject,
                "body": body,
            }
        )
        for action in actions:
            action.reminded_on = today
    queued = mail.queue_messages(rows)
    db.session.commit()
    return queued
