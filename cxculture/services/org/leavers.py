"""Joiners and leavers: deactivating people without losing what they gave, and reactivating."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from cxculture.extensions import db
from cxculture.models import Invitation, Survey, User, department_heads


def deactivate_people(user_ids: Sequence[int], now: datetime) -> int:
    """Mark people as gone (the caller commits): they can no longer log in, every session of
    theirs ends, they head no department any more (a rehire does not bring results back), and
    their unanswered invitations to surveys still running are withdrawn, so they are neither
    reminded nor shown the survey again (response rates keep counting them as invited: a rate
    that moved would tell whether they had answered). What they answered stays, in the waves
    they answered.

    Returns how many people were deactivated (the already inactive are left as they are)."""
    ids = list(user_ids)
    if not ids:
        return 0
    changed = 0
    for start in range(0, len(ids), 500):  # below every database's bound-parameter limit
        chunk = ids[start : start + 500]
        # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
        changed += cast(
            CursorResult[Any],
            db.session.execute(
                update(User)
                .where(User.id.in_(chunk), User.is_active.is_(True))
                .values(
                    is_active=False,
                    deactivated_at=now,
                    session_version=User.session_version + 1,
                )
                .execution_options(synchronize_session=False, preserve_rowcount=True)
            ),
        ).rowcount
        db.session.execute(delete(department_heads).where(department_heads.c.user_id.in_(chunk)))
        running = select(Survey.id).where(Survey.closes_at > now, Survey.closed_at.is_(None))
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.user_id.in_(chunk),
                Invitation.submitted_at.is_(None),
                Invitation.withdrawn_at.is_(None),
                Invitation.survey_id.in_(running),
            )
            .values(withdrawn_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()
    return changed


def reactivate_person(user: User) -> None:
    """Let a returning person log in again (the caller commits); withdrawn invitations stay
    withdrawn, and HR can invite them to a running survey with "invite newcomers"."""
    user.is_active = True
    user.deactivated_at = None
