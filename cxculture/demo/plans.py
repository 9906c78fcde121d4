"""Demo focus plan: the Contact Center's head works on two dimensions after the closed wave,
shared with the team, one action done, one on track, one late."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from cxculture.demo.surveys import CLOSED_WAVE
from cxculture.extensions import db
from cxculture.models import Department, FocusPlan, Survey, User
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


def seed_demo_plan(now: datetime) -> int:
    """The Contact Center's plan, once; how many plans it created."""
    if db.session.execute(select(func.count(FocusPlan.id))).scalar_one():
        return 0
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
        plans.update_action(head, action, status)
    plans.share_plan(head, plan, True)
    return 1
