"""Fixtures: an app per test on SQLite (default) or PostgreSQL, clients, and logged-in people."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from config import TestingConfig, normalise_database_url
from cxculture import create_app
from cxculture.extensions import db
from cxculture.models import User
from cxculture.models.audit import APPEND_ONLY_TRIGGERS
from tests import factories

CSRF_PATTERN = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    target = make_url(normalise_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CXCULTURE_TEST_DATABASE_URL")
    if url:
        ensure_postgres_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'cxculture-test.db'}"


class ClosingClient(FlaskClient):
    """The test client, closing every response once read, as a WSGI server does: what the app
    does after the answer has gone (delivering email) happens before the test reads on."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def build_app(database_url: str, instance_path, **environ: str) -> Flask:
    """A testing app on ``database_url``; ``environ`` adds environment variables."""
    env = {"CXCULTURE_TEST_DATABASE_URL": database_url, **environ}
    app = create_app(TestingConfig(instance_path, environ=env))
    app.test_client_class = ClosingClient
    return app


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    app = build_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_tables() -> None:
    """Empty every table, the audit trail too: only the schema's owner can lift its guard, and
    here only inside this transaction (on the connection, below the ORM's guard)."""
    tables = list(reversed(db.metadata.sorted_tables))
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        connection.execute(
            text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate")
        )
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        # Self-referencing rows (a department's parent) are checked at commit, not row by row.
        connection.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in tables:
            connection.execute(table.delete())
        connection.execute(text(APPEND_ONLY_TRIGGERS["sqlite"][1]))
        # AUTOINCREMENT remembers the highest id ever given; each test starts from 1 again.
        connection.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


@pytest.fixture
def app(_schema: None, database_url: str, tmp_path) -> Iterator[Flask]:
    """A fresh app on the shared schema; every table is emptied afterwards.

    No application context stays pushed during the test: each request gets its own, as in
    production (Flask would otherwise share ``g``, and so the logged-in user, across requests).
    Tests that work on the database directly use the ``ctx`` fixture or ``app.app_context()``.
    """
    app = build_app(database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.rollback()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests of models and services (no requests)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered page."""
    match = CSRF_PATTERN.search(html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def rounded(value):
    """``value`` with every float to 9 places, dataclasses as dicts: a database sums rows in the
    order it stores them, and updating rows may change that order (and a float's last digit)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return rounded(dataclasses.asdict(value))
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


class Browser:
    """Acts like a person in a browser: opens pages, fills forms (with their CSRF token)."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def post_form(self, page: str, data: dict[str, str], action: str | None = None, **kwargs):
        """Open ``page``, then submit ``data`` to ``action`` (the page itself by default)."""
        token = csrf_token(self.client.get(page, **kwargs).get_data(as_text=True))
        return self.client.post(action or page, data={"csrf_token": token, **data}, **kwargs)

    def login(self, email: str, password: str = factories.PASSWORD, **kwargs):
        return self.post_form("/auth/login", {"email": email, "password": password}, **kwargs)

    def logout(self):
        return self.post_form("/me", {}, action="/auth/logout")

    def use_language(self, locale: str):
        """Choose the interface language, as the switcher in the page footer does."""
        return self.post_form("/me", {"locale": locale, "next": "/me"}, action="/language")


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


@dataclass(frozen=True)
class Person:
    """Who a fixture created, usable outside any application context."""

    id: int
    email: str
    name: str


def make_person(app: Flask, **kwargs) -> Person:
    with app.app_context():
        user: User = factories.make_user(**kwargs)
        return Person(user.id, user.email, user.name)


@pytest.fixture
def employee(app: Flask) -> Person:
    """An employee of Operations/Contact Center."""
    return make_person(app, email="employee@example.test", name="Eva Employee")


@pytest.fixture
def head(app: Flask) -> Person:
    """The head of Operations, which covers Operations/Contact Center."""
    with app.app_context():
        factories.make_department("Operations/Contact Center")
    return make_person(
        app,
        email="head@example.test",
        name="Hugo Head",
        department="Operations",
        heads=("Operations",),
    )


@pytest.fixture
def hr_admin(app: Flask) -> Person:
    return make_person(
        app, email="hr@example.test", name="Helga HR", department="People", is_hr_admin=True
    )
