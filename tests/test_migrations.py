"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from config import normalise_database_url
from cxculture.extensions import db
from tests.conftest import build_app


@pytest.fixture
def empty_database(database_url: str, tmp_path) -> Iterator[str]:
    """A database with no tables at all, of the same kind the suite runs on."""
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_builds_exactly_what_the_models_describe(empty_database, tmp_path):
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert differences == []


def test_downgrade_to_base_removes_every_table(empty_database, tmp_path):
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert tables == set()


def test_upgrading_a_populated_database_keeps_every_link_to_people(empty_database, tmp_path):
    """Rebuilding a SQLite table (batch mode) must not delete the rows that refer to it."""
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0004_training")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO departments (id, name, path) VALUES (1, 'Ops', 'Ops')")
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, is_active, is_hr_admin, session_version)"
                    " VALUES (1, 'ana@example.test', 'Ana', true, false, 0)"
                )
            )
            connection.execute(text("INSERT INTO department_heads VALUES (1, 1)"))
        upgrade()
        with db.engine.connect() as connection:
            heads = connection.execute(text("SELECT count(*) FROM department_heads")).scalar()
        db.engine.dispose()
    assert heads == 1
