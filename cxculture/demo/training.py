"""Demo training: between the first two waves, a module that the trained teams completed; and
now, modules assigned to departments, some done, some started, some late."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Department, Enrolment, Module, User
from cxculture.services import training
from cxculture.services.training import assignments

# (who assigns, department, module, days from now the module is due)
PLAN = (
    ("hr@demo.test", "Finance", "who-is-my-customer", -7),
    ("head.contact@demo.test", "Operations/Contact Center", "what-the-contact-center-hears", 10),
    ("head.operations@demo.test", "Operations/Logistics", "owning-a-problem-that-is-not-mine", 20),
)
# Between the first and second waves HR gave the back-office teams, which scored lowest on
# getting things right first time, the module on it.
PAST_MODULE = "right-first-time"
PAST_TEAMS = ("Operations/Logistics", "Finance", "IT")
PAST_ASSIGNED = 112  # days ago: after the first wave closed
PAST_SKIPPED = 5  # every fifth person did not finish it: four in five completed
REFLECTIONS = {
    "en": "I check the invoices so that our customers are billed correctly.",
    "pt_BR": "Confiro as faturas para que os nossos clientes recebam a cobrança certa.",
    "es": "Reviso las facturas para que nuestros clientes reciban el cobro correcto.",
}


def _complete(enrolment: Enrolment, when: datetime, with_reflection: bool = True) -> None:
    text = enrolment.module.written_text_in(enrolment.user.locale or "en")
    right = {number: q["answer"] for number, q in enumerate(text.quiz)}
    training.submit_quiz(enrolment, text, right, when)
    if with_reflection:
        training.submit_reflection(enrolment, REFLECTIONS[enrolment.user.locale or "en"], when)


def seed_past_training(now: datetime) -> set[str]:
    """The module given to the back-office teams between the first two waves, completed by four
    in five of their people before the second wave opened; the teams it was given to."""
    hr = db.session.execute(select(User).where(User.email == "hr@demo.test")).scalar_one()
    module = db.session.execute(select(Module).where(Module.slug == PAST_MODULE)).scalar_one()
    assigned_at = now - timedelta(days=PAST_ASSIGNED)
    for path in PAST_TEAMS:
        department = db.session.execute(
            select(Department).where(Department.path == path)
        ).scalar_one()
        assignments.assign_to_department(
            hr,
            module,
            department,
            assigned_at.date() + timedelta(days=30),
            None,
            assigned_at.date(),
        )
    enrolments = (
        db.session.execute(
            select(Enrolment).where(Enrolment.module_id == module.id).order_by(Enrolment.id)
        )
        .scalars()
        .all()
    )
    for number, enrolment in enumerate(enrolments):
        # Assigning stamps the present moment; the demo's history happened months ago.
        enrolment.assigned_at = assigned_at
        if number % PAST_SKIPPED != PAST_SKIPPED - 1:
            _complete(enrolment, assigned_at + timedelta(days=5 + number % 30))
    db.session.commit()
    return set(PAST_TEAMS)


def seed_demo_training(now: datetime) -> int:
    """Assign today's demo modules, and move a realistic share of them forward."""
    rng = random.Random(7)  # noqa: S311 - reproducible demo data, no secret
    assigned_on = now.date() - timedelta(days=21)
    for email, path, slug, due_in in PLAN:
        actor = db.session.execute(select(User).where(User.email == email)).scalar_one()
        department = db.session.execute(
            select(Department).where(Department.path == path)
        ).scalar_one()
        module = db.session.execute(select(Module).where(Module.slug == slug)).scalar_one()
        assignments.assign_to_department(
            actor, module, department, now.date() + timedelta(days=due_in), None, assigned_on
        )
    enrolments = (
        db.session.execute(
            select(Enrolment)
            .where(Enrolment.assigned_at >= now - timedelta(days=1))
            .order_by(Enrolment.id)
        )
        .scalars()
        .all()
    )
    for enrolment in enrolments:
        if enrolment.user.email == "ana@demo.test":
            continue  # Ana's module waits for her
        chance = rng.random()
        if chance < 0.25:
            continue  # not started
        when = now - timedelta(days=rng.randint(1, 15))
        # Below 0.45 the quiz is passed and the reflection left.
        _complete(enrolment, when, with_reflection=chance >= 0.45)
    return len(enrolments)
