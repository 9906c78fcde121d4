"""Logging in: who an email and password name, sessions kept on the server, and the alerts
sent to an account's holder after repeated failed logins."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from flask import current_app
from limits import parse
from sqlalchemy import CursorResult, bindparam, delete, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from cxculture.extensions import db, limiter
from cxculture.models import User, UserSession, utcnow
from cxculture.services import mail

log = logging.getLogger(__name__)


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
    """The active account matching both ``email`` and ``password``, else None (never why).
    An account without an email never logs in with a password (it has none to match)."""
    user = find_user_by_email(email) if email.strip() else None
    usable = user is not None and user.email is not None and user.password_hash
    stored = user.password_hash if user is not None and usable else None
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


# The user loader's statement, built once: every request only binds the token and the time.
_SESSION_USER = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.expires_at > bindparam("now"),
        UserSession.session_version == User.session_version,
        User.is_active.is_(True),
    )
)


def load_session_user(token: str) -> User | None:
    """The user a session cookie's token names (Flask-Login's user loader), if the session
    exists, has not expired, was opened under the account's current session version (a
    password change or a deactivation ends every session opened before) and the account is
    active. One query."""
    if not isinstance(token, str):
        return None
    user = db.session.execute(
        _SESSION_USER, {"token_hash": _token_hash(token), "now": utcnow()}
    ).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Delete the session ``token`` names (logging out): its cookie no longer signs anyone in."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
        db.session.commit()


def end_every_session(user: User) -> None:
    """Delete all of ``user``'s sessions (with the session version bumped, they are refused
    anyway; this leaves nothing for ``maintain`` to clean). The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def delete_dead_sessions(now: datetime) -> int:
    """Delete the sessions that can never sign anyone in again: expired, or opened under an
    older session version (password changed, account deactivated). Returns how many."""
    current_version = (
        select(User.session_version).where(User.id == UserSession.user_id).scalar_subquery()
    )
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    deleted = cast(
        CursorResult[Any],
        db.session.execute(
            delete(UserSession)
            .where(
                or_(UserSession.expires_at <= now, UserSession.session_version != current_version)
            )
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    db.session.commit()
    return deleted


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
    if user is None or not user.is_active or user.email is None:
        return False
    now = utcnow()
    window = timedelta(seconds=threshold.get_expiry())
    # The window started with the first counted failure (fixed or moving window alike).
    first = datetime.fromtimestamp(stats.reset_time, UTC) - window
    _queue_login_alert(user, threshold.amount, min(max(first, now - window), now), now)
    db.session.commit()
    return True


def _queue_login_alert(user: User, count: int, first: datetime, last: datetime) -> None:
    if user.email is None:  # nothing to send it to (and no password to guess)
        return
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    subject, body = mail.render_email(
        "login_alert",
        locale,
        count=count,
        first=first,
        last=last,
        link=mail.absolute_url("auth.change_password"),
    )
    mail.queue_message("login_alert", user.email, locale, subject, body)
