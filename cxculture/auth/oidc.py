"""Single sign-on with an OpenID provider: Authlib's Flask client set up from CX_OIDC_*, and the
checks Authlib leaves to its caller.

Authlib keeps each sign-in's state, nonce and PKCE verifier in the session, checks the state
when the provider sends the person back (and forgets it, so an answer works once), and checks
the ID token's signature, expiry, nonce and issuer (against the discovery document). It does not
check that the discovery document names the configured issuer, nor the token's audience unless
told to: both are done here. Who the verified address names is ``services.accounts.sso``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, request, session
from joserfc.errors import ClaimError, JoseError
from werkzeug.wrappers import Response

from cxculture.services.accounts.sso import SignInRefused

CLIENT = "oidc"
EXTENSION = "authlib.integrations.flask_client"  # where Authlib's OAuth keeps itself on the app
SCOPES = "openid email profile"
TIMEOUT_SECONDS = 10  # a provider that does not answer must not hold a worker for long
# Session keys: the ID token (for the logout's id_token_hint), and Authlib's sign-ins in flight.
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 - a session key's name, not a secret
PENDING_PREFIX = f"_state_{CLIENT}_"
# A larger ID token (a provider packing many groups into it) would push the session cookie past
# what browsers keep; the logout then goes without the hint (the provider asks who leaves).
MAX_ID_TOKEN_LENGTH = 2500
ERROR_CODE = re.compile(r"[a-z0-9_.-]{1,64}")  # a provider's error code, as the trail keeps it


@dataclass(frozen=True)
class SignIn:
    """A provider's answer that passed every check: the ID token and its claims."""

    claims: dict[str, Any]
    id_token: str


def init_app(app: Flask) -> None:
    """Register the provider's client on ``app`` when CX_OIDC_ISSUER is set. Each app gets its
    own registry: Authlib's keeps one client per name, whatever app asks."""
    issuer = app.config["CX_OIDC_ISSUER"]
    if not issuer:
        return
    OAuth(app).register(
        CLIENT,
        client_id=app.config["CX_OIDC_CLIENT_ID"],
        client_secret=app.config["CX_OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )


def is_configured() -> bool:
    """Whether single sign-on is set up."""
    return bool(current_app.config["CX_OIDC_ISSUER"])


def _client() -> Any:  # Authlib ships no type information
    return current_app.extensions[EXTENSION].create_client(CLIENT)


def _metadata() -> dict[str, Any]:
    """The provider's discovery document (read once per process, then kept by Authlib), refused
    unless it names the configured issuer (OpenID Connect Discovery 1.0, section 4.3): else the
    code and the client secret would go to endpoints nobody vouched for."""
    try:
        metadata = _client().load_server_metadata()
    except (requests.RequestException, ValueError, TypeError) as exc:
        current_app.logger.warning("The OpenID provider's discovery document failed: %s", exc)
        raise SignInRefused("provider_unavailable") from exc
    issuer = current_app.config["CX_OIDC_ISSUER"]
    if metadata.get("issuer") != issuer:
        current_app.logger.error(
            "The OpenID provider names its issuer %r, not CX_OIDC_ISSUER %r: sign-in refused.",
            metadata.get("issuer"),
            issuer,
        )
        raise SignInRefused("issuer_mismatch")
    return metadata


def begin(redirect_uri: str) -> Response:
    """Send the person to the provider with a new state, nonce and PKCE challenge.

    Sign-ins left unfinished in this browser are forgotten first: each one weighs on the
    session cookie, and only the latest can still come back."""
    _metadata()
    for key in [key for key in session if key.startswith(PENDING_PREFIX)]:
        session.pop(key)
    client = _client()
    try:
        started = client.create_authorization_url(redirect_uri)
    except RuntimeError as exc:  # the discovery document names no authorization endpoint
        raise SignInRefused("provider_unavailable") from exc
    url = started.pop("url")  # the session needs the state, nonce and verifier, not the URL
    client.save_authorize_data(redirect_uri=redirect_uri, **started)
    return redirect(url)


def finish() -> SignIn:
    """Check the provider's answer to ``begin`` (the request's query) and return the verified
    ID token with its claims; else SignInRefused."""
    client = _client()
    error = request.args.get("error")
    if error is not None:
        _end_pending(client)
        code = _code(error)
        raise SignInRefused("denied" if code == "access_denied" else "provider_error", detail=code)
    _metadata()  # before the code and the client secret go to its token endpoint
    config = current_app.config
    try:
        token = client.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": config["CX_OIDC_ISSUER"]},
                "aud": {"essential": True, "value": config["CX_OIDC_CLIENT_ID"]},
            }
        )
    except MismatchingStateError as exc:
        raise SignInRefused("bad_state") from exc
    except OAuthError as exc:  # the token endpoint refused the code
        raise SignInRefused("provider_error", detail=_code(exc.error)) from exc
    except ClaimError as exc:  # a wrong issuer, audience or nonce; expired; a claim missing
        raise SignInRefused("bad_token", detail=_code(exc.claim)) from exc
    except JoseError as exc:  # a bad signature, an unknown key, not a token at all
        raise SignInRefused("bad_token", detail=_code(exc.error)) from exc
    except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
        current_app.logger.warning("The OpenID provider's token endpoint failed: %s", exc)
        raise SignInRefused("provider_unavailable") from exc
    claims, id_token = token.get("userinfo"), token.get("id_token")
    if not isinstance(claims, dict) or not isinstance(id_token, str):
        raise SignInRefused("bad_token", detail="id_token")  # an OAuth answer, not OpenID
    return SignIn(dict(claims), id_token)


def _end_pending(client: Any) -> None:
    """An error answer ends the sign-in its state names. It signs nobody in, so one without a
    state is taken at its word (some providers leave it out); a state this browser was never
    given is refused as such."""
    state = request.args.get("state")
    if state is None:
        return
    if client.framework.get_state_data(session, state) is None:
        raise SignInRefused("bad_state")
    client.framework.clear_state_data(session, state)


def _code(value: object) -> str:
    return value if isinstance(value, str) and ERROR_CODE.fullmatch(value) else "other"


def keep_id_token(id_token: str) -> None:
    """Remember, in this browser's session, that it signed in with the provider."""
    session[ID_TOKEN_KEY] = id_token if len(id_token) <= MAX_ID_TOKEN_LENGTH else ""


def forget_id_token() -> None:
    session.pop(ID_TOKEN_KEY, None)


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """Where a person who signed in with the provider in this browser ends their session there
    too (RP-initiated logout, coming back to ``post_logout_redirect_uri``); None when they did
    not, or the provider offers no such page."""
    id_token = session.get(ID_TOKEN_KEY)
    if id_token is None or not is_configured():
        return None
    try:
        metadata = _metadata()
    except SignInRefused:
        return None
    endpoint = metadata.get("end_session_endpoint")
    issuer = current_app.config["CX_OIDC_ISSUER"]
    # Logging out is a form, and the page's form-action lets the browser follow its redirect to
    # the issuer's origin only (extensions.content_security_policy).
    if not isinstance(endpoint, str) or _origin(endpoint) != _origin(issuer):
        return None
    url: str = _client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token or None,
        client_id=current_app.config["CX_OIDC_CLIENT_ID"],
    )["url"]
    return url


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
