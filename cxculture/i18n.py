"""Which language a request is served in: the person's setting, else the browser's, else English."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

SESSION_KEY = "locale"
LANGUAGE_NAMES = {"en": "English", "pt_BR": "Português (Brasil)", "es": "Español"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["CX_LOCALES"])


def select_locale() -> str:
    """Flask-Babel's locale selector (outside a request, as in commands: the default)."""
    locales = supported_locales()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in locales:
        return chosen
    return browser_locale(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]


def browser_locale(locales: tuple[str, ...]) -> str | None:
    """The best of ``locales`` for the request's Accept-Language, matching on the language alone
    when no region matches: a reader in Portugal (pt-PT) gets Portuguese, not English."""
    exact = request.accept_languages.best_match(locales)
    if exact:
        return exact
    by_language = {code.replace("-", "_").split("_")[0].lower(): code for code in locales}
    for accepted, _quality in request.accept_languages:
        match = by_language.get(accepted.replace("-", "_").split("_")[0].lower())
        if match:
            return match
    return None
