"""Appending to the audit trail (the caller's transaction commits it with the change itself)."""

from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import AuditEvent, User


def record(actor: User | None, action: str, target_type: str, target_id: int, **details) -> None:
    """Note that ``actor`` did ``action`` to a record, in the current transaction."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
        )
    )


def events_for(target_type: str, target_id: int) -> list[AuditEvent]:
    """The trail of one record, newest first."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == target_id)
            .order_by(AuditEvent.id.desc())
        ).scalars()
    )
