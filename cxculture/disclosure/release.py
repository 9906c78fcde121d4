"""A survey's results as released: what every page, chart, file and API answer is built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cxculture.disclosure import counts, measures, publishing, texts
from cxculture.disclosure.figures import (
    NOT_RELEASED,
    SUPPRESSED,
    AnswerDistributions,
    GroupResult,
    distributions,
    hidden,
    shown,
)
from cxculture.extensions import db
from cxculture.models import Instrument, ReleasedGroup, ResultSnapshot, Survey, SurveyState
from cxculture.paths import COMPANY, within
from cxculture.scoring.releases import group_sizes
from cxculture.scoring.stats import WaveChange, wave_change_of


@dataclass(frozen=True)
class Release:
    """Every group of a survey as released now: the figures of the snapshot that last
    published each, or why it shows none. Groups are those people were invited in, so a hidden
    group is listed whether or not anyone answered there."""

    survey: Survey
    minimum: int
    comment_minimum: int
    groups: dict[str, GroupResult]
    snapshot_of: dict[str, int]  # group key -> id of the snapshot holding its figures
    text_groups: frozenset[str]  # groups whose texts may be read now
    is_open: bool
    latest_at: datetime | None

    @property
    def survey_id(self) -> int:
        return self.survey.id

    @property
    def is_released(self) -> bool:
        return bool(self.snapshot_of)

    @property
    def is_live(self) -> bool:
        return self.survey.live_results

    @property
    def company(self) -> GroupResult:
        return self.groups[COMPANY]

    def group(self, key: str) -> GroupResult:
        return self.groups.get(key) or hidden(key, self.minimum, SUPPRESSED)

    def departments(self, under: list[str] | None = None) -> list[GroupResult]:
        """The department groups in tree order, all or those at or under the ``under`` paths."""
        keys = sorted(key for key in self.groups if key)
        if under is not None:
            keys = [key for key in keys if within(key, under)]
        return [self.groups[key] for key in keys]


def release_of(survey: Survey, now: datetime) -> Release:
    """The survey's results as released at ``now``, taking a snapshot first when one is due."""
    minimum, comment_minimum = measures.minimums(survey)
    snapshots = publishing.ensure_published(survey, now)
    state = survey.state(now)
    latest = snapshots[-1] if snapshots else None
    at_latest = group_sizes(publishing.counts_of(latest)) if latest is not None else {}
    groups: dict[str, GroupResult] = {}
    snapshot_of: dict[str, int] = {}
    for snapshot in snapshots:
        for group in snapshot.groups:
            if group.n < minimum:
                groups.pop(group.group_key, None)  # a minimum raised since: show no more
                snapshot_of.pop(group.group_key, None)
                continue
            groups[group.group_key] = shown(
                group.group_key,
                group.figures,
                minimum,
                snapshot.taken_at,
                is_stale=group.n < at_latest.get(group.group_key, 0),
            )
            snapshot_of[group.group_key] = snapshot.id
    reason = NOT_RELEASED if latest is None and not survey.live_results else SUPPRESSED
    for key in counts.invitation_groups(survey) | {COMPANY}:
        if key not in groups:
            groups[key] = hidden(key, minimum, reason)
    readable_texts: frozenset[str] = frozenset()
    if state is SurveyState.CLOSED and latest is not None and latest.is_closing:
        readable_texts = frozenset(
            key
            for key in latest.text_groups or ()
            if key in groups and not groups[key].is_suppressed and not groups[key].is_stale
        )
    return Release(
        survey,
        minimum,
        comment_minimum,
        groups,
        snapshot_of,
        readable_texts,
        state is not SurveyState.CLOSED,
        latest.taken_at if latest is not None else None,
    )


def answer_distributions(release: Release, key: str) -> AnswerDistributions | None:
    """How a shown group's answers spread, item by item, as the snapshot released them."""
    snapshot_id = release.snapshot_of.get(key)
    if snapshot_id is None or release.group(key).is_suppressed:
        return None
    items = db.session.execute(
        select(ReleasedGroup.items).where(
            ReleasedGroup.snapshot_id == snapshot_id, ReleasedGroup.group_key == key
        )
    ).scalar_one()
    dimension_of = {item.id: item.dimension for item in release.survey.instrument.items}
    return distributions(items, dimension_of)


def statements(release: Release, key: str) -> list[str] | None:
    """What the group wrote, when its texts were released (closed surveys only), shuffled."""
    if key not in release.text_groups:
        return None
    group = release.group(key)
    return texts.released_texts(release.survey, key, group.n or 0)


def previous_wave(survey: Survey) -> Survey | None:
    """The launched wave of the same questionnaire that came before ``survey``."""
    return db.session.execute(
        select(Survey)
        .join(Instrument, Instrument.id == Survey.instrument_id)
        .where(
            Instrument.key == survey.instrument.key,
            Survey.launched_at.is_not(None),
            Survey.opens_at < survey.opens_at,
            Survey.id != survey.id,
        )
        .order_by(Survey.opens_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def wave_change(before: Release, after: Release, key: str) -> WaveChange | None:
    """The change of a group's index between two waves (Welch's t-test from the released sums);
    None unless the group is shown in both."""
    if before.survey.instrument.key != after.survey.instrument.key:
        return None
    first, second = before.group(key), after.group(key)
    if first.index_moments is None or second.index_moments is None:
        return None
    return wave_change_of(first.index_moments, second.index_moments)


@dataclass(frozen=True)
class TrendPoint:
    """The company as released in one wave of the questionnaire."""

    survey: Survey
    company: GroupResult


def company_trend(survey: Survey, now: datetime) -> list[TrendPoint]:
    """The company in every launched wave of the same questionnaire up to ``survey``."""
    waves = db.session.execute(
        select(Survey)
        .join(Instrument, Instrument.id == Survey.instrument_id)
        .where(
            Instrument.key == survey.instrument.key,
            Survey.launched_at.is_not(None),
            Survey.opens_at <= survey.opens_at,
        )
        .order_by(Survey.opens_at)
    ).scalars()
    return [TrendPoint(wave, release_of(wave, now).company) for wave in waves]


def result_surveys() -> list[Survey]:
    """Launched surveys, newest first: the ones that can have results."""
    return list(
        db.session.execute(
            select(Survey).where(Survey.launched_at.is_not(None)).order_by(Survey.opens_at.desc())
        ).scalars()
    )


def default_survey(surveys: list[Survey], now: datetime) -> Survey | None:
    """The newest closed wave (complete results), else the newest launched one."""
    closed = [survey for survey in surveys if survey.state(now) is SurveyState.CLOSED]
    candidates = closed or surveys
    return candidates[0] if candidates else None


def snapshots_taken(survey: Survey) -> list[ResultSnapshot]:
    """The survey's snapshots, oldest first (for HR's survey page)."""
    return publishing.snapshots_of(survey)
