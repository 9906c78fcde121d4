"""Test data in one call each: departments, people and heads."""

from __future__ import annotations

import itertools
from functools import cache

from werkzeug.security import generate_password_hash

from cxculture.extensions import db
from cxculture.models import Department, User
from cxculture.services.org import ensure_department

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
