"""HR's outbox: every email, newest first, a page at a time, by survey and by status, with how
many there are in each status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import OutboxMessage, Survey
from cxculture.services.paging import Page

PAGE_SIZE = 25
LOGGED = "log"  # OutboxMessage.delivered_by without a mail server


class OutboxStatus(StrEnum):
    """Where an email stands."""

    WAITING = "waiting"  # queued, not tried yet
    FAILED = "failed"  # the last try failed; the next delivery tries again
    SENT = "sent"  # handed to the mail server (or sent before the outbox noted how)
    LOGGED = "logged"  # no mail server was set: written to the log, the outbox its only copy


def _status_condition(status: OutboxStatus) -> ColumnElement[bool]:
    is_sent = OutboxMessage.sent_at.is_not(None)
    is_logged = OutboxMessage.delivered_by == LOGGED
    if status is OutboxStatus.WAITING:
        return and_(not_(is_sent), OutboxMessage.last_error.is_(None))
    if status is OutboxStatus.FAILED:
        return and_(not_(is_sent), OutboxMessage.last_error.is_not(None))
    if status is OutboxStatus.SENT:
        return and_(is_sent, or_(OutboxMessage.delivered_by.is_(None), not_(is_logged)))
    return and_(is_sent, is_logged)


def outbox_status(message: OutboxMessage) -> OutboxStatus:
    """The status of one email, as the filter counts it."""
    if message.sent_at is None:
        return OutboxStatus.WAITING if message.last_error is None else OutboxStatus.FAILED
    return OutboxStatus.LOGGED if message.delivered_by == LOGGED else OutboxStatus.SENT


@dataclass(frozen=True)
class OutboxFilter:
    """Which emails to list: those of one survey, in one status (None: all)."""

    survey_id: int | None = None
    status: OutboxStatus | None = None


@dataclass(frozen=True)
class OutboxSearch:
    """One page of emails and how many of them there are in each status."""

    found: Page[OutboxMessage]
    counts: dict[OutboxStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _withheld_surveys(survey_id: int | None) -> list[int]:
    """Surveys whose reminders stay out of the outbox: the release layer withholds their
    counts, and one reminder per person who has not answered would count them all the same."""
    reminded = select(OutboxMessage.survey_id).where(
        OutboxMessage.is_recipient_hidden.is_(True), OutboxMessage.survey_id.is_not(None)
    )
    if survey_id is not None:
        reminded = reminded.where(OutboxMessage.survey_id == survey_id)
    found = db.session.execute(select(Survey).where(Survey.id.in_(reminded.distinct()))).scalars()
    counts = disclosure.company_counts(list(found))
    return sorted(survey for survey, row in counts.items() if row.is_hidden)


def search_outbox(filters: OutboxFilter, page: int = 1, per_page: int = PAGE_SIZE) -> OutboxSearch:
    """The emails ``filters`` selects, newest first, one page at a time (counted and cut in
    SQL), with the counts per status of every email of the survey chosen."""
    conditions: list[ColumnElement[bool]] = []
    if filters.survey_id is not None:
        conditions.append(OutboxMessage.survey_id == filters.survey_id)
    withheld = _withheld_surveys(filters.survey_id)
    if withheld:
        conditions.append(
            not_(
                and_(
                    OutboxMessage.is_recipient_hidden.is_(True),
                    OutboxMessage.survey_id.in_(withheld),
                )
            )
        )
    statuses = list(OutboxStatus)
    row = db.session.execute(
        select(
            *(func.count(OutboxMessage.id).filter(_status_condition(s)) for s in statuses)
        ).where(*conditions)
    ).one()
    counts = dict(zip(statuses, row, strict=True))
    if filters.status is not None:
        conditions.append(_status_condition(filters.status))
    total = counts[filters.status] if filters.status is not None else sum(counts.values())
    offset = (page - 1) * per_page
    rows: list[OutboxMessage] = []
    if offset < total:  # past the last page: nothing to read (and no huge OFFSET to run)
        rows = list(
            db.session.execute(
                select(OutboxMessage)
                .where(*conditions)
                .order_by(OutboxMessage.id.desc())
                .limit(per_page)
                .offset(offset)
            ).scalars()
        )
    return OutboxSearch(Page(rows, page, per_page, total), counts)


def outbox_surveys(chosen: int | None = None) -> list[Survey]:
    """The surveys the outbox can be filtered by, newest first: those with emails, and the one
    ``chosen`` (so the filter in use is always among them)."""
    listed: ColumnElement[bool] = exists().where(OutboxMessage.survey_id == Survey.id)
    if chosen is not None:
        listed = or_(listed, Survey.id == chosen)
    return list(
        db.session.execute(
            select(Survey).where(listed).order_by(Survey.opens_at.desc(), Survey.id.desc())
        ).scalars()
    )
