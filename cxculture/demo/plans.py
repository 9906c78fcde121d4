"""Demo focus plans: the Contact Center's head worked on listening after the first wave (two of
three actions done before the second wave opened), and works now on two dimensions after the
second, shared with the team, one action done, one on track, one late."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from cxculture.demo.surveys import CLOSED_WAVE, FIRST_WAVE
from cxculture.extensions import db
from cxculture.models import Department, Survey, User
from cxculture.services import plans

HEAD = "head.contact@demo.test"
TEAM = "Operations/Contact Center"
# (action, owner's login or None, days from now it is due, status)
ACTIONS = (
    ("Read the week's ten most common complaints together every Monday.", HEAD, 5, "on_track"),
    (
        "Send each solved escalation's cause to the team that can fix it.",
        "ana@demo.test",
        12,
        "not_started",
    ),
    ("Agree with Logistics on one delivery promise agents may give.", HEAD, 20, "done"),
)


# The plan after the first wave: (action, days after the plan was written it was done or None).
PAST_ACTIONS = (
    ("Listen to five recorded calls together every Friday.", 10),
    ("Share the top complaint of the week with Logistics.", 25),
    ("Visit a customer with the sales team.", None),
)
PAST_WRITTEN = 110  # days ago: ten days after the first wave closed


def seed_past_plan(now: datetime) -> None:
    """The Contact Center's plan after the first wave, carried out before the second opened."""
    head = db.session.execute(select(User).where(User.email == HEAD)).scalar_one()
    survey = db.session.execute(select(Survey).where(Survey.name == FIRST_WAVE)).scalar_one()
    team = db.session.execute(select(Department).where(Department.path == TEAM)).scalar_one()
    written = now - timedelta(days=PAST_WRITTEN)
    plan = plans.create_plan(head, team, survey, ["listen"], written)
    # Records stamp the present moment on writing; the demo's history happened months ago.
    plan.created_at = written
    for text, done_after in PAST_ACTIONS:
        action = plans.add_action(
            head, plan, text, head.id, written.date() + timedelta(days=30), written.date()
        )
        action.created_at = written
        if done_after is not None:
            plans.update_action(head, action, "done", written + timedelta(days=done_after))
    plans.close_plan(head, plan, now - timedelta(days=60))
    db.session.commit()


def seed_demo_plan(now: datetime) -> int:
    """The Contact Center's plan after the newest closed wave; how many plans it created."""
    head = db.session.execute(select(User).where(User.email == HEAD)).scalar_one_or_none()
    survey = db.session.execute(
        select(Survey).where(Survey.name == CLOSED_WAVE)
    ).scalar_one_or_none()
    team = db.session.execute(select(Department).where(Department.path == TEAM)).scalar_one()
    if head is None or survey is None:
        return 0
    plan = plans.create_plan(head, team, survey, ["listen", "share"], now)
    for text, login, due_in, status in ACTIONS:
        owner = db.session.execute(select(User.id).where(User.email == login)).scalar_one_or_none()
        action = plans.add_action(
            head, plan, text, owner, now.date() + timedelta(days=due_in), now.date()
        )
        plans.update_action(head, action, status, now)
    plans.share_plan(head, plan, True)
    return 1
