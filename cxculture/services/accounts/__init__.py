"""Accounts: logging in, sessions kept on the server, failed-login alerts, passwords and their
set-password links, the language preference, the first HR admin; and the API's tokens.

Callers use the functions below from ``cxculture.services.accounts``, and ``tokens`` for the
API tokens; ``login`` and ``passwords`` are its internals."""

from cxculture.services.accounts.login import (
    ALERT_AT_MOST,
    SESSION_TOKEN_BYTES,
    authenticate,
    delete_dead_sessions,
    end_every_session,
    end_session,
    find_user_by_email,
    load_session_user,
    normalise_email,
    note_failed_login,
    start_session,
)
from cxculture.services.accounts.passwords import (
    LINK_PLACEHOLDER,
    LINK_SALT,
    AccountError,
    EmailLooksTaken,
    EmailTaken,
    InvalidLink,
    UnsupportedLocale,
    WeakPassword,
    WrongPassword,
    change_password,
    create_admin,
    queue_set_password_emails,
    request_password_reset,
    set_password_token,
    set_password_with_token,
    set_preferred_locale,
    user_for_token,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.accounts import (  # isort: skip
    tokens,
)

__all__ = [
    "AccountError",
    "ALERT_AT_MOST",
    "authenticate",
    "change_password",
    "create_admin",
    "delete_dead_sessions",
    "EmailLooksTaken",
    "EmailTaken",
    "end_every_session",
    "end_session",
    "find_user_by_email",
    "InvalidLink",
    "LINK_PLACEHOLDER",
    "LINK_SALT",
    "load_session_user",
    "normalise_email",
    "note_failed_login",
    "queue_set_password_emails",
    "request_password_reset",
    "SESSION_TOKEN_BYTES",
    "set_password_token",
    "set_password_with_token",
    "set_preferred_locale",
    "start_session",
    "tokens",
    "UnsupportedLocale",
    "user_for_token",
    "WeakPassword",
    "WrongPassword",
]
