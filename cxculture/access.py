"""Who may call which endpoint: each view declares a policy, one hook enforces it.

The hook fails closed: an endpoint that declares nothing answers 403 to everyone, so a
forgotten decorator can never open a page. Object-level checks (may this person see this
department, this person?) are decided in one place, ``cxculture.services.org.reach``.

API endpoints declare ``api_scope(...)``: they take a bearer token holding that scope and never
read the session, so a logged-in browser has no more power there than anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cxculture.models import Role, utcnow
from cxculture.models.api_tokens import SCOPES
from cxculture.services.accounts import tokens

View = TypeVar("View", bound=Callable[..., object])

# Endpoints Flask and extensions register themselves; they only serve files.
FILE_ENDPOINTS = frozenset({"static", "bootstrap.static", "api_docs.static"})


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call an endpoint: anyone, any logged-in person, holders of one of ``roles``, or
    (for the API) bearers of a token holding ``api_scope``."""

    allows_anonymous: bool = False
    roles: frozenset[Role] = frozenset()
    api_scopes: frozenset[str] = frozenset()  # any one of them will do

    def describe(self) -> str:
        if self.api_scopes:
            return "token with " + " or ".join(sorted(self.api_scopes))
        if self.allows_anonymous:
            return "public"
        if not self.roles:
            return "logged-in"
        return " or ".join(sorted(self.roles))


def _declare(view: View, policy: AccessPolicy) -> View:
    view.access_policy = policy  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    """Anyone, logged in or not."""
    return _declare(view, AccessPolicy(allows_anonymous=True))


def login_required(view: View) -> View:
    """Any active, logged-in person."""
    return _declare(view, AccessPolicy())


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Logged-in people holding at least one of ``roles``."""
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorate(view: View) -> View:
        return _declare(view, AccessPolicy(roles=frozenset(roles)))

    return decorate


def api_scope(*scopes: str) -> Callable[[View], View]:
    """Requests carrying ``Authorization: Bearer <token>`` of a token holding one of
    ``scopes``; the session cookie is ignored."""
    if not scopes or set(scopes) - set(SCOPES):
        raise ValueError(f"unknown API scopes {scopes!r}")

    def decorate(view: View) -> View:
        return _declare(view, AccessPolicy(api_scopes=frozenset(scopes)))

    return decorate


def policy_of(app: Flask, endpoint: str) -> AccessPolicy | None:
    """The policy an endpoint declared, or None when it declared none."""
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def enforce_access_policy() -> ResponseReturnValue | None:
    """``before_request`` hook: apply the endpoint's declared policy."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in FILE_ENDPOINTS:
        return None  # 404/405 handled by routing, or a static file
    policy = policy_of(current_app, endpoint)
    if policy is None:
        current_app.logger.error("Endpoint %s declares no access policy; refused.", endpoint)
        abort(403)
    if policy.api_scopes:
        # tokens.TokenRefused, when raised, becomes the API's 401 or 403.
        g.api_token = tokens.authenticate(
            request.headers.get("Authorization"), policy.api_scopes, utcnow()
        )
        return None
    if policy.allows_anonymous:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if policy.roles and not (policy.roles & current_user.roles):
        abort(403)
    return None
