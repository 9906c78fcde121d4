"""Accounts: logging in, sessions, passwords, language preference and the first HR admin."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import User
from cxculture.passwords import PasswordProblem, password_problems


class AccountError(Exception):
    """Base of the errors the account use cases raise."""


class WrongPassword(AccountError):
    """The current password given does not match."""


class WeakPassword(AccountError):
    """The new password breaks one or more rules."""

    def __init__(self, problems: list[PasswordProblem]):
        super().__init__(", ".join(problems))
        self.problems = problems


class EmailTaken(AccountError):
    """Another account already uses this email address."""


class UnsupportedLocale(AccountError):
    """The language asked for is not one the product ships."""


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and in lower case."""
    return email.strip().lower()


@cache
def _decoy_hash() -> str:
    # Checked when no usable account matches, so a wrong email costs as long as a wrong password.
    return generate_password_hash(secrets.token_hex(16))


def find_user_by_email(email: str) -> User | None:
    """The account registered under ``email``, whatever its state."""
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active account matching both ``email`` and ``password``, else None (never why)."""
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or _decoy_hash(), password)
    if user is None or stored is None or not matches or not user.is_active:
        return None
    return user


def load_session_user(session_id: str) -> User | None:
    """The user a session cookie names, if the account is active and the session still current."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def _hash_new_password(password: str, email: str) -> str:
    problems = password_problems(password, email)
    if problems:
        raise WeakPassword(problems)
    return generate_password_hash(password)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one; every other session ends."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise WrongPassword()
    user.password_hash = _hash_new_password(new_password, user.email)
    user.session_version += 1
    db.session.commit()


def create_admin(email: str, name: str, password: str) -> User:
    """Create an HR admin account: the first step of a real installation."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        name=name.strip(),
        is_hr_admin=True,
        password_hash=_hash_new_password(password, email),
    )
    db.session.add(user)
    db.session.commit()
    return user


def set_preferred_locale(user: User, locale: str) -> None:
    """Remember the language this person wants the product in."""
    if locale not in SUPPORTED_LOCALES:
        raise UnsupportedLocale(locale)
    user.locale = locale
    db.session.commit()
