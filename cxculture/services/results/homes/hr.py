"""HR's home: surveys running or scheduled with their guarded response rates, the newest
released results, training overdue, the roster's problems, and what needs HR first."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from cxculture import disclosure
from cxculture.disclosure import GroupResult, RateRow, Release
from cxculture.extensions import db
from cxculture.models import OutboxMessage, RosterImport, Survey, SurveyState, User
from cxculture.paths import COMPANY, ancestors, is_below
from cxculture.scoring.stats import WaveChange
from cxculture.services import org, surveys, training
from cxculture.services.org import CompanySummary, DepartmentRow
from cxculture.services.results.homes.attention import Attention, is_recent, own_surveys, ranked
from cxculture.services.results.homes.figures import (
    TrainingStatus,
    latest_release,
    training_status,
)
from cxculture.services.training.assignments import completion

Keyed = TypeVar("Keyed", GroupResult, RateRow)

CLOSING_SOON = timedelta(days=3)  # an open survey this near its end is worth a reminder now
LOW_RESPONSE = 0.7  # ...when fewer than this share have answered (or the count is hidden)
LISTED = 5  # people and addresses named on a card; the count gives the rest
EXTREMES = 3  # departments listed as the lowest and the highest, and as lagging behind


@dataclass(frozen=True)
class RunningSurvey:
    """A survey open or about to open, with its guarded counts (never results, unless live)."""

    survey: Survey
    state: SurveyState
    rates: RateRow  # the company's
    minimum: int
    lagging: list[RateRow]  # departments whose counts are shown, lowest response first
    emails_failed: int
    is_closing_soon: bool = False

    @property
    def needs_reminder(self) -> bool:
        rate = self.rates.rate
        return self.is_closing_soon and (rate is None or rate < LOW_RESPONSE)


def _teams(groups: list[Keyed]) -> list[Keyed]:
    """Teams, not the divisions their figures add up to: a group with others listed below it
    is left out (the groups are those people were invited in)."""
    keys = [group.key for group in groups]
    return [group for group in groups if not any(is_below(key, group.key) for key in keys)]


def _running(survey: Survey, state: SurveyState, now: datetime) -> RunningSurvey:
    progress = surveys.survey_progress(survey)
    shown = [row for row in _teams(progress.rates.departments()) if row.rate is not None]
    lagging = sorted(shown, key=lambda row: (row.rate, row.key))[:EXTREMES]
    return RunningSurvey(
        survey,
        state,
        progress.rates.company,
        progress.rates.minimum,
        lagging if state is SurveyState.OPEN else [],
        progress.emails_failed,
        state is SurveyState.OPEN and survey.closes_at - now <= CLOSING_SOON,
    )


@dataclass(frozen=True)
class LatestResults:
    """The newest survey with released results, as the release layer released them."""

    survey: Survey
    release: Release
    rates: RateRow
    previous: Survey | None = None
    change: WaveChange | None = None
    lowest: list[GroupResult] = field(default_factory=list)
    highest: list[GroupResult] = field(default_factory=list)
    hidden: int = 0  # departments that show no numbers

    @property
    def company(self) -> GroupResult:
        return self.release.company


def _change(found: Release, previous: Survey | None, key: str, now: datetime):
    if previous is None:
        return None
    return disclosure.wave_change(disclosure.release_of(previous, now), found, key)


def latest_results(now: datetime) -> LatestResults | None:
    found = latest_release(now)
    if found is None:
        return None
    groups = found.departments()
    teams = _teams(groups)
    shown = sorted(
        (g for g in teams if not g.is_suppressed and g.index is not None),
        key=lambda g: (g.index, g.key),
    )
    count = min(EXTREMES, len(shown) // 2)
    previous = disclosure.previous_wave(found.survey)
    return LatestResults(
        found.survey,
        found,
        disclosure.company_counts([found.survey])[found.survey.id],
        previous,
        _change(found, previous, COMPANY, now) if not found.company.is_suppressed else None,
        shown[:count],
        shown[::-1][:count],
        sum(1 for g in groups if g.is_suppressed),
    )


@dataclass(frozen=True)
class PersonLink:
    id: int
    name: str


@dataclass(frozen=True)
class RosterHealth:
    """What keeps people and departments from matching the company: a file uploaded and never
    applied, people in no department, departments nobody heads, emails that did not go out."""

    last_applied: RosterImport | None
    pending: RosterImport | None
    without_department: int
    listed_without_department: list[PersonLink]
    headless: list[DepartmentRow]  # with active people, and no head of their own or above
    failed_emails: int
    failed_addresses: list[str]  # never those the outbox hides (they would tell who was reminded)

    @property
    def has_problems(self) -> bool:
        return bool(self.pending or self.without_department or self.headless or self.failed_emails)


def _headless(rows: list[DepartmentRow]) -> list[DepartmentRow]:
    """Departments with active people whose results and training no head follows (HR only)."""
    headed = {row.path for row in rows if row.heads}
    return [
        row
        for row in rows
        if row.members
        and not row.is_archived
        and not any(key in headed for key in ancestors(row.path))
    ]


def _imports() -> tuple[RosterImport | None, RosterImport | None]:
    """The newest upload when it waits to be applied (and still holds its file: an erasure
    empties the files naming the person), and the newest applied one; files are not loaded."""
    kept = func.length(RosterImport.content) > 0
    newest = db.session.execute(
        select(RosterImport, kept)
        .options(defer(RosterImport.content))
        .order_by(RosterImport.id.desc())
        .limit(1)
    ).first()
    pending = None
    if newest is not None and newest[0].applied_at is None and newest[1]:
        pending = newest[0]
    last_applied = db.session.execute(
        select(RosterImport)
        .options(defer(RosterImport.content))
        .where(RosterImport.applied_at.is_not(None))
        .order_by(RosterImport.applied_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return pending, last_applied


def roster_health(rows: list[DepartmentRow], summary: CompanySummary) -> RosterHealth:
    """The roster's problems, from what the import, the tree and the outbox store."""
    pending, last_applied = _imports()
    homeless = db.session.execute(
        select(User.id, User.name)
        .where(User.is_active.is_(True), User.department_id.is_(None))
        .order_by(User.name)
        .limit(LISTED)
    ).all()
    # Reminders are left out, as from the survey's page: their number counts who has not answered.
    failing = (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.last_error.is_not(None),
        OutboxMessage.is_recipient_hidden.is_(False),
    )
    failed = db.session.execute(select(func.count(OutboxMessage.id)).where(*failing)).scalar_one()
    addresses = db.session.execute(
        select(OutboxMessage.to_email)
        .where(*failing)
        .group_by(OutboxMessage.to_email)
        .order_by(OutboxMessage.to_email)
        .limit(LISTED)
    ).scalars()
    return RosterHealth(
        last_applied,
        pending,
        summary.people_without_department,
        [PersonLink(person_id, name) for person_id, name in homeless],
        _headless(rows),
        failed,
        list(addresses),
    )


@dataclass(frozen=True)
class HrHome:
    attention: list[Attention]  # most urgent first
    running: list[RunningSurvey]  # open (closing soonest first), then scheduled
    drafts: list[Survey]
    latest: LatestResults | None
    training: TrainingStatus
    roster: RosterHealth
    summary: CompanySummary
    departments: list[DepartmentRow]
    titles: dict[int, str]


def _hr_attention(home: HrHome, viewer: User, now: datetime) -> list[Attention]:
    roster = home.roster
    found = [
        Attention("survey_closing", survey=r.survey, when=r.survey.closes_at, rate=r.rates.rate)
        for r in home.running
        if r.needs_reminder
    ]
    if roster.failed_emails:
        found.append(Attention("emails_failed", count=roster.failed_emails))
    if home.training.overdue:
        found.append(Attention("training_overdue", count=len(home.training.overdue)))
    found += own_surveys(viewer, now)
    if roster.pending is not None:
        pending = roster.pending
        found.append(Attention("roster_pending", target_id=pending.id, name=pending.filename))
    if roster.without_department:
        first = roster.listed_without_department[0] if roster.listed_without_department else None
        found.append(
            Attention(
                "without_department",
                count=roster.without_department,
                target_id=first.id if first and roster.without_department == 1 else None,
                name=first.name if first else None,
            )
        )
    if roster.headless:
        only = roster.headless[0] if len(roster.headless) == 1 else None
        found.append(
            Attention(
                "headless",
                count=len(roster.headless),
                target_id=only.id if only else None,
                name=only.path if only else None,
            )
        )
    latest = home.latest
    if latest is not None and is_recent(latest.survey, now):
        found.append(Attention("results_out", survey=latest.survey, when=latest.release.latest_at))
    found += [Attention("draft_waiting", survey=draft) for draft in home.drafts]
    if not home.running and not home.drafts:
        found.append(Attention("nothing_planned"))
    return ranked(found)


def hr_home(viewer: User, now: datetime, locale: str) -> HrHome:
    """What HR should see first, and everything its cards need."""
    states = [(survey, survey.state(now)) for survey in surveys.list_surveys()]
    opened = sorted((s for s, state in states if state is SurveyState.OPEN), key=_closing)
    scheduled = sorted((s for s, state in states if state is SurveyState.SCHEDULED), key=_opening)
    running = [_running(s, SurveyState.OPEN, now) for s in opened]
    running += [_running(s, SurveyState.SCHEDULED, now) for s in scheduled]
    summary = org.company_summary()
    rows = org.department_rows()
    home = HrHome(
        [],
        running,
        [survey for survey, state in states if state is SurveyState.DRAFT],
        latest_results(now),
        training_status(completion(viewer), now.date()),
        roster_health(rows, summary),
        summary,
        rows,
        training.titles(locale),
    )
    # What needs HR is read off the cards themselves, so the two never disagree.
    return replace(home, attention=_hr_attention(home, viewer, now))


def _closing(survey: Survey) -> datetime:
    return survey.closes_at


def _opening(survey: Survey) -> datetime:
    return survey.opens_at
