"""Configuration from the environment: safe defaults, and refusals with a clear reason."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

import config as settings
from config import ConfigurationError, DevelopmentConfig, ProductionConfig, config_class
from cxculture import PROJECT_ROOT, create_app
from cxculture.extensions import db


def test_development_defaults_to_sqlite_under_instance(tmp_path):
    config = DevelopmentConfig(tmp_path, environ={})
    assert f"sqlite:///{tmp_path / 'cxculture.db'}" == config.SQLALCHEMY_DATABASE_URI
    assert config.CX_MIN_GROUP_SIZE == 5
    assert config.CX_MIN_COMMENT_GROUP_SIZE == 10
    assert config.REDIS_URL is None
    assert config.MAIL_SERVER is None


def test_development_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = DevelopmentConfig(tmp_path, environ={}).SECRET_KEY
    second = DevelopmentConfig(tmp_path, environ={}).SECRET_KEY
    assert first == second
    assert len(first) >= 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        ProductionConfig(tmp_path, environ={"DATABASE_URL": "postgresql://db/cx"})
    assert not (tmp_path / "secret_key").exists()


def test_production_sends_cookies_only_over_https(tmp_path):
    config = ProductionConfig(tmp_path, environ={"SECRET_KEY": "x" * 64})
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h:5432/cx", "postgresql+psycopg://u@h:5432/cx"),
        ("postgres://u@h/cx", "postgresql+psycopg://u@h/cx"),
        ("postgresql+psycopg://u@h/cx", "postgresql+psycopg://u@h/cx"),
        ("sqlite:////data/cx.db", "sqlite:////data/cx.db"),
    ],
)
def test_database_url_is_read_from_the_environment(tmp_path, given, used):
    config = DevelopmentConfig(tmp_path, environ={"DATABASE_URL": given})
    assert used == config.SQLALCHEMY_DATABASE_URI


def test_thresholds_and_services_are_read_from_the_environment(tmp_path):
    config = DevelopmentConfig(
        tmp_path,
        environ={
            "CX_MIN_GROUP_SIZE": "7",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "MAIL_SERVER": "smtp.example.test",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "false",
        },
    )
    assert config.CX_MIN_GROUP_SIZE == 7
    assert config.REDIS_URL == "redis://127.0.0.1:6379/0"
    assert (config.MAIL_SERVER, config.MAIL_PORT, config.MAIL_USE_TLS) == (
        "smtp.example.test",
        2525,
        False,
    )


@pytest.mark.parametrize("value", ["five", "2"])
def test_unusable_group_size_is_refused(tmp_path, value):
    with pytest.raises(ConfigurationError, match="CX_MIN_GROUP_SIZE"):
        DevelopmentConfig(tmp_path, environ={"CX_MIN_GROUP_SIZE": value})


def test_configuration_is_chosen_by_name(monkeypatch):
    assert config_class("production") is ProductionConfig
    monkeypatch.setenv("CXCULTURE_CONFIG", "testing")
    assert config_class() is settings.TestingConfig
    with pytest.raises(ConfigurationError, match="Unknown configuration"):
        config_class("staging")


def test_templates_and_static_files_live_at_the_top_level(app):
    assert app.template_folder == str(PROJECT_ROOT / "templates")
    assert app.static_folder == str(PROJECT_ROOT / "static")


def test_create_app_accepts_a_configuration_instance(tmp_path):
    app = create_app(settings.TestingConfig(tmp_path, environ={"CX_MIN_GROUP_SIZE": "6"}))
    assert app.config["CX_MIN_GROUP_SIZE"] == 6
    assert app.config["TESTING"] is True


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings")
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


SSO = {
    "CX_OIDC_ISSUER": "https://login.example.test/realms/acme",
    "CX_OIDC_CLIENT_ID": "cxculture",
    "CX_OIDC_CLIENT_SECRET": "secret",
}


def test_single_sign_on_is_off_and_password_login_on_by_default(tmp_path):
    config = DevelopmentConfig(tmp_path, environ={})
    assert config.CX_OIDC_ISSUER is None
    assert config.CX_PASSWORD_LOGIN is True
    assert config.CX_OIDC_EMAIL_CLAIM == "email"
    assert config.CX_OIDC_TRUST_EMAIL_CLAIM is False
    assert not config.CX_OIDC_ALLOWED_DOMAINS
    assert not config.CX_BREAK_GLASS_EMAILS


def test_single_sign_on_settings_are_read_and_normalised(tmp_path):
    environ = {
        **SSO,
        "CX_OIDC_ISSUER": "https://tenant.example.test/",  # kept as written: compared exactly
        "CX_OIDC_ALLOWED_DOMAINS": " Example.TEST, @acme.example ,",
        "CX_BREAK_GLASS_EMAILS": "HR@Example.test",
        "CX_PASSWORD_LOGIN": "off",
        "CX_OIDC_EMAIL_CLAIM": "upn",
        "CX_OIDC_TRUST_EMAIL_CLAIM": "true",
    }
    config = DevelopmentConfig(tmp_path, environ=environ)
    assert config.CX_OIDC_ISSUER == "https://tenant.example.test/"
    assert sorted(config.CX_OIDC_ALLOWED_DOMAINS) == ["acme.example", "example.test"]
    assert sorted(config.CX_BREAK_GLASS_EMAILS) == ["hr@example.test"]
    assert config.CX_PASSWORD_LOGIN is False
    assert (config.CX_OIDC_EMAIL_CLAIM, config.CX_OIDC_TRUST_EMAIL_CLAIM) == ("upn", True)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CX_OIDC_ISSUER": SSO["CX_OIDC_ISSUER"]}, "needs CX_OIDC_CLIENT_ID"),
        ({**SSO, "CX_OIDC_CLIENT_SECRET": ""}, "needs CX_OIDC_CLIENT_ID"),
        ({"CX_OIDC_CLIENT_ID": "cxculture"}, "without CX_OIDC_ISSUER"),
        ({"CX_PASSWORD_LOGIN": "off"}, "single sign-on is not set up"),
        ({**SSO, "CX_OIDC_ISSUER": "http://login.example.test"}, "must be an https:// URL"),
        ({**SSO, "CX_OIDC_ISSUER": "login.example.test"}, "must be an https:// URL"),
        ({**SSO, "CX_OIDC_ISSUER": "https://login.example.test/?x=1"}, "query or a fragment"),
        (
            {**SSO, "CX_OIDC_ISSUER": "https://login.microsoftonline.com/common/v2.0"},
            "must name your Microsoft Entra tenant",
        ),
        ({**SSO, "CX_OIDC_ALLOWED_DOMAINS": "example.test, not a domain"}, "must list domains"),
        ({**SSO, "CX_BREAK_GLASS_EMAILS": "hr"}, "must list email addresses"),
        ({**SSO, "CX_OIDC_EMAIL_CLAIM": "e mail"}, "must be a claim name"),
    ],
)
def test_unsafe_or_incomplete_single_sign_on_is_refused(tmp_path, environ, message):
    with pytest.raises(ConfigurationError, match=message):
        DevelopmentConfig(tmp_path, environ=environ)


def test_a_provider_on_this_machine_may_use_plain_http(tmp_path):
    environ = {**SSO, "CX_OIDC_ISSUER": "http://127.0.0.1:8080"}
    assert DevelopmentConfig(tmp_path, environ=environ).CX_OIDC_ISSUER == "http://127.0.0.1:8080"
