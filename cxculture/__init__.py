"""cxculture: surveys, department mindset scores and micro-training for customer-centric culture."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask, Response, request
from flask_babel import lazy_gettext
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_class
from cxculture import models  # noqa: F401 - registers every model on the metadata
from cxculture.access import enforce_access_policy
from cxculture.api.spec import init_api
from cxculture.audit.routes import bp as audit_bp
from cxculture.auth import oidc
from cxculture.auth.routes import bp as auth_bp
from cxculture.catalogue.routes import bp as catalogue_bp
from cxculture.cli import register_commands
from cxculture.dashboards import effects as _effects  # noqa: F401 - its routes join dashboards_bp
from cxculture.dashboards.routes import bp as dashboards_bp
from cxculture.errors import register_error_handlers
from cxculture.extensions import (
    babel,
    bootstrap,
    content_security_policy,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    talisman,
)
from cxculture.home.routes import bp as home_bp
from cxculture.hr.reach import bp as reach_bp
from cxculture.hr.routes import bp as hr_bp
from cxculture.i18n import select_locale
from cxculture.instruments.routes import bp as instruments_bp
from cxculture.people.routes import bp as people_bp
from cxculture.plans.routes import bp as plans_bp
from cxculture.roster.routes import bp as roster_bp
from cxculture.routing import register_converters
from cxculture.services.accounts import load_session_user
from cxculture.surveys.passes import bp as passes_bp
from cxculture.surveys.routes import bp as surveys_bp
from cxculture.templating import register_template_helpers
from cxculture.training.routes import bp as training_bp
from cxculture.uploads import UploadClosingRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_app(config: str | type[Config] | Config | None = None) -> Flask:
    """Build the application: ``config`` is a configuration name, class or instance."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    if not isinstance(config, Config):
        cls = config if isinstance(config, type) else config_class(config)
        config = cls(app.instance_path)
    app.config.from_object(config)
    app.request_class = UploadClosingRequest

    _init_extensions(app)
    register_converters(app.url_map)
    _register_blueprints(app)

    app.before_request(enforce_access_policy)
    app.after_request(_never_stored)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    if app.config["CX_PROXY_COUNT"]:
        # Behind that many proxies, the client's address and scheme come from their headers.
        count = app.config["CX_PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware; to mypy, wsgi_app is a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    return app


def _never_stored(response: Response) -> Response:
    """``Cache-Control: no-store`` on every answer but the static files (ASVS 14.3.2): pages of
    signed-in people, downloads and API data stay out of browser and proxy caches, and so do
    the login page's CSRF token and the charts (whose ETag still answers 304)."""
    endpoint = request.endpoint or ""
    if endpoint != "static" and not endpoint.endswith(".static"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    # render_as_batch lets Alembic alter SQLite tables by copying them.
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        content_security_policy=content_security_policy(app.config),
        # HTTPS is the proxy's job (CX_PROXY_COUNT); redirecting here would loop without it.
        force_https=False,
        frame_options="DENY",
        referrer_policy="same-origin",
        # Leave the cookie flags to the configuration (Secure in production only).
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    oidc.init_app(app)  # single sign-on, when CX_OIDC_ISSUER is set

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    login_manager.login_message = lazy_gettext("Please log in to open this page.")


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(hr_bp, url_prefix="/hr")
    app.register_blueprint(audit_bp, url_prefix="/hr/audit")
    app.register_blueprint(instruments_bp, url_prefix="/hr/instruments")
    app.register_blueprint(catalogue_bp, url_prefix="/hr/modules")
    app.register_blueprint(people_bp, url_prefix="/hr/org")
    app.register_blueprint(roster_bp, url_prefix="/hr/roster")
    app.register_blueprint(surveys_bp, url_prefix="/surveys")
    app.register_blueprint(reach_bp, url_prefix="/hr/surveys")
    app.register_blueprint(passes_bp)  # personal links (/s/...) and the answer-code page (/code)
    app.register_blueprint(training_bp, url_prefix="/training")
    app.register_blueprint(dashboards_bp, url_prefix="/dashboards")
    app.register_blueprint(plans_bp, url_prefix="/plans")
    init_api(app)  # /api/v1, its OpenAPI document and documentation page


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: WAL so readers never block the writer, a busy timeout, and enforced foreign keys."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the app loses
    # nothing, a power cut can lose the last commits. FULL would sync each one.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
