"""Erasing a person: their account and personal data go, their survey answers stay in the
results linked to no one.

What goes: the account (name, email, employee number, password, language, manager, headships),
their unsubmitted drafts, their training records (enrolments with quiz results and reflections:
personal records, not survey answers), the messages they wrote when assigning training, every
email addressed to them, and any stored roster file that names them.

What stays, linked to no one: their survey responses (scores, category, free text, the
department path they answered in) and their invitations (so past response rates do not move).
The audit trail stays as written: it knows them by a number their name no longer goes with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, func, or_, select, update

from cxculture.extensions import db
from cxculture.models import (
    ApiToken,
    AuditEvent,
    Enrolment,
    Invitation,
    OutboxMessage,
    Response,
    RosterImport,
    User,
)
from cxculture.services import audit
from cxculture.services.org import leavers, roster
from cxculture.services.org.roster import workbook


class ErasureRefused(Exception):
    """Base of the reasons a person cannot be erased (nothing was changed)."""


class SelfErasure(ErasureRefused):
    """Nobody erases their own account: another HR admin does."""


class LastHrAdmin(ErasureRefused):
    """The only active HR admin cannot be erased: nobody could run the product afterwards."""


@dataclass(frozen=True)
class ErasureReport:
    """What erasing changed, in counts. The audit trail notes only those that say nothing of
    the person's answers: how many responses were unlinked (confidential ones), how many
    emails went (reminders go only to who has not answered) and how many training records
    (those taken on their own are theirs alone) would each tell something of them."""

    responses_unlinked: int
    invitations_unlinked: int
    enrolments_deleted: int
    emails_deleted: int
    roster_files_cleared: int

    def as_details(self) -> dict[str, int]:
        return {
            "invitations_unlinked": self.invitations_unlinked,
            "roster_files_cleared": self.roster_files_cleared,
        }


def _check(person: User, actor: User | None, *, lock: bool = True) -> None:
    if actor is not None and person.id == actor.id:
        raise SelfErasure()
    if not (person.is_hr_admin and person.is_active):
        return
    # Every active HR admin's row is locked (PostgreSQL; SQLite has one writer anyway), the
    # person's too: two admins erasing each other at once wait for one another, and the second
    # finds the first gone.
    admins = select(User.id).where(User.is_hr_admin.is_(True), User.is_active.is_(True))
    others = set(db.session.execute(admins.with_for_update() if lock else admins).scalars())
    if not others - {person.id}:
        raise LastHrAdmin()


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing a person would end, for HR to read before confirming: their powers and
    links to others. Nothing about their survey answers, drafts, emails or modules taken on
    their own is counted: how many there are would tell whether they answered."""

    refusal: ErasureRefused | None  # why it cannot be done now, or None
    heads: list[str]  # paths of the departments they head: left without them
    manages: int  # people whose manager they are: left with no manager
    is_hr_admin: bool
    api_tokens: int  # API tokens they created: deleted, they stop working at once
    assignments_written: int  # training they assigned with a message: the message goes


def erasure_preview(person: User, actor: User | None) -> ErasurePreview:
    """What ``erase_person(person, actor)`` would end (nothing is locked or changed)."""
    refusal: ErasureRefused | None = None
    try:
        _check(person, actor, lock=False)
    except ErasureRefused as exc:
        refusal = exc
    manages = db.session.execute(
        select(func.count(User.id)).where(User.manager_id == person.id)
    ).scalar_one()
    tokens = db.session.execute(
        select(func.count(ApiToken.id)).where(ApiToken.created_by_id == person.id)
    ).scalar_one()
    written = db.session.execute(
        select(func.count(Enrolment.id)).where(
            Enrolment.assigned_by_id == person.id, Enrolment.message.is_not(None)
        )
    ).scalar_one()
    return ErasurePreview(
        refusal=refusal,
        heads=[department.path for department in person.headed_departments],
        manages=manages,
        is_hr_admin=person.is_hr_admin,
        api_tokens=tokens,
        assignments_written=written,
    )


def _mentions(data: bytes, terms: list[str]) -> bool:
    """Whether a stored roster file holds any of ``terms`` (any case; a number as a whole). A
    workbook is searched whole (every sheet, not only the one read); one that cannot be read
    counts as mentioning them, since nobody can tell that it does not."""
    if workbook.is_workbook(data):
        text = workbook.workbook_text(data)
        if text is None:
            return True
    else:
        try:
            text, _encoding = roster.decode(data)
        except roster.RosterFileError:
            return False
    return any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) for term in terms)


def _clear_roster_files(terms: list[str]) -> int:
    """Empty the stored roster files naming the person (their counts and summary stay)."""
    cleared = 0
    stored = select(RosterImport.id).where(func.length(RosterImport.content) > 0)
    for import_id in db.session.execute(stored).scalars().all():
        content = db.session.execute(  # one file in memory at a time: each can be 20 MB
            select(RosterImport.content).where(RosterImport.id == import_id)
        ).scalar_one()
        if _mentions(content, terms):
            db.session.execute(
                update(RosterImport).where(RosterImport.id == import_id).values(content=b"")
            )
            cleared += 1
    return cleared


def _count(rowcount_statement) -> int:
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    return cast(
        CursorResult[Any],
        db.session.execute(
            rowcount_statement.execution_options(synchronize_session=False, preserve_rowcount=True)
        ),
    ).rowcount


def _erase_emails(address: str) -> int:
    """Delete the emails to ``address``, except those of a survey already sent: they stay,
    emptied, so that the outbox's counts of a survey do not move by one or by two (an
    invitation, or an invitation and a reminder) and so tell whether the person had answered.
    Returns how many were deleted."""
    deleted = _count(
        delete(OutboxMessage).where(
            OutboxMessage.to_email == address,
            or_(OutboxMessage.survey_id.is_(None), OutboxMessage.sent_at.is_(None)),
        )
    )
    _count(
        update(OutboxMessage)
        .where(OutboxMessage.to_email == address)
        .values(to_email="", subject="", body="")
    )
    return deleted


def erase_person(person: User, actor: User | None, now: datetime) -> ErasureReport:
    """Erase ``person`` for ``actor`` (None: the system) and commit; SelfErasure or
    LastHrAdmin when refused."""
    _check(person, actor)
    person_id = person.id
    terms = [term for term in (person.email, person.name, person.employee_number) if term]
    # As for a leaver first: headships end, unanswered invitations to running surveys are
    # withdrawn (response rates keep counting them as invited).
    leavers.deactivate_people([person_id], now)
    report = ErasureReport(
        responses_unlinked=_count(
            update(Response)
            .where(Response.user_id == person_id)
            .values(user_id=None, invitation_id=None)
        ),
        invitations_unlinked=_count(
            update(Invitation)
            .where(Invitation.user_id == person_id)
            # Their personal links and answer codes open nothing any more.
            .values(
                user_id=None,
                draft=None,
                draft_saved_at=None,
                link_seed=None,
                link_hash=None,
                code_seed=None,
                code_hash=None,
            )
        ),
        enrolments_deleted=_count(delete(Enrolment).where(Enrolment.user_id == person_id)),
        emails_deleted=_erase_emails(person.email) if person.email is not None else 0,
        roster_files_cleared=_clear_roster_files(terms),
    )
    _count(update(Enrolment).where(Enrolment.assigned_by_id == person_id).values(message=None))
    # The row itself: the database's foreign keys unlink the rest (manager of, created by).
    _count(delete(User).where(User.id == person_id))
    db.session.expunge(person)
    audit.record(actor, "org.person_erased", "user", person_id, **report.as_details())
    db.session.commit()
    return report


def was_erased(user_id: int) -> bool:
    """Whether the audit trail notes the erasure of the person who had this id (what a second
    submit of the erase form finds)."""
    return bool(
        db.session.execute(
            select(
                exists().where(
                    AuditEvent.action == "org.person_erased",
                    AuditEvent.target_type == "user",
                    AuditEvent.target_id == user_id,
                )
            )
        ).scalar()
    )
