"""Single sign-on's rules: which person a provider's verified address names (nobody is ever
created), who may still use a password once password login is off, and the audit entries of
both. The protocol itself (state, nonce, PKCE, the ID token's checks) is the web layer's, in
``cxculture.auth.oidc``; its refusals come here to be noted too."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from cxculture.extensions import db
from cxculture.models import User
from cxculture.services import audit
from cxculture.services.accounts.login import find_user_by_email, normalise_email

# Why a sign-in was refused: the codes the audit trail keeps (and labels) and the login page
# explains.
REASONS = (
    "denied",  # the person declined at the provider, or the provider would not sign them in
    "provider_error",  # the provider answered with another error (its code is kept)
    "provider_unavailable",  # the provider could not be reached, or answered nonsense
    "issuer_mismatch",  # its discovery document names another issuer than CX_OIDC_ISSUER
    "bad_state",  # an answer to no sign-in started in this browser, or one already used
    "bad_token",  # the ID token failed a check (the failed check is kept)
    "no_email",  # no address in the configured claim
    "unverified_email",  # the provider does not vouch for the address
    "domain_not_allowed",  # the address is outside CX_OIDC_ALLOWED_DOMAINS
    "unknown_email",  # no account uses the address
    "inactive_account",  # the account using the address is deactivated
)
MAX_EMAIL_LENGTH = 254


class SignInRefused(Exception):
    """A single sign-on that signs nobody in. ``reason`` is one of REASONS; the rest is what
    the audit entry notes: the provider's error code or the failed check (``detail``), the
    address's domain (never the address) or the account concerned."""

    def __init__(
        self,
        reason: str,
        *,
        detail: str | None = None,
        email_domain: str | None = None,
        person: User | None = None,
    ):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.email_domain = email_domain
        self.person = person


def person_for_claims(claims: Mapping[str, object]) -> User:
    """The active person whose address the provider verified in ``claims`` (the ID token's),
    with their login noted in the trail (``accounts.start_session`` commits both); else
    SignInRefused. Nobody is created: the roster alone says who works here."""
    config = current_app.config
    claim = config["CX_OIDC_EMAIL_CLAIM"]
    raw = claims.get(claim)
    email = normalise_email(raw) if isinstance(raw, str) else ""
    local, _at, domain = email.rpartition("@")
    if not local or not domain or len(email) > MAX_EMAIL_LENGTH:
        raise SignInRefused("no_email")
    if not _is_verified(claims, claim, trusted=config["CX_OIDC_TRUST_EMAIL_CLAIM"]):
        raise SignInRefused("unverified_email", email_domain=domain)
    allowed = config["CX_OIDC_ALLOWED_DOMAINS"]
    if allowed and domain not in allowed:
        raise SignInRefused("domain_not_allowed", email_domain=domain)
    person = find_user_by_email(email)
    if person is None:
        raise SignInRefused("unknown_email", email_domain=domain)
    if not person.is_active:
        raise SignInRefused("inactive_account", person=person)
    audit.record(person, "auth.sso_login", "user", person.id)
    return person


def _is_verified(claims: Mapping[str, object], claim: str, *, trusted: bool) -> bool:
    """Whether the provider vouches that the address in ``claim`` is the person's.

    ``email_verified`` speaks of the ``email`` claim only, and so does Microsoft's ``xms_edov``
    (the address's domain is one the Entra tenant has proven it owns); any other claim counts
    only when CX_OIDC_TRUST_EMAIL_CLAIM says the provider's administrators alone set it.
    Some providers send the flag as the string "true"."""
    if trusted:
        return True
    if claim != "email":
        return False
    flags = (claims.get("email_verified"), claims.get("xms_edov"))
    return any(flag is True or flag == "true" for flag in flags)


def record_refusal(refusal: SignInRefused) -> None:
    """Note a refused sign-in in the trail, with nobody as the actor, and commit."""
    if refusal.person is not None:
        audit.record(None, "auth.sso_refused", "user", refusal.person.id, reason=refusal.reason)
    elif refusal.email_domain is not None:
        audit.record(
            None,
            "auth.sso_refused",
            "sign_in",
            0,
            reason=refusal.reason,
            email_domain=refusal.email_domain,
        )
    elif refusal.detail is not None:
        audit.record(
            None, "auth.sso_refused", "sign_in", 0, reason=refusal.reason, detail=refusal.detail
        )
    else:
        audit.record(None, "auth.sso_refused", "sign_in", 0, reason=refusal.reason)
    db.session.commit()


def may_use_password(person: User) -> bool:
    """Whether ``person`` may log in with a password (or set one): anyone while password login
    is on; once it is off, only an active HR admin listed in CX_BREAK_GLASS_EMAILS (listed but
    no longer HR admin: refused, so the list cannot outlive the role)."""
    config = current_app.config
    if config["CX_PASSWORD_LOGIN"]:
        return True
    return bool(
        person.is_active
        and person.is_hr_admin
        and person.email is not None
        and person.email in config["CX_BREAK_GLASS_EMAILS"]
    )


def may_reset_password(email: str) -> bool:
    """Whether a forgotten-password link may go to the account ``email`` names (the caller
    answers the same either way)."""
    if current_app.config["CX_PASSWORD_LOGIN"]:
        return True
    person = find_user_by_email(email)
    return person is not None and may_use_password(person)


def note_break_glass_login(person: User) -> None:
    """Note in the trail that ``person`` used a password while password login is off (the
    caller's ``accounts.start_session`` commits)."""
    audit.record(person, "auth.break_glass_login", "user", person.id)
