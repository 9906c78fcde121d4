"""A survey's results as released: what every page, chart, file and API answer is built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

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
from cxculture.models.org import below_condition
from cxculture.models.surveys import ReleasedFigures
from cxculture.paths import COMPANY, PATH_SEPARATOR, ancestors, depth_of, is_at_or_below, within
from cxculture.scoring.releases import group_sizes
from cxculture.scoring.stats import WaveChange, wave_change_of


@dataclass(frozen=True)
class Scope:
    """The groups a reader needs, so that a release reads no others: those at or below one of
    ``under`` with every group above them (all groups when None), and of these only the ones
    at ``depth`` (0 for the top-level departments) when given. The company is always in.

    A scope only leaves groups out: what each group shows was decided by the release guard
    over the whole tree when its snapshot was taken, and is read as stored."""

    under: tuple[str, ...] | None = None
    depth: int | None = None

    def covers(self, key: str) -> bool:
        if key == COMPANY:
            return True
        if self.depth is not None and depth_of(key) != self.depth:
            return False
        return self.under is None or any(
            is_at_or_below(key, root) or is_at_or_below(root, key) for root in self.under
        )

    def condition(self, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
        """The same choice in SQL, on a column of group keys."""
        parts: list[ColumnElement[bool]] = []
        if self.under is not None:
            above = {key for root in self.under for key in ancestors(root)}
            parts.append(
                or_(column.in_(above), *(below_condition(column, root) for root in self.under))
            )
        if self.depth is not None:
            separators = func.length(column) - func.length(func.replace(column, PATH_SEPARATOR, ""))
            parts.append(or_(column == COMPANY, separators == self.depth))
        return and_(column.is_not(None), *parts)


def scope_under(roots: list[str] | None) -> Scope | None:
    """The scope of a reader who may see ``roots`` and everything below (None: everything)."""
    if roots is None or COMPANY in roots:
        return None
    return Scope(under=tuple(roots))


@dataclass(frozen=True)
class Release:
    """Every group of a survey as released now: the figures of the snapshot that last
    published each, or why it shows none. Groups are those people were invited in, so a hidden
    group is listed whether or not anyone answered there. A release read for a ``scope`` holds
    the groups of that scope only, and refuses to answer for any other."""

    survey: Survey
    minimum: int
    comment_minimum: int
    groups: dict[str, GroupResult]
    snapshot_of: dict[str, int]  # group key -> id of the snapshot holding its figures
    text_groups: frozenset[str]  # groups whose texts may be read now
    is_open: bool
    latest_at: datetime | None
    # The closing snapshot whose choice of texts holds now (None while no texts are released).
    texts_snapshot_id: int | None = None
    scope: Scope | None = None
    levels: int = 0  # levels of departments in the whole tree, whatever the scope

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
        if self.scope is not None and not self.scope.covers(key):
            raise ValueError(f"{key!r} is outside the groups this release was read for")
        return self.groups.get(key) or hidden(key, self.minimum, SUPPRESSED)

    def departments(self, under: list[str] | None = None) -> list[GroupResult]:
        """The department groups in tree order, all or those at or under the ``under`` paths."""
        keys = sorted(key for key in self.groups if key)
        if under is not None:
            keys = [key for key in keys if within(key, under)]
        return [self.groups[key] for key in keys]


def _released_groups(
    snapshots: list[ResultSnapshot], scope: Scope | None
) -> dict[int, list[tuple[str, int, ReleasedFigures]]]:
    """The groups each snapshot released, within ``scope``: key, responses and figures (the
    answer counts per item are read only for a group shown item by item)."""
    query = select(
        ReleasedGroup.snapshot_id, ReleasedGroup.group_key, ReleasedGroup.n, ReleasedGroup.figures
    ).where(ReleasedGroup.snapshot_id.in_([snapshot.id for snapshot in snapshots]))
    if scope is not None:
        query = query.where(scope.condition(ReleasedGroup.group_key))
    found: dict[int, list[tuple[str, int, ReleasedFigures]]] = {}
    for snapshot_id, key, n, figures in db.session.execute(query.order_by(ReleasedGroup.group_key)):
        found.setdefault(snapshot_id, []).append((key, n, figures))
    return found


def release_of(survey: Survey, now: datetime, scope: Scope | None = None) -> Release:
    """The survey's results as released at ``now``, taking a snapshot first when one is due;
    only the groups of ``scope`` when given (every group otherwise)."""
    minimum, comment_minimum = measures.minimums(survey)
    snapshots = publishing.ensure_published(survey, now)
    state = survey.state(now)
    latest = snapshots[-1] if snapshots else None
    latest_counts = publishing.counts_of(latest) if latest is not None else {}
    at_latest = group_sizes(latest_counts)
    released = _released_groups(snapshots, scope) if snapshots else {}
    groups: dict[str, GroupResult] = {}
    snapshot_of: dict[str, int] = {}
    for snapshot in snapshots:
        for key, n, figures in released.get(snapshot.id, ()):
            if n < minimum:
                groups.pop(key, None)  # a minimum raised since: show no more
                snapshot_of.pop(key, None)
                continue
            groups[key] = shown(
                key, figures, minimum, snapshot.taken_at, is_stale=n < at_latest.get(key, 0)
            )
            snapshot_of[key] = snapshot.id
    reason = NOT_RELEASED if latest is None and not survey.live_results else SUPPRESSED
    invited = counts.invitation_groups(survey, now)
    for key in invited | {COMPANY}:
        if key not in groups and (scope is None or scope.covers(key)):
            groups[key] = hidden(key, minimum, reason)
    # Every group released is one of the paths counted at the latest snapshot, or above one.
    every = invited | {key for path in latest_counts for key in ancestors(path)}
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
        latest.id if readable_texts and latest is not None else None,
        scope,
        max((depth_of(key) + 1 for key in every), default=0),
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
    """What the group wrote, when its texts were released (closed surveys only), in an order
    drawn from the texts alone."""
    return texts.released_texts(release, key)


def statements_page(release: Release, key: str, number: int = 1) -> texts.TextPage | None:
    """Page ``number`` of what the group wrote, when its texts were released."""
    return texts.page_of(release, key, number)


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
