"""Error pages: a friendly page for every HTTP error, never a stack trace; under /api/ the
API's JSON error format instead."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from cxculture.api import errors as api_errors
from cxculture.extensions import db
from cxculture.services.accounts.tokens import TokenRefused

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Nothing was changed.")),
    403: (
        _l("Access denied"),
        _l("Your account does not give access to this page. Ask HR if you think it should."),
    ),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"), ""),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The problem was recorded and nothing was saved. Please try again in a moment."),
    ),
}
CSRF_MESSAGE = _l(
    "The form had expired or was sent from somewhere else, so nothing was changed. "
    "Go back, reload the page and send it again."
)


def _render(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, (str(code), ""))
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message
    ), code


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if api_errors.is_api_request():
        return api_errors.http_error(error)
    return _render(error.code)


def handle_csrf_error(error: CSRFError):
    return _render(400, str(CSRF_MESSAGE))


def handle_too_large(error: RequestEntityTooLarge):
    if api_errors.is_api_request():
        return api_errors.http_error(error)
    limit = current_app.config["CX_ROSTER_MAX_MB"]
    return _render(
        413,
        str(_l("Files can have at most %(n)d MB. Nothing was changed.", n=limit)),
    )


def handle_server_error(error: InternalServerError):
    # Flask has logged the original exception; undo whatever the request left half-done.
    if api_errors.is_api_request():
        return api_errors.server_error()
    db.session.rollback()
    return _render(500)


def register_error_handlers(app: Flask) -> None:
    """Attach the error pages to ``app``."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)
    # Raised by the access hook for API endpoints: a 401 or 403 in the API's format.
    app.register_error_handler(TokenRefused, api_errors.token_refused)
