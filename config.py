"""Configuration classes for cxculture, read from environment variables.

Pick one with ``CXCULTURE_CONFIG`` (``development``, ``testing`` or ``production``) or pass it to
``cxculture.create_app``. Values are read when the class is instantiated, not at import, so a
test or a command can change the environment first.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse

SUPPORTED_LOCALES = ("en", "pt_BR", "es")
# Single sign-on: hosts where an issuer may use plain http, Microsoft's issuers that answer for
# every tenant, and what a domain and a claim's name look like.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
ENTRA_SHARED_TENANTS = frozenset({"common", "organizations", "consumers"})
DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
CLAIM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


class ConfigurationError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}.") from exc


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """A rate such as "10 per 15 minutes" (the ``limits`` library's notation), checked now."""
    raw = (environ.get(name) or "").strip() or default
    try:
        parse(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must read like {default!r}, got {raw!r}.") from exc
    return raw


def _items(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list, each item trimmed and in lower case, the empty ones left out."""
    return [item.strip().lower() for item in (environ.get(name) or "").split(",") if item.strip()]


def _domains(environ: Mapping[str, str], name: str) -> frozenset[str]:
    """Email domains such as "example.com" (a leading "@" is allowed), checked now."""
    domains = frozenset(item.removeprefix("@") for item in _items(environ, name))
    for domain in sorted(domains):
        if not DOMAIN.fullmatch(domain):
            raise ConfigurationError(f"{name} must list domains like example.com, got {domain!r}.")
    return domains


def _emails(environ: Mapping[str, str], name: str) -> frozenset[str]:
    """Email addresses, compared as accounts store them (trimmed, in lower case)."""
    emails = frozenset(_items(environ, name))
    for email in sorted(emails):
        local, _at, domain = email.rpartition("@")
        if not local or not DOMAIN.fullmatch(domain):
            raise ConfigurationError(f"{name} must list email addresses, got {email!r}.")
    return emails


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver this project ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment."""

    name = "base"

    def __init__(self, instance_path: str | Path, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.instance_path = Path(instance_path)

        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            env.get("DATABASE_URL") or self.default_database_url()
        )
        # A server database's connections can drop while pooled (a restart, a proxy's idle
        # timeout): each is checked as it leaves the pool. SQLite's file has nothing to drop.
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_pre_ping": not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        }
        self.SECRET_KEY = env.get("SECRET_KEY") or self.fallback_secret_key()

        # Anonymity thresholds: no group numbers below the first, no free text below the second.
        self.CX_MIN_GROUP_SIZE = _int(env, "CX_MIN_GROUP_SIZE", 5)
        self.CX_MIN_COMMENT_GROUP_SIZE = _int(env, "CX_MIN_COMMENT_GROUP_SIZE", 10)
        if self.CX_MIN_GROUP_SIZE < 3:
            raise ConfigurationError("CX_MIN_GROUP_SIZE below 3 would expose individuals.")
        # Surveys set to live results are released at most this often while open (a snapshot
        # per day by default, so releases say nothing finer than the day of an answer).
        self.CX_LIVE_RESULTS_HOURS = _int(env, "CX_LIVE_RESULTS_HOURS", 24)
        if self.CX_LIVE_RESULTS_HOURS < 0:
            raise ConfigurationError("CX_LIVE_RESULTS_HOURS cannot be negative.")

        self.REDIS_URL = env.get("REDIS_URL") or None
        # Failed logins allowed per (account, address) pair and per address before a pause
        # (Flask-Limiter). Never per account alone: a stranger could lock its holder out.
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        if env.get("CX_LOGIN_LIMIT_ACCOUNT"):
            raise ConfigurationError(
                "CX_LOGIN_LIMIT_ACCOUNT is gone: failed logins now pause an (account, address) "
                "pair, set by CX_LOGIN_LIMIT_PAIR. Rename the variable."
            )
        self.CX_LOGIN_LIMIT_PAIR = _limit(env, "CX_LOGIN_LIMIT_PAIR", "10 per 15 minutes")
        self.CX_LOGIN_LIMIT_ADDRESS = _limit(env, "CX_LOGIN_LIMIT_ADDRESS", "50 per 15 minutes")
        # Failed answer-code entries (the kiosk page): per code typed, and per address (a shared
        # tablet is one address for a whole store, so its limit is wider).
        self.CX_CODE_LIMIT_CODE = _limit(env, "CX_CODE_LIMIT_CODE", "5 per hour")
        self.CX_CODE_LIMIT_ADDRESS = _limit(env, "CX_CODE_LIMIT_ADDRESS", "30 per 15 minutes")
        # Failed logins on one account, from any address, that email its holder (once an hour).
        self.CX_LOGIN_ALERT = _limit(env, "CX_LOGIN_ALERT", "5 per 15 minutes")
        # Password-reset requests per account and per address.
        self.CX_RESET_LIMIT = env.get("CX_RESET_LIMIT") or "3 per hour"
        self.CX_RESET_LIMIT_ADDRESS = env.get("CX_RESET_LIMIT_ADDRESS") or "20 per hour"
        # Requests allowed per API token (429 beyond).
        self.CX_API_RATE_LIMIT = env.get("CX_API_RATE_LIMIT") or "1200 per minute"
        # How many proxies sit in front of the app (their X-Forwarded-For/-Proto are trusted).
        self.CX_PROXY_COUNT = _int(env, "CX_PROXY_COUNT", 0)
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = _int(env, "MAIL_PORT", 587)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _bool(env, "MAIL_USE_TLS", True)
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER") or "cxculture@localhost"
        # "Forgot your password?" by email: the link must reach the person, so it is on when a
        # mail server is set (or where the log is read as the mailbox: development, tests);
        # off, the login page sends people to HR, who can send them a set-password link.
        self.CX_PASSWORD_RESET = _bool(
            env, "CX_PASSWORD_RESET", self.MAIL_SERVER is not None or self.mail_log_is_read
        )

        # Single sign-on with an OpenID provider (off while CX_OIDC_ISSUER is empty). The issuer
        # is compared character for character with the one the provider announces, so it is
        # kept as written (a trailing slash included).
        self.CX_OIDC_ISSUER = (env.get("CX_OIDC_ISSUER") or "").strip() or None
        self.CX_OIDC_CLIENT_ID = (env.get("CX_OIDC_CLIENT_ID") or "").strip() or None
        self.CX_OIDC_CLIENT_SECRET = env.get("CX_OIDC_CLIENT_SECRET") or None
        # What the button says after "Sign in with" ("Microsoft", "Google", "Acme ID").
        self.CX_OIDC_NAME = (env.get("CX_OIDC_NAME") or "").strip() or None
        # Domains whose addresses may sign in; empty: any address of a person in the roster.
        self.CX_OIDC_ALLOWED_DOMAINS = _domains(env, "CX_OIDC_ALLOWED_DOMAINS")
        # The ID token claim holding the person's address, and whether to take it as verified
        # without email_verified: only for a claim the provider's administrators alone can set
        # (Entra ID's upn in a single-tenant registration), never for a self-service address.
        self.CX_OIDC_EMAIL_CLAIM = (env.get("CX_OIDC_EMAIL_CLAIM") or "").strip() or "email"
        self.CX_OIDC_TRUST_EMAIL_CLAIM = _bool(env, "CX_OIDC_TRUST_EMAIL_CLAIM", False)
        # Off: only single sign-on, except for the HR admins listed as break-glass accounts,
        # who keep a password for the day the provider is down (at /auth/login?password=1).
        self.CX_PASSWORD_LOGIN = _bool(env, "CX_PASSWORD_LOGIN", True)
        self.CX_BREAK_GLASS_EMAILS = _emails(env, "CX_BREAK_GLASS_EMAILS")
        self._check_sign_in()

        # Links in emails point here; the zone is the one dates are entered and shown in.
        self.CX_BASE_URL = (env.get("CX_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.BABEL_DEFAULT_TIMEZONE = env.get("CX_TIMEZONE") or "UTC"
        # A folder of <lang>.yaml files adding the company's trade words to the role test.
        self.CX_LEXICON_DIR = env.get("CX_LEXICON_DIR") or None
        # A folder of <lang>.yaml files adding the company's own comment themes and cue words.
        self.CX_THEMES_DIR = env.get("CX_THEMES_DIR") or None
        # Set-password links expire after this many days; roster files stop at this size.
        self.CX_SET_PASSWORD_DAYS = _int(env, "CX_SET_PASSWORD_DAYS", 7)
        self.CX_ROSTER_MAX_MB = _int(env, "CX_ROSTER_MAX_MB", 20)
        # Days after a survey's closing date before HR may delete its free-text answers.
        self.CX_FREE_TEXT_RETENTION_DAYS = _int(env, "CX_FREE_TEXT_RETENTION_DAYS", 365)
        if self.CX_FREE_TEXT_RETENTION_DAYS < 0:
            raise ConfigurationError("CX_FREE_TEXT_RETENTION_DAYS cannot be negative.")
        # Any request body: the largest roster plus room for the rest of its form.
        self.MAX_CONTENT_LENGTH = self.CX_ROSTER_MAX_MB * 1024 * 1024 + 64 * 1024

        self.SESSION_COOKIE_SECURE = _bool(env, "SESSION_COOKIE_SECURE", self.secure_cookies)

    # Values every environment shares.
    SQLALCHEMY_RECORD_QUERIES = False
    BABEL_DEFAULT_LOCALE = "en"
    CX_LOCALES = SUPPORTED_LOCALES
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    RATELIMIT_KEY_PREFIX = "cxculture"
    RATELIMIT_HEADERS_ENABLED = False
    # A Redis outage must not lock everyone out: count in memory meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    secure_cookies = False
    mail_log_is_read = False  # emails written to the log reach nobody

    def _check_sign_in(self) -> None:
        """Refuse single sign-on settings that cannot work or would not be safe."""
        issuer = self.CX_OIDC_ISSUER
        if issuer is None:
            if self.CX_OIDC_CLIENT_ID or self.CX_OIDC_CLIENT_SECRET:
                raise ConfigurationError(
                    "CX_OIDC_CLIENT_ID or CX_OIDC_CLIENT_SECRET is set without CX_OIDC_ISSUER."
                )
            if not self.CX_PASSWORD_LOGIN:
                raise ConfigurationError(
                    "CX_PASSWORD_LOGIN is off but single sign-on is not set up (CX_OIDC_ISSUER): "
                    "nobody but the break-glass accounts could log in."
                )
            return
        if not (self.CX_OIDC_CLIENT_ID and self.CX_OIDC_CLIENT_SECRET):
            raise ConfigurationError(
                "CX_OIDC_ISSUER needs CX_OIDC_CLIENT_ID and CX_OIDC_CLIENT_SECRET, from the "
                "application registered at the provider."
            )
        parts = urlsplit(issuer)
        # Plain http only for a provider on this machine (development).
        is_local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
        if not (parts.scheme == "https" or is_local) or not parts.hostname:
            raise ConfigurationError(f"CX_OIDC_ISSUER must be an https:// URL, got {issuer!r}.")
        if parts.query or parts.fragment:
            raise ConfigurationError("CX_OIDC_ISSUER cannot hold a query or a fragment.")
        tenant = parts.path.strip("/").split("/")[0]
        if parts.hostname == "login.microsoftonline.com" and tenant in ENTRA_SHARED_TENANTS:
            # These answer for every Microsoft tenant: anyone's account could sign in.
            raise ConfigurationError(
                "CX_OIDC_ISSUER must name your Microsoft Entra tenant "
                f"(https://login.microsoftonline.com/<tenant id>/v2.0), not {tenant!r}."
            )
        if not CLAIM_NAME.fullmatch(self.CX_OIDC_EMAIL_CLAIM):
            raise ConfigurationError(
                f"CX_OIDC_EMAIL_CLAIM must be a claim name, got {self.CX_OIDC_EMAIL_CLAIM!r}."
            )

    def default_database_url(self) -> str:
        return f"sqlite:///{self.instance_path / 'cxculture.db'}"

    def fallback_secret_key(self) -> str:
        """Development keeps one generated key under instance/, so sessions survive restarts."""
        key_file = self.instance_path / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


class DevelopmentConfig(Config):
    """Local use: SQLite under instance/ and a generated secret key."""

    name = "development"
    mail_log_is_read = True  # the developer reads emails in the log


class TestingConfig(Config):
    """The test suite: CXCULTURE_TEST_DATABASE_URL selects PostgreSQL, else a SQLite file."""

    name = "testing"
    TESTING = True
    mail_log_is_read = True  # tests read the outbox

    def __init__(self, instance_path: str | Path, environ: Mapping[str, str] | None = None):
        env = dict(os.environ if environ is None else environ)
        if env.get("CXCULTURE_TEST_DATABASE_URL"):
            env["DATABASE_URL"] = env["CXCULTURE_TEST_DATABASE_URL"]
        env.setdefault("SECRET_KEY", "testing-only-secret")
        super().__init__(instance_path, env)

    def default_database_url(self) -> str:
        return f"sqlite:///{self.instance_path / 'cxculture-test.db'}"


class ProductionConfig(Config):
    """Behind gunicorn: a real SECRET_KEY is required and cookies are Secure."""

    name = "production"
    secure_cookies = True

    def fallback_secret_key(self) -> str:
        raise ConfigurationError(
            "SECRET_KEY is not set. Production refuses to start without one: generate a long "
            "random value (for example `python -c 'import secrets; print(secrets.token_hex(32))'`) "
            "and export it as SECRET_KEY."
        )


CONFIGS: dict[str, type[Config]] = {
    cls.name: cls for cls in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def config_class(name: str | None = None) -> type[Config]:
    """The configuration class named by ``name`` or by ``CXCULTURE_CONFIG``."""
    chosen = (name or os.environ.get("CXCULTURE_CONFIG") or "development").strip().lower()
    try:
        return CONFIGS[chosen]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise ConfigurationError(
            f"Unknown configuration {chosen!r}; use one of: {known}."
        ) from None
