"""Free-text retention: once a survey has been closed for ``CX_FREE_TEXT_RETENTION_DAYS``, HR
may delete what people wrote in it (role statements, comments, unsubmitted drafts).

Scores and the role-statement category were computed at submission and stay, so every result
stays the same; only the text is gone. The period runs from the closing date, not from an early
close: until that date the survey could be reopened, and an extension is refused once the text
is deleted, so no new text can arrive afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, func, or_, select, update

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Invitation, Response, Survey, SurveyState, User
from cxculture.services import audit


class FreeTextRefused(Exception):
    """Base of the reasons the free text cannot be deleted (nothing was changed)."""


class SurveyNotClosed(FreeTextRefused):
    """Only a closed survey's free text can be deleted."""


class RetentionNotOver(FreeTextRefused):
    """The retention period is not over yet."""

    def __init__(self, available_from: datetime, days: int):
        super().__init__(available_from.isoformat())
        self.available_from = available_from
        self.days = days


class FreeTextAlreadyDeleted(FreeTextRefused):
    """The survey's free text was deleted before."""


def retention_days() -> int:
    return current_app.config["CX_FREE_TEXT_RETENTION_DAYS"]


@dataclass(frozen=True)
class FreeTextStatus:
    """Where a survey's free text stands, for its page."""

    deletable_from: datetime | None  # None while the survey is not closed
    deleted_at: datetime | None
    days: int

    def can_delete(self, now: datetime) -> bool:
        return (
            self.deleted_at is None
            and self.deletable_from is not None
            and now >= self.deletable_from
        )


def free_text_status(survey: Survey, now: datetime) -> FreeTextStatus:
    days = retention_days()
    closed = survey.state(now) is SurveyState.CLOSED
    return FreeTextStatus(
        survey.closes_at + timedelta(days=days) if closed else None,
        survey.free_text_deleted_at,
        days,
    )


def _check(survey: Survey, now: datetime) -> None:
    status = free_text_status(survey, now)
    if status.deleted_at is not None:
        raise FreeTextAlreadyDeleted()
    if status.deletable_from is None:
        raise SurveyNotClosed()
    if now < status.deletable_from:
        raise RetentionNotOver(status.deletable_from, status.days)


def _delete(survey: Survey, actor: User | None, now: datetime) -> int:
    """Delete the text (the caller commits); returns how many responses held some."""
    # A reader may have kept the released texts: later waves are still compared with them,
    # through fingerprints (kept at release since they exist; made now for older releases).
    disclosure.keep_text_fingerprints(survey)
    has_text = or_(Response.role_statement.is_not(None), Response.comment.is_not(None))
    responses = db.session.execute(
        select(func.count(Response.id)).where(Response.survey_id == survey.id, has_text)
    ).scalar_one()
    db.session.execute(
        update(Response)
        .where(Response.survey_id == survey.id)
        .values(role_statement=None, comment=None)
        .execution_options(synchronize_session=False)
    )
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    drafts = cast(
        CursorResult[Any],
        db.session.execute(
            update(Invitation)
            # draft_saved_at, not draft: a JSON column keeps a cleared draft as JSON null.
            .where(Invitation.survey_id == survey.id, Invitation.draft_saved_at.is_not(None))
            .values(draft=None, draft_saved_at=None)
            .execution_options(synchronize_session=False, preserve_rowcount=True)
        ),
    ).rowcount
    survey.free_text_deleted_at = now
    audit.record(
        actor,
        "survey.free_text_deleted",
        "survey",
        survey.id,
        responses=responses,
        drafts=drafts,
        retention_days=retention_days(),
    )
    return responses


def delete_free_text(survey: Survey, actor: User, now: datetime) -> int:
    """HR deletes a closed survey's free text once the retention period is over; returns how
    many responses held some. SurveyNotClosed, RetentionNotOver or FreeTextAlreadyDeleted
    otherwise."""
    _check(survey, now)
    deleted = _delete(survey, actor, now)
    db.session.commit()
    return deleted


def expired_surveys(now: datetime) -> list[Survey]:
    """Closed surveys past the retention period whose free text is still there."""
    cutoff = now - timedelta(days=retention_days())
    candidates = db.session.execute(
        select(Survey)
        .where(
            Survey.launched_at.is_not(None),
            Survey.free_text_deleted_at.is_(None),
            Survey.closes_at <= cutoff,
        )
        .order_by(Survey.closes_at)
    ).scalars()
    return [survey for survey in candidates if survey.state(now) is SurveyState.CLOSED]


def delete_expired_free_text(now: datetime) -> list[Survey]:
    """Delete the free text of every survey past the retention period (by the system, for a
    company whose policy is to delete it automatically); returns those surveys."""
    surveys = expired_surveys(now)
    for survey in surveys:
        _delete(survey, None, now)
    db.session.commit()
    return surveys
