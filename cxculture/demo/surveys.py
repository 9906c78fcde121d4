"""Demo survey waves: a closed wave with answers that differ by department, and an open one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Invitation, PrivacyMode, Survey, User
from cxculture.services import surveys
from cxculture.services.surveys import questionnaires, responses

CLOSED_WAVE = "Customer orientation, first wave"
OPEN_WAVE = "Customer orientation, second wave"
ANSWER_SHARE = 0.85  # of the audience answers the closed wave

# How customer-minded each department answers, on the 1-5 scale, before per-person noise.
# Front-line teams see the customer every day; back-office teams lose sight of them.
DEPARTMENT_MOOD = {
    "Operations/Contact Center": 4.2,
    "Operations/Social Media Care": 4.0,
    "Commercial/Sales": 3.9,
    "Commercial/Marketing": 3.6,
    "Operations/Logistics": 3.3,
    "IT": 3.0,
    "People & Culture": 3.1,
    "Finance": 2.6,
}
DIMENSION_SHIFT = {  # the company's common pattern: leadership and sharing lag behind
    "line_of_sight": 0.2,
    "listen": 0.0,
    "share": -0.4,
    "act": -0.1,
    "right_first_time": 0.1,
    "lead": -0.3,
}
ROLE_STATEMENTS = {
    "en": [
        "I answer customers' calls and sort out their problems with orders.",
        "I help our customers choose the right plan and stay with us.",
        "I keep the systems running so my colleagues can serve our customers.",
        "I pay our suppliers on time so deliveries reach customers without delays.",
        "I prepare the monthly reports for my manager.",
        "I support the other teams in the company with whatever they ask.",
        "I process invoices following the procedures.",
        "I do my tasks and meet my targets.",
    ],
    "pt_BR": [
        "Atendo os clientes pelo telefone e resolvo os problemas dos pedidos deles.",
        "Ajudo os clientes a escolher o plano certo e a continuar conosco.",
        "Mantenho os sistemas funcionando para que os colegas possam atender os clientes.",
        "Garanto que as entregas saiam no prazo para que os clientes recebam tudo certo.",
        "Preparo os relatórios mensais para o meu gestor.",
        "Dou apoio às outras áreas da empresa no que elas precisarem.",
        "Lanço as notas fiscais seguindo os procedimentos.",
        "Cumpro as minhas tarefas e bato as minhas metas.",
    ],
    "es": [
        "Atiendo a los clientes por teléfono y resuelvo los problemas de sus pedidos.",
        "Ayudo a los clientes a elegir el plan adecuado y a seguir con nosotros.",
        "Mantengo los sistemas funcionando para que mis compañeros atiendan a los clientes.",
        "Organizo los envíos para que los clientes reciban sus pedidos a tiempo.",
        "Preparo los informes mensuales para mi jefe.",
        "Apoyo a los demás departamentos de la empresa en lo que necesiten.",
        "Registro las facturas siguiendo los procedimientos.",
        "Hago mis tareas y cumplo mis objetivos.",
    ],
}
COMMENTS = {
    "en": ["We rarely hear back about what happens to the customer after our part."],
    "pt_BR": ["Quase nunca sabemos o que acontece com o cliente depois da nossa parte."],
    "es": ["Casi nunca sabemos qué le pasa al cliente después de nuestra parte."],
}


def _mood(user: User) -> float:
    path = user.department.path if user.department else ""
    return DEPARTMENT_MOOD.get(path, 3.4)


def _answers(rng: random.Random, user: User, survey: Survey) -> responses.AnswerSet:
    mood = _mood(user) + rng.gauss(0, 0.35)
    values = {}
    for item in survey.instrument.items:
        favourable = mood + DIMENSION_SHIFT[item.dimension] + rng.gauss(0, 0.6)
        value = max(1, min(5, round(favourable)))
        values[item.id] = 6 - value if item.is_reverse_keyed else value
    locale = user.locale or "en"
    # Customer-minded people more often name the customer when they describe their job.
    closeness = max(0.0, min(1.0, (mood - 2.2) / 2.2))
    statements = ROLE_STATEMENTS[locale]
    index = min(len(statements) - 1, int(rng.random() ** (closeness * 2 + 0.3) * len(statements)))
    comment = rng.choice(COMMENTS[locale]) if rng.random() < 0.15 else ""
    return responses.AnswerSet(values, statements[index], comment)


def _wave(name: str, actor: User, opens_at: datetime, closes_at: datetime) -> Survey | None:
    if db.session.execute(select(Survey.id).where(Survey.name == name)).first():
        return None
    instrument, _ = questionnaires.load_instrument()
    survey = surveys.create_survey(
        surveys.SurveySpec(name, instrument.id, PrivacyMode.CONFIDENTIAL, opens_at, closes_at),
        actor,
        now=opens_at - timedelta(days=1),
    )
    surveys.launch_survey(survey, actor, now=opens_at - timedelta(hours=1))
    return survey


def _answer(survey: Survey, share: float, moment: datetime, skip: set[str]) -> int:
    rng = random.Random(survey.name)  # noqa: S311 - reproducible demo data, no secret
    invitations = (
        db.session.execute(
            select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id)
        )
        .scalars()
        .all()
    )
    answered = 0
    for invitation in invitations:
        user = invitation.user
        if user is None or user.email in skip or rng.random() > share:
            continue
        answers = _answers(rng, user, survey)
        responses.submit_response(invitation, answers, user.locale or "en", moment)
        answered += 1
    return answered


def seed_demo_surveys(actor: User, now: datetime) -> int:
    """Add the two demo waves when missing; returns how many responses were stored."""
    stored = 0
    closed = _wave(CLOSED_WAVE, actor, now - timedelta(days=60), now - timedelta(days=30))
    if closed is not None:
        stored += _answer(closed, ANSWER_SHARE, now - timedelta(days=45), skip=set())
    current = _wave(OPEN_WAVE, actor, now - timedelta(days=2), now + timedelta(days=14))
    if current is not None:
        # A third of the company has answered already; Ana has not, so the demo shows the form.
        stored += _answer(current, 0.33, now - timedelta(hours=5), skip={"ana@demo.test"})
    return stored
