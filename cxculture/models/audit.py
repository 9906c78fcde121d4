"""The audit trail: who did what to which record, appended and never changed.

Append-only is enforced twice: the ORM refuses to flush a changed or deleted entry (and bulk
UPDATE/DELETE statements on the table), and the database itself refuses UPDATE, DELETE (and on
PostgreSQL TRUNCATE) with triggers, created by the migrations and by ``create_all`` alike.

``actor_id`` is the id of the person who acted (None: the system, a command or a scheduled
job), deliberately without a foreign key. With one, erasing a person would have the database
rewrite their entries (ON DELETE SET NULL) or refuse the erasure, and the triggers forbid
both. Without one, an entry keeps the number of whoever acted while their name and email go
with their account: the trail still tells that the same person did these things, and no longer
who they were. People's ids are never given again (a PostgreSQL sequence; AUTOINCREMENT on
SQLite), so a number never comes to mean someone else. Details name people by id for the
same reason (see ``cxculture.services.audit``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from cxculture.models.base import Base, UTCDateTime, utcnow
from cxculture.models.org import User

APPEND_ONLY_MESSAGE = "audit_events is append-only"

# The database's guard, per dialect. The migration 0007_audit_retention holds the same text.
APPEND_ONLY_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation'; "
        "END $$",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
    ),
}


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target_type", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    # The person as they are now; None for the system and for a person since erased.
    actor: Mapped[User | None] = relationship(
        primaryjoin="foreign(AuditEvent.actor_id) == User.id", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id}>"


for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        event.listen(
            AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
event.listen(
    AuditEvent.__table__,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS audit_events_refuse_change()").execute_if(dialect="postgresql"),
)


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session: Session, flush_context, instances) -> None:
    """The ORM's guard: no entry leaves the session changed or deleted."""
    for entry in session.deleted:
        if isinstance(entry, AuditEvent):
            raise AuditTrailIsAppendOnly(f"cannot delete {entry!r}")
    for entry in session.dirty:
        if isinstance(entry, AuditEvent) and session.is_modified(entry):
            raise AuditTrailIsAppendOnly(f"cannot change {entry!r}")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    """No UPDATE or DELETE statement on the table through the ORM either."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__:
        raise AuditTrailIsAppendOnly("cannot update or delete audit entries")
