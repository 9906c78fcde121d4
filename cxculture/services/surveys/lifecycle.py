"""The survey lifecycle for HR: create, launch, remind, close, extend, reopen, response rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import (
    Department,
    Invitation,
    OutboxMessage,
    PrivacyMode,
    Survey,
    SurveyState,
    User,
)
from cxculture.models.base import UTCDateTime
from cxculture.services import audit, mail
from cxculture.services.org import subtree_condition
from cxculture.services.surveys.texts import clean_texts
from cxculture.services.training import assignments


class SurveyError(Exception):
    """A lifecycle action that cannot be carried out."""


class InvalidSurveyDates(SurveyError):
    """The closing date is not after the opening date, or already past."""


class WrongState(SurveyError):
    """The action does not apply to a survey in its current state."""

    def __init__(self, action: str, state: SurveyState):
        super().__init__(f"cannot {action} a {state} survey")
        self.action = action
        self.state = state


class EmptyAudience(SurveyError):
    """Nobody active is in the survey's audience."""


@dataclass
class SurveySpec:
    """What HR fills in to create or edit a survey."""

    name: str
    instrument_id: int
    privacy_mode: PrivacyMode
    opens_at: datetime
    closes_at: datetime
    department_ids: list[int] = field(default_factory=list)  # empty: the whole company
    live_results: bool = False  # release results in snapshots while open, not only at closing
    # What HR wrote per language: {locale: {"name", "intro", "invitation", "reminder"}}, each
    # optional; the default language's name is ``name``.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


def _check_dates(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    if closes_at <= opens_at or closes_at <= now:
        raise InvalidSurveyDates()


def _apply(survey: Survey, spec: SurveySpec) -> None:
    survey.name = spec.name.strip()
    survey.instrument_id = spec.instrument_id
    survey.privacy_mode = spec.privacy_mode
    survey.opens_at = spec.opens_at
    survey.closes_at = spec.closes_at
    survey.live_results = spec.live_results
    # A new dict, never one changed in place: the JSON column notices only a new value.
    survey.texts = clean_texts(spec.texts, current_app.config["BABEL_DEFAULT_LOCALE"])
    survey.departments = list(
        db.session.execute(
            select(Department).where(Department.id.in_(spec.department_ids))
        ).scalars()
    )


def create_survey(spec: SurveySpec, actor: User, now: datetime) -> Survey:
    """A new survey in draft."""
    _check_dates(spec.opens_at, spec.closes_at, now)
    survey = Survey(created_by_id=actor.id)
    _apply(survey, spec)
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.created", "survey", survey.id, name=survey.name)
    db.session.commit()
    return survey


def update_survey(survey: Survey, spec: SurveySpec, actor: User, now: datetime) -> None:
    """Change a survey that has not launched yet."""
    state = survey.state(now)
    if state is not SurveyState.DRAFT:
        raise WrongState("edit", state)
    _check_dates(spec.opens_at, spec.closes_at, now)
    _apply(survey, spec)
    audit.record(actor, "survey.edited", "survey", survey.id)
    db.session.commit()


def get_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def list_surveys() -> list[Survey]:
    return list(db.session.execute(select(Survey).order_by(Survey.opens_at.desc())).scalars())


def audience_condition(survey: Survey) -> ColumnElement[bool]:
    """SQL condition on User: active people in the survey's audience."""
    condition: ColumnElement[bool] = User.is_active.is_(True)
    if survey.departments:
        in_audience = select(Department.id).where(subtree_condition(survey.departments))
        condition = and_(condition, User.department_id.in_(in_audience))
    return condition


def _not_yet_invited(survey: Survey):
    return ~exists().where(Invitation.survey_id == survey.id, Invitation.user_id == User.id)


def _invite(survey: Survey, now: datetime) -> int:
    """Invite everyone in the audience not invited yet, and queue their emails, in SQL."""
    newcomers = and_(audience_condition(survey), _not_yet_invited(survey))
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            insert(Invitation).from_select(
                ["survey_id", "user_id", "department_id", "department_path", "invited_at"],
                select(
                    literal(survey.id),
                    User.id,
                    User.department_id,
                    Department.path,
                    literal(now, UTCDateTime),
                )
                .outerjoin(Department, Department.id == User.department_id)
                .where(newcomers),
            ),
            # SQLAlchemy reports INSERT row counts only when asked to.
            execution_options={"preserve_rowcount": True},
        ),
    )
    # Each email carries its invitation's personal link: queued for the invitations just made.
    mail.queue_survey_emails("invitation", survey, Invitation.invited_at == now)
    return result.rowcount


def _claim(survey: Survey, moment, now: datetime) -> bool:
    """Set ``moment`` (a column of Survey) to ``now`` if it is still empty, in one conditional
    UPDATE; whether this call did it. The loser of two concurrent calls waits for the winner's
    commit (PostgreSQL's row lock, SQLite's single writer) and finds it set."""
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(Survey)
            .where(Survey.id == survey.id, moment.is_(None))
            .values({moment: literal(now, UTCDateTime)})
            .execution_options(synchronize_session=False, preserve_rowcount=True)
        ),
    ).rowcount
    if claimed:
        set_committed_value(survey, moment.key, now)  # what the database holds: no reload
    return bool(claimed)


def launch_survey(survey: Survey, actor: User, now: datetime) -> int:
    """Freeze the instrument, invite the audience and queue the invitations; all or nothing.

    Returns how many people were invited. Emails are delivered after the commit, so a mail
    server that is down leaves them queued for a retry and never undoes the launch.
    """
    state = survey.state(now)
    if state is not SurveyState.DRAFT:
        raise WrongState("launch", state)
    _check_dates(survey.opens_at, survey.closes_at, now)
    has_audience = db.session.execute(select(exists().where(audience_condition(survey)))).scalar()
    if not has_audience:
        raise EmptyAudience()
    # Claimed in one conditional update: of two launches at once (a double click, two tabs),
    # the second finds the survey launched and invites nobody.
    if not _claim(survey, Survey.launched_at, now):
        db.session.rollback()
        raise WrongState("launch", survey.state(now))
    # The anonymity minimums in force now stay with the survey (results.minimums).
    survey.min_group_size = current_app.config["CX_MIN_GROUP_SIZE"]
    survey.min_comment_group_size = current_app.config["CX_MIN_COMMENT_GROUP_SIZE"]
    instrument = survey.instrument
    if instrument.frozen_at is None:
        instrument.frozen_at = now
    invited = _invite(survey, now)
    audit.record(actor, "survey.launched", "survey", survey.id, invited=invited)
    db.session.commit()  # the invitations go after the commit (cxculture.services.mail)
    return invited


def invite_newcomers(survey: Survey, actor: User, now: datetime) -> int:
    """Invite people who joined the audience after the launch."""
    state = survey.state(now)
    if state not in (SurveyState.SCHEDULED, SurveyState.OPEN):
        raise WrongState("invite people to", state)
    invited = _invite(survey, now)
    audit.record(actor, "survey.newcomers_invited", "survey", survey.id, invited=invited)
    db.session.commit()
    return invited


def close_survey(survey: Survey, actor: User, now: datetime) -> None:
    """Close before the closing date."""
    state = survey.state(now)
    if state not in (SurveyState.SCHEDULED, SurveyState.OPEN):
        raise WrongState("close", state)
    if not _claim(survey, Survey.closed_at, now):  # closed meanwhile: a double submit
        db.session.rollback()
        raise WrongState("close", survey.state(now))
    audit.record(actor, "survey.closed", "survey", survey.id)
    db.session.commit()
    # HR's training rules fire at close; applied once per department, so reopening and
    # closing again assigns nothing twice.
    assignments.apply_rules(survey, now)


def extend_survey(survey: Survey, closes_at: datetime, actor: User, now: datetime) -> None:
    """Move the closing date later (also reopens a survey that closed on its date)."""
    state = survey.state(now)
    # Once the free text is deleted the wave is over for good: new answers would bring it back.
    if state is SurveyState.DRAFT or survey.closed_at is not None or survey.free_text_deleted_at:
        raise WrongState("extend", state)
    if closes_at <= survey.closes_at or closes_at <= now:
        raise InvalidSurveyDates()
    previous = survey.closes_at
    survey.closes_at = closes_at
    audit.record(
        actor,
        "survey.extended",
        "survey",
        survey.id,
        previous=previous.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    db.session.commit()


def reopen_survey(survey: Survey, actor: User, now: datetime) -> None:
    """Undo an early close while the original closing date is still ahead."""
    if survey.closed_at is None or now >= survey.closes_at:
        raise WrongState("reopen", survey.state(now))
    survey.closed_at = None
    audit.record(actor, "survey.reopened", "survey", survey.id)
    db.session.commit()


def send_reminders(survey: Survey, actor: User, now: datetime) -> int | None:
    """Queue a reminder to everyone invited who has not answered; returns how many, or None
    when the survey's counts are withheld (fewer people than the minimum were invited: the
    number would tell how many of them have not answered)."""
    state = survey.state(now)
    if state is not SurveyState.OPEN:
        raise WrongState("remind", state)
    waiting = and_(
        Invitation.survey_id == survey.id,
        Invitation.submitted_at.is_(None),
        Invitation.withdrawn_at.is_(None),
    )
    # Reminders would show who has not answered: the outbox never shows their recipients.
    # Each carries the same personal link as the invitation.
    mail.queue_survey_emails(
        "reminder", survey, and_(waiting, User.is_active.is_(True)), hide_recipients=True
    )
    reminded = cast(
        CursorResult[Any],
        db.session.execute(
            update(Invitation)
            .where(waiting, Invitation.user_id.in_(select(User.id).where(User.is_active.is_(True))))
            .values(
                reminders_sent=Invitation.reminders_sent + 1,
                last_reminded_at=literal(now, UTCDateTime),
            )
        ),
    ).rowcount
    shown = None if disclosure.company_counts([survey])[survey.id].is_hidden else reminded
    audit.record(actor, "survey.reminded", "survey", survey.id, reminded=shown)
    db.session.commit()
    return shown


def retry_emails(survey: Survey, actor: User) -> None:
    """Try again to deliver the survey's queued emails (after this commit, as always)."""
    audit.record(actor, "survey.emails_retried", "survey", survey.id)
    mail.note_queued()
    db.session.commit()


def surveys_page(after_id: int | None, limit: int) -> list[Survey]:
    """Up to ``limit`` surveys after the id ``after_id``, by id (drafts included)."""
    query = select(Survey).order_by(Survey.id).limit(limit)
    if after_id is not None:
        query = query.where(Survey.id > after_id)
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class SurveyProgress:
    """Response rates as the release layer gives them, and the survey's email status."""

    rates: disclosure.ResponseRates
    emails_pending: int
    emails_failed: int


def survey_progress(survey: Survey) -> SurveyProgress:
    """Guarded response rates overall and per department (where people were invited), and
    email status. Reminders are not counted: one goes to each person who has not answered, so
    their number would count them where the release layer withholds it."""
    pending, failed = db.session.execute(
        select(
            func.count(OutboxMessage.id),
            func.count(OutboxMessage.id).filter(OutboxMessage.last_error.is_not(None)),
        ).where(
            OutboxMessage.survey_id == survey.id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.is_recipient_hidden.is_(False),
        )
    ).one()
    return SurveyProgress(disclosure.response_rates(survey), pending, failed)
