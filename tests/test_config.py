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
