"""The API's one error format, for every status: ``{"error": {"code", "message", "details"}}``.

``code`` is a stable machine-readable word, ``message`` an English sentence for people (the API
speaks English whatever the caller's language), ``details`` an object: for invalid input,
location (``json``, ``query``, ``path``) -> field -> list of messages.
"""

from __future__ import annotations

import math
import time

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from cxculture.extensions import db, limiter
from cxculture.services.accounts.tokens import TokenRefused

API_PREFIX = "/api/"

MESSAGES = {
    400: ("bad_request", "The request could not be understood. Nothing was changed."),
    401: ("unauthorized", "A valid API token is needed: Authorization: Bearer <token>."),
    403: ("forbidden", "This token may not do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "The request conflicts with the current state. Nothing was changed."),
    413: ("too_large", "The request body is too large."),
    422: ("invalid_input", "Some fields are invalid. Nothing was changed."),
    429: ("rate_limited", "Too many requests with this token. Wait, then try again."),
    500: ("server_error", "Something went wrong; nothing was saved. Try again in a moment."),
}
TOKEN_REFUSALS = {
    "missing": (401, "No API token: send Authorization: Bearer <token>."),
    "malformed": (401, "The Authorization header must be: Bearer <token>."),
    "unknown": (401, "This API token is not valid."),
    "revoked": (401, "This API token was revoked."),
    "expired": (401, "This API token has expired."),
    "owner_inactive": (
        401,
        "The HR admin who created this API token is no longer an active HR admin.",
    ),
    "scope": (
        403,
        "This API token has none of the scopes this endpoint needs (details.required_scopes).",
    ),
}


class ApiError(HTTPException):
    """An error the API answers with: HTTP ``status``, a ``code`` word and a message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.details = details or {}
        self.extra_headers = headers or {}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def invalid_fields(messages: dict) -> str:
    """``"Some fields are invalid: json.email, query.limit."``, from webargs' messages."""
    names = [
        f"{location}.{field}" if isinstance(fields, dict) else location
        for location, fields in messages.items()
        for field in (fields if isinstance(fields, dict) else [None])
    ]
    return f"Some fields are invalid: {', '.join(names)}. Nothing was changed."


def _kept_headers(error: HTTPException) -> dict[str, str]:
    """Headers that belong to the status (Allow for 405, WWW-Authenticate for 401)."""
    return {
        name: value
        for name, value in error.get_headers()
        if name.lower() in {"allow", "www-authenticate", "retry-after"}
    }


def _retry_after() -> dict[str, str]:
    limit = limiter.current_limit
    if limit is None:
        return {}
    return {"Retry-After": str(max(1, math.ceil(limit.reset_at - time.time())))}


def http_error(error: HTTPException) -> Response:
    """Any HTTP error on an API path, in the API's format."""
    status = error.code or 500
    if isinstance(error, ApiError):
        return error_response(
            status, error.error_code, error.description or "", error.details, error.extra_headers
        )
    code, message = MESSAGES.get(status, (error.name.lower().replace(" ", "_"), error.name))
    headers = _kept_headers(error)
    data = getattr(error, "data", None) or {}
    details: dict = {}
    if "messages" in data:  # webargs: the body or the query did not validate
        details = data["messages"]
        if status == 422:
            message = invalid_fields(details)
        elif status == 400:
            message = "The body is not valid JSON. Nothing was changed."
    if status == 429:
        headers.update(_retry_after())
    if status >= 500:
        db.session.rollback()
    return error_response(status, code, message, details, headers)


def token_refused(refusal: TokenRefused) -> Response:
    """401 for a missing or unusable token, 403 for a token without the endpoint's scope."""
    status, message = TOKEN_REFUSALS[refusal.reason]
    if status == 403:
        challenge = f'Bearer error="insufficient_scope", scope="{" ".join(refusal.scopes)}"'
        details = {"required_scopes": refusal.scopes}
        return error_response(
            403, "insufficient_scope", message, details, {"WWW-Authenticate": challenge}
        )
    challenge = 'Bearer realm="cxculture"'
    if refusal.reason != "missing":
        challenge += ', error="invalid_token"'
    return error_response(
        401, f"token_{refusal.reason}", message, {}, {"WWW-Authenticate": challenge}
    )


def server_error() -> Response:
    """A 500 (Flask has logged the exception): undo whatever the request left half-done."""
    db.session.rollback()
    return error_response(500, *MESSAGES[500])
