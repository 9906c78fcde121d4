"""Test data in one call each: departments, people and heads."""

from __future__ import annotations

import itertools
from datetime import timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Department, PrivacyMode, Survey, User, utcnow
from cxculture.services.org import ensure_department
from cxculture.services.surveys import SurveySpec, create_survey, launch_survey
from cxculture.services.surveys.questionnaires import load_instrument, load_shipped
from cxculture.services.surveys.responses import AnswerSet

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@cache
def password_hash(password: str) -> str:
    # Hashing is deliberately slow; tests share one hash per password.
    return generate_password_hash(password)


def make_department(path: str = "Operations/Contact Center") -> Department:
    department = ensure_department(path)
    db.session.commit()
    return department


def make_user(
    *,
    email: str | None = None,
    name: str | None = None,
    department: Department | str | None = "Operations/Contact Center",
    heads: tuple[str, ...] = (),
    is_hr_admin: bool = False,
    is_active: bool = True,
    locale: str | None = None,
    password: str | None = PASSWORD,
    employee_number: str | None = None,
) -> User:
    n = next(_sequence)
    if isinstance(department, str):
        department = ensure_department(department)
    user = User(
        email=email or f"person{n}@example.test",
        name=name or f"Person {n}",
        employee_number=employee_number or f"E{n:05d}",
        department=department,
        is_hr_admin=is_hr_admin,
        is_active=is_active,
        locale=locale,
        password_hash=password_hash(password) if password else None,
    )
    db.session.add(user)
    user.headed_departments = [ensure_department(path) for path in heads]
    db.session.commit()
    return user


def make_instrument():
    """The shipped Customer Orientation Index, loaded once per test database."""
    instrument, _created = load_instrument()
    return instrument


def make_outcome_instrument():
    """The newest shipped version: the same items, then the 0-10 outcome question."""
    return load_shipped()


def make_survey(
    *,
    name: str = "Wave 1",
    privacy_mode: PrivacyMode = PrivacyMode.CONFIDENTIAL,
    departments: tuple[str, ...] = (),
    opens_in: timedelta = timedelta(days=-1),
    closes_in: timedelta = timedelta(days=14),
    launch: bool = True,
    actor: User | None = None,
    instrument=None,
    live_results: bool = False,
) -> Survey:
    """A survey around the real current time, launched unless ``launch`` is False."""
    now = utcnow()
    actor = actor or make_user(is_hr_admin=True, department="People")
    instrument = instrument or make_instrument()
    spec = SurveySpec(
        name=name,
        instrument_id=instrument.id,
        privacy_mode=privacy_mode,
        opens_at=now + opens_in,
        closes_at=now + closes_in,
        department_ids=[ensure_department(path).id for path in departments],
        live_results=live_results,
    )
    survey = create_survey(spec, actor, now)
    if launch:
        launch_survey(survey, actor, now)
    return survey


def full_answers(
    survey: Survey, value: int = 4, statement: str = "I serve our customers.", advocacy: int = 8
) -> AnswerSet:
    """A complete answer set giving ``value`` to every item (and ``advocacy`` to the outcome
    question where the questionnaire asks it)."""
    return AnswerSet(
        values={item.id: value for item in survey.instrument.items},
        role_statement=statement,
        advocacy=advocacy if survey.instrument.outcome_question is not None else None,
    )


def closed_release(survey: Survey) -> disclosure.Release:
    """Close ``survey`` now (if it is not closed yet) and read its results as released: what
    every page, file and API answer shows."""
    now = utcnow()
    if survey.state(now).value != "closed":
        survey.closed_at = now
        db.session.commit()
    return disclosure.release_of(survey, now)


def make_user_without_email(*, employee_number: str | None = None, **kwargs) -> User:
    """A person without a mailbox, known by their employee number: no email, no password."""
    user = make_user(password=None, employee_number=employee_number, **kwargs)
    user.email = None
    db.session.commit()
    return user
