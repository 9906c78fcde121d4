"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

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


def test_a_migrated_database_refuses_changes_to_the_audit_trail(empty_database, tmp_path):
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_events (action, target_type, target_id, details, created_at)"
                    " VALUES ('survey.launched', 'survey', 1, '{}', CURRENT_TIMESTAMP)"
                )
            )
        refused = []
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            try:
                with db.engine.begin() as connection:
                    connection.execute(text(statement))
            except IntegrityError as exc:
                refused.append("append-only" in str(exc))
        db.engine.dispose()
    assert refused == [True, True]


def test_upgrading_names_heads_and_managers_by_id_in_the_trail(empty_database, tmp_path):
    """Entries written before 0006 named people by email; an email must not outlive erasure."""
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0005_roster")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, is_active, is_hr_admin, session_version)"
                    " VALUES (4, 'ana@example.test', 'Ana', true, false, 0)"
                )
            )
            for action, details in (
                (
                    "org.department_heads_set",
                    '{"before": ["gone@example.test"], "after": ["ana@example.test"]}',
                ),
                ("org.person_updated", '{"manager": [null, "ana@example.test"]}'),
            ):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (action, target_type, target_id, details,"
                        " created_at) VALUES (:action, 'user', 1, :details, CURRENT_TIMESTAMP)"
                    ),
                    {"action": action, "details": details},
                )
        upgrade()
        with db.engine.connect() as connection:
            found = [
                json.loads(raw) if isinstance(raw, str) else raw
                for raw in connection.execute(
                    text("SELECT details FROM audit_events ORDER BY id")
                ).scalars()
            ]
        db.engine.dispose()
    assert found == [{"heads_before": [None], "heads_after": [4]}, {"manager": [None, 4]}]


def test_upgrading_keeps_suggestions_personal_and_anonymous_answers_to_the_day(
    empty_database, tmp_path
):
    """0008: suggestions enrolled from a person's own answers were listed to others; an
    anonymous survey's invitation kept the exact time it was answered."""
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0007_audit_retention")
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                text(
                    "INSERT INTO users (id, email, name, is_active, is_hr_admin, session_version)"
                    " VALUES (1, 'ana@example.test', 'Ana', true, false, 0)"
                )
            )
            for number in (1, 2, 3):
                run(
                    text(
                        "INSERT INTO modules (id, slug, dimensions, minutes, reflection_kind,"
                        " created_at) VALUES (:id, :slug, '[\"listen\"]', 5, 'free',"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "slug": f"module-{number}"},
                )
            for number, source, attempts in (
                (1, "recommended", 0),  # only suggested, never opened
                (2, "recommended", 2),  # she worked on it
                (3, "department", 0),
            ):
                run(
                    text(
                        "INSERT INTO enrolments (user_id, module_id, source, quiz_attempts,"
                        " created_at) VALUES (1, :module, :source, :attempts, '2026-11-01 10:00')"
                    ),
                    {"module": number, "source": source, "attempts": attempts},
                )
            run(
                text(
                    "INSERT INTO instruments (id, key, version, names, open_question,"
                    " comment_prompt, created_at) VALUES (1, 'coi', 1, '{}', '{}', '{}',"
                    " CURRENT_TIMESTAMP)"
                )
            )
            for survey_id, mode in ((1, "anonymous"), (2, "confidential")):
                run(
                    text(
                        "INSERT INTO surveys (id, name, instrument_id, privacy_mode, opens_at,"
                        " closes_at, created_at) VALUES (:id, 'Wave', 1, :mode,"
                        " '2026-11-01 00:00', '2026-11-20 00:00', CURRENT_TIMESTAMP)"
                    ),
                    {"id": survey_id, "mode": mode},
                )
                run(
                    text(
                        "INSERT INTO invitations (survey_id, user_id, invited_at, submitted_at,"
                        " reminders_sent) VALUES (:id, 1, '2026-11-01 09:00',"
                        " '2026-11-03 14:27:31', 0)"
                    ),
                    {"id": survey_id},
                )
        upgrade()
        with db.engine.connect() as connection:
            enrolments = connection.execute(
                text("SELECT module_id, source, assigned_at FROM enrolments ORDER BY module_id")
            ).all()
            answered = connection.execute(
                text("SELECT survey_id, submitted_at FROM invitations ORDER BY survey_id")
            ).all()
        db.engine.dispose()
    assert [(module, source) for module, source, _at in enrolments] == [
        (2, "self"),
        (3, "department"),
    ]
    assert enrolments[1][2] is not None  # an assignment's moment: when it was made
    times = [str(at) for _survey, at in answered]
    assert times[0].startswith("2026-11-03 00:00:00")  # anonymous: the day only
    assert times[1].startswith("2026-11-03 14:27:31")  # confidential: unchanged


def test_upgrading_dates_the_actions_already_done(empty_database, tmp_path):
    """0012: "did it work?" counts actions done before the next wave opened; those done before
    the upgrade are dated by the trail's last entry marking them done, else when written."""
    app = build_app(empty_database, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="0011_focus_plans")
        with db.engine.begin() as connection:
            run = connection.execute
            run(text("INSERT INTO departments (id, name, path) VALUES (1, 'Ops', 'Ops')"))
            run(
                text(
                    "INSERT INTO instruments (id, key, version, names, open_question,"
                    " comment_prompt, created_at) VALUES (1, 'coi', 1, '{}', '{}', '{}',"
                    " CURRENT_TIMESTAMP)"
                )
            )
            run(
                text(
                    "INSERT INTO surveys (id, name, instrument_id, privacy_mode, opens_at,"
                    " closes_at, created_at) VALUES (1, 'Wave', 1, 'confidential',"
                    " '2026-09-01 00:00', '2026-09-20 00:00', CURRENT_TIMESTAMP)"
                )
            )
            run(
                text(
                    "INSERT INTO focus_plans (id, department_id, survey_id, dimensions,"
                    " is_shared, created_at) VALUES (1, 1, 1, '[\"listen\"]', false,"
                    " '2026-10-01 00:00')"
                )
            )
            for number, status in ((1, "done"), (2, "done"), (3, "on_track")):
                run(
                    text(
                        "INSERT INTO plan_actions (id, plan_id, text, due_on, status,"
                        " created_at) VALUES (:id, 1, 'Call back', '2026-12-01', :status,"
                        " '2026-10-02 09:00')"
                    ),
                    {"id": number, "status": status},
                )
            for details, at in (
                ('{"plan_action": 1, "status": "done"}', "2026-10-10 12:00"),
                ('{"plan_action": 1, "status": "on_track"}', "2026-10-11 12:00"),
                ('{"plan_action": 1, "status": "done"}', "2026-10-20 12:00"),
                ('{"plan_action": 3, "status": "done"}', "2026-10-21 12:00"),
            ):
                run(
                    text(
                        "INSERT INTO audit_events (action, target_type, target_id, details,"
                        " created_at) VALUES ('plan.action_updated', 'focus_plan', 1, :details,"
                        " :at)"
                    ),
                    {"details": details, "at": at},
                )
        upgrade()
        with db.engine.connect() as connection:
            found = connection.execute(
                text("SELECT id, done_at FROM plan_actions ORDER BY id")
            ).all()
        db.engine.dispose()
    dated = {number: str(at)[:16] if at is not None else None for number, at in found}
    # The last time it was marked done; written-on for one the trail no longer holds; none
    # for one not done now.
    assert dated == {1: "2026-10-20 12:00", 2: "2026-10-02 09:00", 3: None}
