"""Accounts: logging in, sessions, passwords, language preference and the first HR admin."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from sqlalchemy import delete, insert, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from config import SUPPORTED_LOCALES
from cxculture.extensions import db, limiter
from cxculture.models import OutboxMessage, User, UserSession, utcnow
from cxculture.passwords import PasswordProblem, password_problems
from cxculture.services import audit

log = logging.getLogger(__name__)


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


# Sessions live on the server: the cookie carries a random token (Flask-Login's identity, see
# User.get_id) and user_sessions keeps its SHA-256, the account's session version at login and
# an expiry. Logging out deletes the row, so a copy of the cookie taken before signs nobody in.
SESSION_TOKEN_BYTES = 32


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> User:
    """Open a session for ``user`` lasting PERMANENT_SESSION_LIFETIME, and return ``user``
    carrying its token, ready for ``login_user`` to put in the cookie."""
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            session_version=user.session_version,
            created_at=now,
            expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"],
        )
    )
    db.session.commit()
    user.session_token = token
    return user


def load_session_user(token: str) -> User | None:
    """The user a session cookie's token names (Flask-Login's user loader), if the session
    exists, has not expired, was opened under the account's current session version (a
    password change or a deactivation ends every session opened before) and the account is
    active. One query."""
    if not isinstance(token, str):
        return None
    user = db.session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == _token_hash(token),
            UserSession.expires_at > utcnow(),
            UserSession.session_version == User.session_version,
            User.is_active.is_(True),
        )
    ).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Delete the session ``token`` names (logging out): its cookie no longer signs anyone in."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
        db.session.commit()


def _end_every_session(user: User) -> None:
    """Delete all of ``user``'s sessions (with the session version bumped, they are refused
    anyway; this leaves nothing for ``maintain`` to clean). The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def delete_dead_sessions(now: datetime) -> int:
    """Delete the sessions that can never sign anyone in again: expired, or opened under an
    older session version (password changed, account deactivated). Returns how many."""
    current_version = (
        select(User.session_version).where(User.id == UserSession.user_id).scalar_subquery()
    )
    deleted = db.session.execute(
        delete(UserSession)
        .where(or_(UserSession.expires_at <= now, UserSession.session_version != current_version))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted


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
    _end_every_session(user)
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
    everyone = LookAlikes(db.session.execute(select(User.email)).scalars())
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
    _end_every_session(user)
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


# Alerts of failed logins: counted per account, whatever the address, in Flask-Limiter's storage
# (Redis when REDIS_URL is set, so every process counts together; no table).
ALERT_AT_MOST = parse("1 per hour")


def note_failed_login(email: str) -> bool:
    """Count a failed login naming ``email``; when the account's failures reach CX_LOGIN_ALERT,
    queue one ``login_alert`` email to its holder (at most one an hour per account).

    Every failure is counted the same way whether or not the account exists; only an active
    account gets an email. Returns whether one was queued: the caller hands it to the workers
    and answers the same either way."""
    email = normalise_email(email)[:254]
    threshold = parse(current_app.config["CX_LOGIN_ALERT"])
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    counted = (prefix, "login-alert", email)
    alerted = (prefix, "login-alert-sent", email)
    try:
        strategy = limiter.limiter
        if not strategy.hit(threshold, *counted):
            return False  # beyond the threshold: the failure that reached it decided
        stats = strategy.get_window_stats(threshold, *counted)
        if stats.remaining > 0 or not strategy.hit(ALERT_AT_MOST, *alerted):
            return False
    except Exception:  # the alert is a courtesy: a storage outage must not break the login
        log.exception("Could not count a failed login for the login alert")
        return False
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return False
    now = utcnow()
    window = timedelta(seconds=threshold.get_expiry())
    # The window started with the first counted failure (fixed or moving window alike).
    first = datetime.fromtimestamp(stats.reset_time, UTC) - window
    _queue_login_alert(user, threshold.amount, min(max(first, now - window), now), now)
    db.session.commit()
    return True


def _queue_login_alert(user: User, count: int, first: datetime, last: datetime) -> None:
    from cxculture.services.mail import absolute_url, render_email

    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    subject, body = render_email(
        "login_alert",
        locale,
        count=count,
        first=first,
        last=last,
        link=absolute_url("auth.change_password"),
    )
    db.session.add(
        OutboxMessage(
            kind="login_alert", to_email=user.email, locale=locale, subject=subject, body=body
        )
    )
