"""Accounts: logging in, sessions, passwords, language preference and the first HR admin."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, select
from werkzeug.security import check_password_hash, generate_password_hash

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import OutboxMessage, User
from cxculture.passwords import PasswordProblem, password_problems
from cxculture.services import audit


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
    db.session.flush()
    audit.record(None, "org.admin_created", "user", user.id)
    db.session.commit()
    return user


def set_preferred_locale(user: User, locale: str) -> None:
    """Remember the language this person wants the product in."""
    if locale not in SUPPORTED_LOCALES:
        raise UnsupportedLocale(locale)
    user.locale = locale
    db.session.commit()


# Set-password links: signed with the app's secret, expiring, and single-use because they are
# bound to the account's current password and session version, which setting a password changes.
LINK_SALT = "cxculture.set-password"
LINK_PLACEHOLDER = "{link}"


class InvalidLink(AccountError):
    """A set-password link that is forged, expired, already used or for a closed account."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def _stamp(user: User) -> str:
    """Changes whenever the password, the session version or the email does (a link sent to a
    mistyped address dies when the address is corrected)."""
    material = f"{user.password_hash or ''}:{user.session_version}:{user.email}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def set_password_token(user: User) -> str:
    return _serializer().dumps([user.id, _stamp(user)])


def user_for_token(token: str) -> User:
    """The active account a set-password link is for; InvalidLink when it cannot be used."""
    max_age = current_app.config["CX_SET_PASSWORD_DAYS"] * 24 * 3600
    try:
        user_id, stamp = _serializer().loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError) as exc:  # expired links are bad signatures too
        raise InvalidLink() from exc
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or stamp != _stamp(user):
        raise InvalidLink()
    return user


def set_password_with_token(token: str, new_password: str) -> User:
    """Set the password a link was sent for; the link (and every other) stops working."""
    user = user_for_token(token)
    user.password_hash = _hash_new_password(new_password, user.email)
    user.session_version += 1
    db.session.commit()
    return user


def queue_set_password_emails(users: Sequence[User], kind: str = "set_password") -> int:
    """Queue one ``kind`` email (``set_password`` for newcomers, ``password_reset`` on
    request) per person with their own set-password link (the caller commits).

    The email is rendered once per language and the link put in per person, so tens of
    thousands of newcomers cost one bulk insert."""
    from cxculture.services.mail import absolute_url, render_email

    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    rendered: dict[str, tuple[str, str]] = {}
    # Tokens are URL-safe: one link built with a marker, then the marker swapped per person.
    marker = "TOKEN-MARKER"
    link_pattern = absolute_url("auth.set_password", token=marker)
    rows = []
    for user in users:
        locale = user.locale or default_locale
        if locale not in rendered:
            rendered[locale] = render_email(kind, locale, link=LINK_PLACEHOLDER)
        subject, body = rendered[locale]
        link = link_pattern.replace(marker, set_password_token(user))
        rows.append(
            {
                "kind": kind,
                "to_email": user.email,
                "locale": locale,
                "subject": subject,
                "body": body.replace(LINK_PLACEHOLDER, link),
            }
        )
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    return len(rows)


def request_password_reset(email: str) -> bool:
    """Email a set-password link to the active account of ``email``, if there is one. The
    caller shows the same message either way; returns whether an email was queued."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return False
    queue_set_password_emails([user], kind="password_reset")
    db.session.commit()
    return True
