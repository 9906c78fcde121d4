"""What a lifecycle action would do, read before HR confirms it: who a launch invites and emails,
and what closing early ends. Nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Department, Survey, SurveyState, TrainingRule, User
from cxculture.services.surveys.lifecycle import audience_condition


@dataclass(frozen=True)
class LaunchPreview:
    """Who launching now would invite: each gets the invitation email at once."""

    invited: int
    departments: list[tuple[str | None, int]]  # (path, people); None: people in no department
    opens_at: datetime
    closes_at: datetime
    is_scheduled: bool  # opens later: emailed now, able to answer from ``opens_at``

    @property
    def department_count(self) -> int:
        return len([path for path, _people in self.departments if path is not None])


def launch_preview(survey: Survey, now: datetime) -> LaunchPreview:
    """The active people of the survey's audience, per department (HR launches to the roster it
    manages: these are headcounts, not answers)."""
    rows = db.session.execute(
        select(Department.path, func.count(User.id))
        .select_from(User)
        .outerjoin(Department, Department.id == User.department_id)
        .where(audience_condition(survey))
        .group_by(Department.path)
    ).all()
    departments: list[tuple[str | None, int]] = sorted(
        ((path, people) for path, people in rows),
        key=lambda row: (row[0] is None, row[0] or ""),
    )
    return LaunchPreview(
        invited=sum(people for _path, people in departments),
        departments=departments,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        is_scheduled=survey.opens_at > now,
    )


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
