"""The API wired into an app: flask-smorest builds the OpenAPI document from the routes and
schemas; CSRF is off for the API blueprint only (it reads no cookie, so a forged request from
another site carries no authority); every request counts against its token's rate limit."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Api

from cxculture.api.docs import bp as docs_bp
from cxculture.api.routes import bp as api_bp
from cxculture.api.schemas import ErrorSchema, StrictBoolean
from cxculture.extensions import csrf, limiter
from cxculture.models.api_tokens import SCOPES

EXTENSION_KEY = "cxculture-api"

DESCRIPTION = f"""\
The JSON API for HR systems and BI tools: keep people and departments in step, pull survey
results (behind the same anonymity guard as the pages) and training completion.

**Authentication.** Every call carries `Authorization: Bearer <token>`. HR creates tokens in the
app (HR → API tokens) or with `flask --app cxculture create-api-token`; each holds scopes:
{", ".join(f"`{scope}`" for scope in SCOPES)}. Session cookies are ignored here.

**Pages.** Lists take `limit` (1-1000, default 100) and `cursor`; pass the `next_cursor` of a
page to get the next one; it is `null` on the last page.

**Errors.** Every error is `{{"error": {{"code", "message", "details"}}}}`: 400 (unreadable JSON,
a cursor not made here), 401 (no usable token), 403 (a token without the scope), 404, 405, 409
(the record changed meanwhile, or an action the current state forbids), 422 (invalid fields,
named in `details`), 429 (the token's rate limit; see `Retry-After`). Messages are in English.
"""


TAGS = {
    "Departments": "The department tree (any scope).",
    "People": "People kept in step with the HR system (people:read, people:write).",
    "Surveys": "Surveys and their guarded results (results:read).",
    "Training": "Training completion per module (training:read).",
}


class CxApi(Api):
    """flask-smorest with the API's error format documented, and its own error handler left
    out: ``cxculture.errors`` answers every error, in JSON under /api/ and as pages elsewhere."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


def _rate_limit_key() -> str:
    """Per token (by its digest, so no database lookup comes first), else per address."""
    header = request.headers.get("Authorization", "")
    if header.strip():
        return "api-token:" + hashlib.sha256(header.strip().encode()).hexdigest()[:32]
    return "api-anonymous:" + get_remote_address()


limiter.limit(
    lambda: current_app.config["CX_API_RATE_LIMIT"],
    key_func=_rate_limit_key,
)(api_bp)


def init_api(app: Flask) -> CxApi:
    """Register the API and its documentation on ``app``."""
    app.config.update(
        API_TITLE="cxculture API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=None,  # the document and its page are served by docs_bp
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API token made by HR.",
                    }
                }
            },
        },
    )
    api = CxApi(app)
    api.register_field(StrictBoolean, "boolean", None)
    csrf.exempt(api_bp)
    api.register_blueprint(api_bp)
    # Operations are grouped by area (their own tags); drop the blueprint's empty group.
    api.spec._tags = [tag for tag in api.spec._tags if tag["name"] != api_bp.name]
    for name, description in TAGS.items():
        api.spec.tag({"name": name, "description": description})
    app.register_blueprint(docs_bp)
    app.extensions[EXTENSION_KEY] = api
    return api
