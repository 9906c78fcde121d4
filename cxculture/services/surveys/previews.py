"""What a lifecycle action would do, read before HR confirms it: who a launch invites and emails,
the emails themselves in each language they go out in, and what closing early ends. Nothing is
written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Department, Survey, SurveyState, TrainingRule, User
from cxculture.services.mail import render_email
from cxculture.services.surveys.lifecycle import audience_condition
from cxculture.services.surveys.texts import languages_needed

SURVEY_EMAILS = ("invitation", "reminder")


@dataclass(frozen=True)
class LaunchPreview:
    """Who launching now would invite: each gets the invitation email at once."""

    invited: int
    departments: list[tuple[str | None, int]]  # (path, people); None: people in no department
    opens_at: datetime
    closes_at: datetime
    is_scheduled: bool  # opens later: emailed now, able to answer from ``opens_at``
    without_email: int = 0  # invited, but reached by a printed answer code, not by email

    @property
    def department_count(self) -> int:
        return len([path for path, _people in self.departments if path is not None])


def launch_preview(survey: Survey, now: datetime) -> LaunchPreview:
    """The active people of the survey's audience, per department (HR launches to the roster it
    manages: these are headcounts, not answers)."""
    rows = db.session.execute(
        select(
            Department.path,
            func.count(User.id),
            func.count(User.id).filter(User.email.is_(None)),
        )
        .select_from(User)
        .outerjoin(Department, Department.id == User.department_id)
        .where(audience_condition(survey))
        .group_by(Department.path)
    ).all()
    departments: list[tuple[str | None, int]] = sorted(
        ((path, people) for path, people, _without in rows),
        key=lambda row: (row[0] is None, row[0] or ""),
    )
    return LaunchPreview(
        invited=sum(people for _path, people in departments),
        departments=departments,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        is_scheduled=survey.opens_at > now,
        without_email=sum(without for _path, _people, without in rows),
    )


@dataclass(frozen=True)
class EmailPreview:
    """One email of a survey as it goes out in one language; the personal link's line holds
    the placeholder it was rendered with."""

    kind: str  # invitation or reminder
    locale: str
    subject: str
    body: str


def email_previews(survey: Survey, link_placeholder: str) -> list[EmailPreview]:
    """The invitation and the reminder in every language the survey's audience with a mailbox
    reads (each person's profile language, else the default) and in the default language,
    rendered as the outbox renders them, with ``link_placeholder`` where each person's link
    goes."""
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    person_locales = db.session.execute(
        # People without a mailbox get no email: they answer with printed codes.
        select(User.locale).where(audience_condition(survey), User.email.is_not(None)).distinct()
    ).scalars()
    return [
        EmailPreview(
            kind, locale, *render_email(kind, locale, survey=survey, link=link_placeholder)
        )
        for locale in languages_needed(person_locales, default_locale)
        for kind in SURVEY_EMAILS
    ]


@dataclass(frozen=True)
class ClosePreview:
    """What closing early ends. The counts are the guarded ones of the survey's page: both None
    when fewer people than the minimum were invited (they would tell who has not answered)."""

    state: SurveyState
    invited: int | None
    waiting: int | None  # invited who have not answered (and now never will)
    training_rules: int  # HR's rules that apply at closing
    is_live: bool  # released in snapshots while open; free text still waits for the closing

    @property
    def is_hidden(self) -> bool:
        return self.invited is None


def close_preview(survey: Survey, now: datetime) -> ClosePreview:
    """How many invited people have not answered (guarded), and the rules closing applies."""
    counts = disclosure.company_counts([survey])[survey.id]
    waiting = None
    if counts.invited is not None and counts.answered is not None:
        waiting = counts.invited - counts.answered
    rules = db.session.execute(
        select(func.count(TrainingRule.id)).where(TrainingRule.survey_id == survey.id)
    ).scalar_one()
    return ClosePreview(
        state=survey.state(now),
        invited=counts.invited,
        waiting=waiting,
        training_rules=rules,
        is_live=survey.live_results,
    )
