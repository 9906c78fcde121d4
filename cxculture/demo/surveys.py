"""Demo survey waves: two closed waves with answers that differ by department, with training
between them that lifted the trained teams, and an open third wave.

The answers are drawn from a simple model of each person: a department's mood, the company's
common pattern across dimensions, the person's own leaning on each dimension, and noise per
item. The outcome question follows what the person feels about getting things right first time
and about listening to customers. Teams that completed the module on getting it right first time
between the waves answer that dimension higher in the second wave: the "did it work?" page then
finds what this model put there, with an interval as wide as eight teams allow."""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Invitation, PrivacyMode, Survey, User
from cxculture.services import surveys
from cxculture.services.surveys import questionnaires, responses

FIRST_WAVE = "Customer orientation, first wave"
SECOND_WAVE = "Customer orientation, second wave"
OPEN_WAVE = "Customer orientation, third wave"
CLOSED_WAVE = SECOND_WAVE  # the newest closed wave: the results pages open on it
ANSWER_SHARE = 0.85  # of the audience answers each closed wave
# How much, on the 1-5 scale, each dimension rose between the first two waves in the teams that
# completed the training in between; every team drifts a little as well.
TRAINING_LIFT = {"right_first_time": 0.45, "line_of_sight": 0.1}
DRIFT = 0.05

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


def _answers(
    rng: random.Random, user: User, survey: Survey, lift: dict[str, float]
) -> responses.AnswerSet:
    mood = _mood(user) + rng.gauss(0, 0.35)
    leaning = {
        dimension: mood + shift + lift.get(dimension, 0.0) + rng.gauss(0, 0.3)
        for dimension, shift in DIMENSION_SHIFT.items()
    }
    values = {}
    for item in survey.instrument.items:
        favourable = leaning[item.dimension] + rng.gauss(0, 0.6)
        value = max(1, min(5, round(favourable)))
        values[item.id] = 6 - value if item.is_reverse_keyed else value
    advocacy = None
    if survey.instrument.outcome_question is not None:
        # Would they recommend what we deliver: mostly whether we get it right, and listen.
        feeling = 0.6 * leaning["right_first_time"] + 0.4 * leaning["listen"]
        advocacy = max(0, min(10, round(2.6 * feeling - 2.2 + rng.gauss(0, 1.1))))
    locale = user.locale or "en"
    # Customer-minded people more often name the customer when they describe their job.
    closeness = max(0.0, min(1.0, (mood - 2.2) / 2.2))
    statements = ROLE_STATEMENTS[locale]
    index = min(len(statements) - 1, int(rng.random() ** (closeness * 2 + 0.3) * len(statements)))
    comment = rng.choice(COMMENTS[locale]) if rng.random() < 0.15 else ""
    return responses.AnswerSet(values, statements[index], comment, advocacy)


def _wave(
    name: str, actor: User, opens_at: datetime, closes_at: datetime, *, outcome: bool
) -> Survey:
    # The first wave asked the first version; later waves the version with the outcome.
    newest = questionnaires.load_shipped()
    instrument = newest if outcome else questionnaires.load_instrument()[0]
    survey = surveys.create_survey(
        surveys.SurveySpec(name, instrument.id, PrivacyMode.CONFIDENTIAL, opens_at, closes_at),
        actor,
        now=opens_at - timedelta(days=1),
    )
    surveys.launch_survey(survey, actor, now=opens_at - timedelta(hours=1))
    return survey


def _answer(
    survey: Survey,
    share: float,
    moment: datetime,
    skip: set[str],
    lifted: Collection[str] = (),
    drift: float = 0.0,
) -> int:
    """Answers from ``share`` of the audience; people in the ``lifted`` teams answer with the
    training's lift, and everyone with ``drift``."""
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
        path = user.department.path if user.department else ""
        lift = {
            dimension: drift + (TRAINING_LIFT.get(dimension, 0.0) if path in lifted else 0.0)
            for dimension in DIMENSION_SHIFT
        }
        answers = _answers(rng, user, survey, lift)
        responses.submit_response(invitation, answers, user.locale or "en", moment)
        answered += 1
    return answered


def is_seeded() -> bool:
    """Whether the demo's waves exist already (they are seeded once, with their history)."""
    return (
        db.session.execute(select(Survey.id).where(Survey.name == FIRST_WAVE)).first() is not None
    )


def seed_first_wave(actor: User, now: datetime) -> tuple[Survey, int]:
    """The first wave, five months ago: the first version, answered by most of the company."""
    survey = _wave(
        FIRST_WAVE, actor, now - timedelta(days=150), now - timedelta(days=120), outcome=False
    )
    return survey, _answer(survey, ANSWER_SHARE, now - timedelta(days=135), skip=set())


def seed_second_wave(actor: User, now: datetime, trained: set[str]) -> tuple[Survey, int]:
    """The second wave, two months ago, with the outcome question; the ``trained`` teams
    completed the training in between."""
    survey = _wave(
        SECOND_WAVE, actor, now - timedelta(days=60), now - timedelta(days=30), outcome=True
    )
    moment = now - timedelta(days=45)
    stored = _answer(survey, ANSWER_SHARE, moment, skip=set(), lifted=trained, drift=DRIFT)
    return survey, stored


def seed_open_wave(actor: User, now: datetime) -> tuple[Survey, int]:
    """The third wave, open now: a third of the company has answered; Ana has not, so the demo
    shows the form."""
    survey = _wave(
        OPEN_WAVE, actor, now - timedelta(days=2), now + timedelta(days=14), outcome=True
    )
    return survey, _answer(survey, 0.33, now - timedelta(hours=5), skip={"ana@demo.test"})
