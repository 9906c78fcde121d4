"""The audit trail only grows: neither the application nor plain SQL can change or remove an
entry, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db
from cxculture.models import AuditEvent, User
from cxculture.models.audit import AuditTrailIsAppendOnly
from cxculture.services import audit
from tests import factories


@pytest.fixture
def entry(ctx) -> AuditEvent:
    actor = factories.make_user(is_hr_admin=True)
    audit.record(actor, "survey.launched", "survey", 7, invited=3)
    db.session.commit()
    return db.session.execute(select(AuditEvent)).scalar_one()


def _sql(statement: str) -> None:
    """Run ``statement`` on the connection, below every guard of the ORM."""
    db.session.connection().execute(text(statement))


def test_an_audit_row_cannot_be_changed(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("UPDATE audit_events SET action = 'survey.closed'")
    db.session.rollback()
    assert db.session.execute(select(AuditEvent.action)).scalar_one() == "survey.launched"


def test_an_audit_row_cannot_have_its_actor_removed(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("UPDATE audit_events SET actor_id = NULL")


def test_an_audit_row_cannot_be_deleted(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("DELETE FROM audit_events")
    db.session.rollback()
    assert db.session.execute(select(AuditEvent.id)).scalar_one() == entry.id


def test_the_audit_trail_cannot_be_truncated(entry):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused above")
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("TRUNCATE audit_events")


def test_the_application_cannot_change_an_entry(entry):
    entry.details = {"invited": 300}
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()


def test_the_application_cannot_delete_an_entry(entry):
    db.session.delete(entry)
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(action="survey.closed"),
        delete(AuditEvent),
        AuditEvent.__table__.delete(),
    ],
    ids=["orm-update", "orm-delete", "table-delete"],
)
def test_the_application_cannot_rewrite_the_trail_in_bulk(entry, statement):
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(statement)


def test_new_entries_are_still_appended(entry):
    audit.record(None, "survey.closed", "survey", 7)
    db.session.commit()
    assert db.session.execute(
        select(AuditEvent.action).order_by(AuditEvent.id)
    ).scalars().all() == [
        "survey.launched",
        "survey.closed",
    ]


def test_a_removed_persons_id_is_never_given_to_a_newcomer(ctx):
    first = factories.make_user()
    removed_id = factories.make_user().id
    db.session.execute(delete(User).where(User.id == removed_id))
    db.session.commit()
    newcomer = factories.make_user()
    assert newcomer.id > removed_id > first.id
