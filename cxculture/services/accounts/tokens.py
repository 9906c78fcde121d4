"""API tokens: issuing (the secret is shown once), listing, revoking, and checking a bearer token
on each API request.

A token is ``cx_`` followed by 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits).
Only its SHA-256 is stored: a high-entropy secret needs no slow hash, and the digest is what the
database is searched by, so a stolen copy of the table opens nothing. The first characters are
kept as a prefix so HR can recognise a token in the list.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from cxculture.extensions import db
from cxculture.models import ApiToken, User
from cxculture.models.api_tokens import SCOPES
from cxculture.services import audit

TOKEN_START = "cx_"  # noqa: S105 - a visible marker, not a secret
PREFIX_LENGTH = len(TOKEN_START) + 8  # shown in lists: "cx_" and the first 8 random characters
NAME_MAX_LENGTH = 100
MAX_VALID_DAYS = 3650
# Last use is written at most once a minute per token: reads stay reads.
LAST_USED_PRECISION = timedelta(minutes=1)

# What each scope lets a token do, as HR's pages and the audit log say it.
SCOPE_LABELS = {
    "people:read": _l("Read people and departments"),
    "people:write": _l("Create, update and deactivate people"),
    "results:read": _l("Read surveys and their guarded results"),
    "training:read": _l("Read training completion"),
}

__all__ = [
    "SCOPES",
    "SCOPE_LABELS",
    "InvalidTokenRequest",
    "IssuedToken",
    "TokenRefused",
    "authenticate",
    "issue_token",
    "list_tokens",
    "revoke_token",
]


class InvalidTokenRequest(ValueError):
    """A token that cannot be issued: no name, no known scope, or a validity out of range."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


class TokenRefused(Exception):
    """A request's bearer token does not allow it; ``reason`` says why, nothing was done.

    Reasons: ``missing`` (no Authorization header), ``malformed`` (not ``Bearer <token>``),
    ``unknown``, ``revoked``, ``expired``, ``owner_inactive`` (its HR admin left or lost the
    role), and ``scope`` (valid, but without any of the ``scopes`` needed).
    """

    def __init__(self, reason: str, scopes: Iterable[str] = ()):
        super().__init__(reason)
        self.reason = reason
        self.scopes = sorted(scopes)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which exists nowhere else: show it once."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(raw: Iterable[str] | str) -> list[str]:
    """Scopes from a list or a comma- or space-separated text, in the canonical order;
    InvalidTokenRequest("scopes") when one is unknown or none is given."""
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    wanted = {scope.strip() for scope in raw if scope.strip()}
    if not wanted or wanted - set(SCOPES):
        raise InvalidTokenRequest("scopes")
    return [scope for scope in SCOPES if scope in wanted]


def issue_token(
    name: str,
    scopes: Iterable[str] | str,
    actor: User | None,
    now: datetime,
    valid_days: int | None = None,
) -> IssuedToken:
    """Create a token named ``name`` with ``scopes`` (expiring after ``valid_days`` days when
    given) for ``actor`` (None: made on the command line)."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidTokenRequest("name")
    chosen = parse_scopes(scopes)
    if valid_days is not None and not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidTokenRequest("valid_days")
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        scopes=" ".join(chosen),
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + timedelta(days=valid_days) if valid_days is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor,
        "api.token_created",
        "api_token",
        token.id,
        name=name,
        prefix=token.prefix,
        scopes=chosen,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    db.session.commit()
    return IssuedToken(token, secret)


def list_tokens() -> list[ApiToken]:
    """Every token, newest first (revoked and expired ones included, for the record)."""
    return list(db.session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars())


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def revoke_token(token: ApiToken, actor: User, now: datetime) -> None:
    """Stop ``token`` working from now on (revoking twice changes nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    token.revoked_by_id = actor.id
    audit.record(actor, "api.token_revoked", "api_token", token.id, name=token.name)
    db.session.commit()


def _secret_from(header: str | None) -> str:
    if not header or not header.strip():
        raise TokenRefused("missing")
    kind, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if kind.lower() != "bearer" or not secret or " " in secret:
        raise TokenRefused("malformed")
    return secret


def authenticate(header: str | None, scopes: Iterable[str], now: datetime) -> ApiToken:
    """The token an ``Authorization`` header carries, if it holds one of ``scopes`` and may be
    used now; TokenRefused otherwise. Notes the token's last use (at most once a minute)."""
    secret = _secret_from(header)
    digest = hash_secret(secret)
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest)
    ).scalar_one_or_none()
    # The lookup is by digest; the comparison makes the match itself constant-time.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRefused("unknown")
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    if token.is_expired(now):
        raise TokenRefused("expired")
    owner = token.created_by
    if owner is not None and not (owner.is_active and owner.is_hr_admin):
        raise TokenRefused("owner_inactive")
    if not token.scope_set & set(scopes):
        raise TokenRefused("scope", scopes)
    _note_use(token, now)
    return token


def _note_use(token: ApiToken, now: datetime) -> None:
    """Record the last use in its own small transaction, before the request's work."""
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_PRECISION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def token_status(token: ApiToken, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked``, for lists."""
    if token.revoked_at is not None:
        return "revoked"
    if token.is_expired(now):
        return "expired"
    return "active"
