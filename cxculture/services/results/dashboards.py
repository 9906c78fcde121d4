"""What a department head (or HR) sees of one department, and HR of the whole company: released
results (from the release layer only), response rates and training, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from cxculture import disclosure
from cxculture.disclosure import GroupResult, RateRow, Release, TextPage, TrendPoint
from cxculture.extensions import db
from cxculture.models import Department, Module, Survey, User
from cxculture.paths import ancestors, parent_of
from cxculture.scoring import drivers
from cxculture.scoring.drivers import Priority
from cxculture.scoring.stats import WaveChange
from cxculture.services import training
from cxculture.services.org import reach
from cxculture.services.training import assignments
from cxculture.services.training.assignments import ModuleCompletion, NotYourDepartment

WHERE_TO_ACT = 3  # the first dimensions to act on, shown with the modules that work on them
EXTREMES = 3  # departments listed as the lowest and the highest


class NoDepartments(Exception):
    """None of the viewer's departments was invited to this survey."""


@dataclass(frozen=True)
class HeadDashboard:
    survey: Survey
    found: Release
    group: GroupResult
    company: GroupResult
    choices: list[GroupResult]
    rates: RateRow
    items: disclosure.AnswerDistributions | None
    statements: TextPage | None  # the page of what people wrote being read
    where_to_act: WhereToAct
    previous: Survey | None = None
    change: WaveChange | None = None
    department: Department | None = None  # None when it no longer exists
    training: list[ModuleCompletion] = field(default_factory=list)
    # For a hidden group: the nearest larger group the viewer may read figures of.
    nearest: GroupResult | None = None


def department_results(
    viewer: User, survey: Survey, key: str | None, now: datetime
) -> tuple[Release, GroupResult, list[GroupResult]]:
    """The survey as released, the department ``key`` (default: the viewer's first) and the
    departments the viewer may choose from (every one people were invited in, answered or
    not, so the list says nothing of who answered); NotYourDepartment when out of reach,
    NoDepartments when none of the viewer's departments was invited."""
    within_reach = reach.reach(viewer)
    # Only the groups the viewer may choose from and those above them: a head of a hundred
    # teams reads a hundred groups, not the whole company's.
    found = disclosure.release_of(survey, now, disclosure.scope_under(within_reach))
    choices = found.departments(within_reach)
    if key is None:
        if not choices:
            raise NoDepartments(survey.id)
        key = choices[0].key
    if key not in found.groups or not reach.can_view_path(viewer, key):
        raise NotYourDepartment(key)
    return found, found.groups[key], choices


@dataclass(frozen=True)
class ActionRow:
    """One dimension on the "where to act" list: its place and why (``priority``: None when
    the list goes by score alone), and, for the first few, the modules that work on it."""

    dimension: str
    score: float
    modules: list[Module]
    priority: Priority | None = None


@dataclass(frozen=True)
class WhereToAct:
    """A shown group's dimensions in the order to act on them: by impact on ``act.outcome`` and
    room to rise when weights exist (the group's own or the company's), else by score alone."""

    rows: list[ActionRow] = field(default_factory=list)
    act: disclosure.ActOn | None = None
    outcomes: tuple[str, ...] = ()

    @property
    def is_ranked(self) -> bool:
        return self.act is not None and self.act.ranking is not None

    # The intervals' level and resamples, as the scoring core draws them.
    interval_level = drivers.DEFAULT_LEVEL
    interval_draws = drivers.DEFAULT_DRAWS


def where_to_act(
    found: Release, group: GroupResult, modules: list[Module], outcome: str | None = None
) -> WhereToAct:
    """The released group's dimensions ranked by impact on ``outcome`` (the survey's first
    outcome when None or not measured) and gap; by lowest score when no weights can be had."""
    measured = disclosure.outcomes(found.survey)
    act = disclosure.where_to_act(found, group.key, outcome if outcome in measured else measured[0])

    def row(dimension: str, score: float, place: int, priority: Priority | None = None):
        useful = [m for m in modules if dimension in m.dimensions] if place < WHERE_TO_ACT else []
        return ActionRow(dimension, score, useful, priority)

    if act is not None and act.ranking is not None:
        rows = [row(p.name, p.score, place, p) for place, p in enumerate(act.ranking.priorities)]
    else:
        lowest = sorted(group.dimensions.items(), key=lambda pair: pair[1])[:WHERE_TO_ACT]
        rows = [row(dimension, score, place) for place, (dimension, score) in enumerate(lowest)]
    return WhereToAct(rows, act, measured)


def nearest_shown(viewer: User, found: Release, key: str) -> GroupResult | None:
    """The closest group above ``key`` whose figures are released and that ``viewer`` may read:
    an ancestor department within their reach, else the company (whose figures every results
    page shows beside a department's), else None."""
    above = parent_of(key)
    while above:  # the company is the empty path, above every department
        group = found.groups.get(above)
        if group is not None and not group.is_suppressed and reach.can_view_path(viewer, above):
            return group
        above = parent_of(above)
    return None if found.company.is_suppressed else found.company


def department_dashboard(
    viewer: User,
    survey: Survey,
    key: str | None,
    now: datetime,
    outcome: str | None = None,
    texts_page: int = 1,
) -> HeadDashboard:
    """One department as released, for ``viewer``, "where to act" ranked by impact on
    ``outcome`` (the survey's first outcome by default), with page ``texts_page`` of what its
    people wrote; NotYourDepartment when out of reach, NoDepartments when none of the viewer's
    departments was invited."""
    found, group, choices = department_results(viewer, survey, key, now)
    key = group.key
    items = statements = None
    act = WhereToAct()
    if not group.is_suppressed:
        items = disclosure.answer_distributions(found, key)
        statements = disclosure.statements_page(found, key, texts_page)
        act = where_to_act(found, group, training.catalogue(), outcome)
    previous = disclosure.previous_wave(survey)
    change = None
    if previous is not None and not group.is_suppressed:
        before = disclosure.release_of(previous, now, disclosure.Scope(under=(key,)))
        change = disclosure.wave_change(before, found, key)
    # The department as it is now; one of a past wave may have gone since.
    department = db.session.execute(
        select(Department).where(Department.path == key)
    ).scalar_one_or_none()
    return HeadDashboard(
        survey,
        found,
        group,
        found.company,
        choices,
        disclosure.response_rates(survey, now).get(key),
        items,
        statements,
        act,
        previous,
        change,
        department,
        department_training(viewer, department, now.date()),
        nearest_shown(viewer, found, key) if group.is_suppressed and key else None,
    )


def department_training(
    viewer: User, department: Department | None, today: date
) -> list[ModuleCompletion]:
    """Completion per assigned module of the people now in ``department`` and below it."""
    if department is None:
        return []
    return assignments.completion_by_module(assignments.completion(viewer, [department]), today)


@dataclass(frozen=True)
class OverviewRow:
    """One department for HR: its released results, its guarded response counts and its
    training (assigned modules only; training records are not survey answers)."""

    group: GroupResult
    rates: RateRow
    enrolled: int = 0
    completed: int = 0

    @property
    def invited(self) -> int | None:
        return self.rates.invited

    @property
    def responded(self) -> int | None:
        return self.rates.answered

    @property
    def response_rate(self) -> float | None:
        return self.rates.rate

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class Overview:
    """The whole company for HR, one level of the department tree at a time."""

    survey: Survey
    found: Release
    level: int
    levels: int
    company: OverviewRow
    rows: list[OverviewRow]
    lowest: list[OverviewRow]
    highest: list[OverviewRow]
    trend: list[TrendPoint]


def _rolled(counts: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Pairs of counts per department path added up to every ancestor and the company."""
    totals: dict[str, list[int]] = {}
    for path, (first, second) in counts.items():
        for key in ancestors(path):
            entry = totals.setdefault(key, [0, 0])
            entry[0] += first
            entry[1] += second
    return {key: (first, second) for key, (first, second) in totals.items()}


def overview_rows(survey: Survey, found: Release, now: datetime | None = None) -> list[OverviewRow]:
    """The company, then every department of ``found`` (all people were invited in, unless it
    was read for a scope), in tree order; counts as of ``now`` when given."""
    rates = disclosure.response_rates(survey, now)
    trained = _rolled(assignments.completion_counts())
    return [
        OverviewRow(group, rates.get(group.key), *trained.get(group.key, (0, 0)))
        for group in [found.company, *found.departments()]
    ]


def company_overview(
    survey: Survey, level: int, now: datetime, with_trend: bool = True
) -> Overview:
    """HR's view of ``survey``: departments at ``level`` (1 = top), extremes and the trend
    (every earlier wave's release: skipped when only the departments are wanted)."""
    # The departments of one level only: the page and its heatmap show no other.
    found = disclosure.release_of(survey, now, disclosure.Scope(depth=level - 1))
    every = overview_rows(survey, found, now)
    levels = found.levels
    rows = [row for row in every[1:] if row.group.depth + 1 == level]
    indexed = [(index, row) for row in rows if (index := row.group.index) is not None]
    ranked = [row for _, row in sorted(indexed, key=lambda pair: pair[0])]
    count = min(EXTREMES, len(ranked) // 2)
    return Overview(
        survey,
        found,
        level,
        levels,
        every[0],
        rows,
        ranked[:count],
        ranked[::-1][:count],
        disclosure.company_trend(survey, now) if with_trend else [],
    )
