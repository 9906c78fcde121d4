"""Demo training: modules assigned to departments, some done, some started, some late."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Department, Enrolment, Module, User
from cxculture.services import training
from cxculture.services.training import assignments

# (who assigns, department, module, days from now the module is due)
PLAN = (
    ("hr@demo.test", "Finance", "who-is-my-customer", -7),
    ("head.contact@demo.test", "Operations/Contact Center", "what-the-contact-center-hears", 10),
    ("head.operations@demo.test", "Operations/Logistics", "right-first-time", 20),
)
REFLECTIONS = {
    "en": "I check the invoices so that our customers are billed correctly.",
    "pt_BR": "Confiro as faturas para que os nossos clientes recebam a cobrança certa.",
    "es": "Reviso las facturas para que nuestros clientes reciban el cobro correcto.",
}


def seed_demo_training(now: datetime) -> int:
    """Assign the demo modules once, and move a realistic share of them forward."""
    if db.session.execute(select(func.count(Enrolment.id))).scalar_one():
        return 0
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
    enrolments = db.session.execute(select(Enrolment).order_by(Enrolment.id)).scalars().all()
    for enrolment in enrolments:
        if enrolment.user.email == "ana@demo.test":
            continue  # Ana's module waits for her
        chance = rng.random()
        if chance < 0.25:
            continue  # not started
        text = enrolment.module.written_text_in(enrolment.user.locale or "en")
        right = {number: q["answer"] for number, q in enumerate(text.quiz)}
        when = now - timedelta(days=rng.randint(1, 15))
        training.submit_quiz(enrolment, text, right, when)
        if chance < 0.45:
            continue  # quiz passed, reflection left
        training.submit_reflection(enrolment, REFLECTIONS[enrolment.user.locale or "en"], when)
    return len(enrolments)
