"""Passwords and accounts: the password rules, changing a password, set-password links for
newcomers and forgotten passwords, the language preference and the first HR admin.

A person without an email (known by their employee number) has no password: they answer
surveys with printed codes. Nothing here gives them one, nor sends them a link."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import User
from cxculture.passwords import PasswordProblem, password_problems
from cxculture.services import audit, mail
from cxculture.services.accounts.login import end_every_session, find_user_by_email, normalise_email
from cxculture.services.accounts.sso import may_use_password


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


class NoMailbox(AccountError):
    """The account has no email: it cannot have a password (one logs in with both)."""


def _hash_new_password(password: str, email: str | None) -> str:
    if email is None:
        raise NoMailbox()
    problems = password_problems(password, email)
    if problems:
        raise WeakPassword(problems)
    return generate_password_hash(password)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one; every other session ends."""
    if user.email is None:
        raise NoMailbox()
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise WrongPassword()
    user.password_hash = _hash_new_password(new_password, user.email)
    user.session_version += 1
    end_every_session(user)
    db.session.commit()


class EmailLooksTaken(EmailTaken):
    """Nobody has this address, but it differs from another account's (``other``) only by
    look-alike characters (another alphabet, full-width or stylised letters)."""

    def __init__(self, email: str, other: str):
        super().__init__(email, other)
        self.other = other

    def __str__(self) -> str:
        return f"{self.args[0]} looks like {self.other}, differing only by look-alike characters"


def create_admin(email: str, name: str, password: str) -> User:
    """Create an HR admin account: the first step of a real installation. An address that
    looks like another account's (TR39 skeletons) is refused like a taken one."""
    from cxculture.emails import LookAlikes, normalised

    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    found = db.session.execute(select(User.email).where(User.email.is_not(None))).scalars()
    everyone = LookAlikes(address for address in found if address is not None)
    other = everyone.find(normalised(email) or email, besides=(email,))
    if other is not None:
        raise EmailLooksTaken(email, other)
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
    """The active account a set-password link is for; InvalidLink when it cannot be used (an
    account without an email has no password to set: a link for it is forged or stale)."""
    max_age = current_app.config["CX_SET_PASSWORD_DAYS"] * 24 * 3600
    try:
        user_id, stamp = _serializer().loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError) as exc:  # expired links are bad signatures too
        raise InvalidLink() from exc
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or user.email is None or stamp != _stamp(user):
        raise InvalidLink()
    return user


def set_password_with_token(token: str, new_password: str) -> User:
    """Set the password a link was sent for; the link (and every other) stops working."""
    user = user_for_token(token)
    user.password_hash = _hash_new_password(new_password, user.email)
    user.session_version += 1
    end_every_session(user)
    db.session.commit()
    return user


def queue_set_password_emails(users: Sequence[User], kind: str = "set_password") -> int:
    """Queue one ``kind`` email (``set_password`` for newcomers, ``password_reset`` on
    request) per person with their own set-password link (the caller commits).

    The email is rendered once per language and the link put in per person, so tens of
    thousands of newcomers cost one bulk insert. People without an email are left out: they
    get no link, and have no password; so is everyone when password login is off (single sign-on
    only), but for the break-glass HR admins."""
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    rendered: dict[str, tuple[str, str]] = {}
    # Tokens are URL-safe: one link built with a marker, then the marker swapped per person.
    marker = "TOKEN-MARKER"
    link_pattern = mail.absolute_url("auth.set_password", token=marker)
    rows = []
    for user in users:
        if user.email is None or not may_use_password(user):
            continue
        locale = user.locale or default_locale
        if locale not in rendered:
            rendered[locale] = mail.render_email(kind, locale, link=LINK_PLACEHOLDER)
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
    return mail.queue_messages(rows)


def request_password_reset(email: str) -> bool:
    """Email a set-password link to the active account of ``email``, if there is one. The
    caller shows the same message either way; returns whether an email was queued."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return False
    queue_set_password_emails([user], kind="password_reset")
    db.session.commit()
    return True
