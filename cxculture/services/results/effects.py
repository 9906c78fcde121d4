"""Did it work: for each module assigned, and each dimension a focus plan took on, between two
waves, the change in the departments that completed it against the change in the others (a
difference-in-differences by department, ``cxculture.scoring.effects``).

Only the release layer's figures enter, and only of departments it released in both waves; the
statistics are computed from those released figures alone, so nothing here tells more than the
results pages already show. Rows give side means and counts only: never one department's own
change (a side of a single department shows no number).

The rules, as the README states them:

- the two waves: a closed survey and the closed wave of the same questionnaire before it;
- the departments compared: the finest departments released in both waves, those with no
  department below them that is also released in both, so no response counts twice;
- who a department's people are: those invited to the second wave in it or below it;
- a module completed: it was assigned (by a head, HR or a rule, never a person's own choice)
  between the first wave's close and the second wave's opening, and at least
  ``COMPLETION_SHARE`` of the department's people it was assigned to in that period had
  completed it before the second wave opened;
- a plan carried out: a focus plan written after the first wave for the department or one
  above it, before the second wave opened, with at least ``COMPLETION_SHARE`` of its actions
  (those written before the second wave opened) marked done before that moment and still
  done (an action reopened since no longer counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from cxculture import disclosure
from cxculture.disclosure import GroupResult, Release
from cxculture.extensions import db
from cxculture.models import (
    Department,
    Enrolment,
    FocusPlan,
    Invitation,
    Module,
    PlanAction,
    Survey,
    SurveyState,
)
from cxculture.paths import COMPANY, ancestors, is_at_or_below, is_below
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.effects import (
    DepartmentWaves,
    Verdict,
    completed,
    difference_in_differences,
)
from cxculture.services.training.assignments import COMPLETED_SINCE_ASSIGNED, IS_ASSIGNED

MODULE = "module"
PLAN = "plan"
# A side's mean change is shown only when it is the mean of at least two departments: the mean
# of one would be that department's own change, which this page never shows.
MIN_DEPARTMENTS_FOR_A_MEAN = 2


class NotASecondWave(Exception):
    """The survey is not a closed wave with a closed wave of the same questionnaire before it."""


def closed_at(survey: Survey) -> datetime:
    """When a closed survey closed: early if HR closed it, else on its date."""
    if survey.closed_at is not None and survey.closed_at < survey.closes_at:
        return survey.closed_at
    return survey.closes_at


@dataclass(frozen=True)
class WavePair:
    """The two waves compared, and the period between them in which training or plans count."""

    first: Survey
    second: Survey

    @property
    def first_closed_at(self) -> datetime:
        return closed_at(self.first)

    @property
    def second_closed_at(self) -> datetime:
        return closed_at(self.second)

    @property
    def second_opened_at(self) -> datetime:
        return self.second.opens_at


@dataclass(frozen=True)
class EffectRow:
    """One module (or the focus plans) on one dimension: how many departments on each side,
    their mean changes and the difference with its interval. Every number is None when a side
    has fewer than ``MIN_DEPARTMENTS_FOR_A_MEAN`` departments."""

    kind: str  # MODULE or PLAN
    module: Module | None  # None for plans
    dimension: str
    treated: int  # departments that completed
    control: int  # the other departments compared
    partly: int  # of the control, those that had it in part (assigned, or a plan, short of it)
    treated_change: float | None
    control_change: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    level: float
    verdict: Verdict
    is_weighted: bool

    @property
    def has_numbers(self) -> bool:
        return self.difference is not None


@dataclass(frozen=True)
class Effects:
    """What the two waves say: the pair (None when no survey has a wave to compare with), the
    number of departments compared and one row per module or plan and dimension."""

    pair: WavePair | None
    departments: int
    rows: list[EffectRow]

    def module_rows(self) -> list[tuple[Module, list[EffectRow]]]:
        """The module rows grouped by module, in the order found."""
        grouped: dict[int, tuple[Module, list[EffectRow]]] = {}
        for row in self.rows:
            if row.module is not None:
                grouped.setdefault(row.module.id, (row.module, []))[1].append(row)
        return list(grouped.values())

    def plan_rows(self) -> list[EffectRow]:
        return [row for row in self.rows if row.kind == PLAN]


def _pair(second: Survey, now: datetime) -> WavePair | None:
    if second.state(now) is not SurveyState.CLOSED:
        return None
    first = disclosure.previous_wave(second)
    if first is None or first.state(now) is not SurveyState.CLOSED:
        return None
    return WavePair(first, second)


def second_waves(now: datetime) -> list[Survey]:
    """Closed surveys that have a closed wave of the same questionnaire before them, newest
    first: the second waves the page offers."""
    return [survey for survey in disclosure.result_surveys() if _pair(survey, now) is not None]


def comparable_departments(before: Release, after: Release) -> list[str]:
    """The departments compared: released (not hidden) in both waves, and the finest such, with
    no department below them also released in both, so that every response counts once."""
    both = {
        key
        for key, group in after.groups.items()
        if key != COMPANY and not group.is_suppressed and not before.group(key).is_suppressed
    }
    has_finer = {above for key in both for above in ancestors(key)[1:-1]}
    return sorted(both - has_finer)


def _unit_of(path: str, units: set[str]) -> str | None:
    """The compared department ``path`` belongs to (itself or one above it), if any."""
    for key in reversed(ancestors(path)):
        if key in units:
            return key
    return None


def _module_completion(pair: WavePair, units: set[str]) -> dict[int, dict[str, tuple[int, int]]]:
    """Per module assigned in the period: per compared department, the people it was assigned
    to and those who had completed it when the second wave opened. People are counted where
    the second wave invited them (a later move changes nothing); the assignment's own progress
    only (what came before it is the person's own)."""
    opened = pair.second_opened_at
    rows = db.session.execute(
        select(
            Enrolment.module_id,
            Invitation.department_path,
            func.count(Enrolment.id),
            func.count(Enrolment.id).filter(
                COMPLETED_SINCE_ASSIGNED, Enrolment.completed_at < opened
            ),
        )
        .join(
            Invitation,
            and_(
                Invitation.user_id == Enrolment.user_id,
                Invitation.survey_id == pair.second.id,
            ),
        )
        .where(
            IS_ASSIGNED,
            Enrolment.assigned_at >= pair.first_closed_at,
            Enrolment.assigned_at < opened,
            Invitation.withdrawn_at.is_(None),
            Invitation.department_path.is_not(None),
        )
        .group_by(Enrolment.module_id, Invitation.department_path)
    ).all()
    found: dict[int, dict[str, tuple[int, int]]] = {}
    for module_id, path, assigned, done in rows:
        per_unit = found.setdefault(module_id, {})
        unit = _unit_of(path, units) if path is not None else None
        if unit is None:
            continue  # people outside every compared department: their team is not compared
        before_assigned, before_done = per_unit.get(unit, (0, 0))
        per_unit[unit] = (before_assigned + assigned, before_done + done)
    return found


@dataclass(frozen=True)
class _PlanState:
    path: str
    dimensions: list[str]
    is_completed: bool


def _plans(pair: WavePair) -> list[_PlanState]:
    """The focus plans written after the first wave and before the second opened, each with
    whether enough of its actions were done when the second wave opened."""
    opened = pair.second_opened_at
    plans = db.session.execute(
        select(FocusPlan.id, Department.path, FocusPlan.dimensions)
        .join(Department, Department.id == FocusPlan.department_id)
        .where(FocusPlan.survey_id == pair.first.id, FocusPlan.created_at < opened)
        .order_by(FocusPlan.id)
    ).all()
    if not plans:
        return []
    plan_ids = [plan_id for plan_id, _path, _dimensions in plans]
    totals: dict[int, list[int]] = {plan_id: [0, 0] for plan_id in plan_ids}
    for plan_id, done_at in db.session.execute(
        select(PlanAction.plan_id, PlanAction.done_at).where(
            PlanAction.plan_id.in_(plan_ids), PlanAction.created_at < opened
        )
    ):
        totals[plan_id][0] += 1
        totals[plan_id][1] += done_at is not None and done_at < opened
    return [
        _PlanState(path, list(dimensions), completed(*totals[plan_id]))
        for plan_id, path, dimensions in plans
    ]


def _row(
    kind: str,
    module: Module | None,
    dimension: str,
    before: dict[str, GroupResult],
    after: dict[str, GroupResult],
    treated: set[str],
    partly: set[str],
) -> EffectRow:
    """The difference-in-differences of one module (or the plans) on one dimension."""
    departments: list[DepartmentWaves] = []
    kept_partly = 0
    for key, first in before.items():
        second = after[key]
        score_before = first.dimensions.get(dimension, math.nan)
        score_after = second.dimensions.get(dimension, math.nan)
        # A department weighs as many people as answered in the thinner of its two waves: its
        # change is only as precise as that. Both counts are released with the figures.
        respondents = min(first.n or 0, second.n or 0)
        departments.append(DepartmentWaves(score_before, score_after, key in treated, respondents))
        scored = not (math.isnan(score_before) or math.isnan(score_after))
        kept_partly += scored and key in partly and key not in treated
    estimate = difference_in_differences(departments)
    has_numbers = (
        min(estimate.treated.departments, estimate.control.departments)
        >= MIN_DEPARTMENTS_FOR_A_MEAN
    )

    def shown(value: float | None) -> float | None:
        return value if has_numbers else None

    return EffectRow(
        kind=kind,
        module=module,
        dimension=dimension,
        treated=estimate.treated.departments,
        control=estimate.control.departments,
        partly=kept_partly,
        treated_change=shown(estimate.treated.mean_change),
        control_change=shown(estimate.control.mean_change),
        difference=shown(estimate.difference),
        ci_low=shown(estimate.ci_low),
        ci_high=shown(estimate.ci_high),
        level=estimate.level,
        verdict=estimate.verdict,
        is_weighted=estimate.is_weighted,
    )


def _module_rows(
    pair: WavePair,
    before: dict[str, GroupResult],
    after: dict[str, GroupResult],
    only: Module | None,
) -> list[EffectRow]:
    completion = _module_completion(pair, set(before))
    if only is not None:
        completion = {only.id: completion[only.id]} if only.id in completion else {}
    modules = {
        module.id: module
        for module in db.session.execute(
            select(Module).where(Module.id.in_(list(completion))).order_by(Module.slug)
        ).scalars()
    }
    rows = []
    for module_id, module in modules.items():
        per_unit = completion[module_id]
        treated = {key for key, counts in per_unit.items() if completed(*counts)}
        partly = {key for key, (assigned, _done) in per_unit.items() if assigned} - treated
        for dimension in (d for d in DIMENSIONS if d in module.dimensions):
            rows.append(_row(MODULE, module, dimension, before, after, treated, partly))
    return rows


def _plan_rows(
    pair: WavePair, before: dict[str, GroupResult], after: dict[str, GroupResult]
) -> list[EffectRow]:
    plans = _plans(pair)
    rows = []
    for dimension in DIMENSIONS:
        focused = [plan for plan in plans if dimension in plan.dimensions]
        if not focused:
            continue
        treated: set[str] = set()
        partly: set[str] = set()
        for key in before:
            for plan in focused:
                if is_at_or_below(key, plan.path) and plan.is_completed:
                    treated.add(key)
                elif is_at_or_below(key, plan.path) or is_below(plan.path, key):
                    # A plan short of its actions, or the plan of a team inside this one.
                    partly.add(key)
        rows.append(_row(PLAN, None, dimension, before, after, treated, partly - treated))
    return rows


def effects_of(second: Survey | None, now: datetime, only: Module | None = None) -> Effects:
    """The rows for ``second`` and the wave before it (None: the newest second wave), every
    module's and the plans', or ``only`` one module's. NotASecondWave when ``second`` has no
    closed wave to compare with."""
    if second is None:
        choices = second_waves(now)
        if not choices:
            return Effects(None, 0, [])
        second = choices[0]
    pair = _pair(second, now)
    if pair is None:
        raise NotASecondWave(second.id)
    first_release = disclosure.release_of(pair.first, now)
    second_release = disclosure.release_of(pair.second, now)
    keys = comparable_departments(first_release, second_release)
    before = {key: first_release.groups[key] for key in keys}
    after = {key: second_release.groups[key] for key in keys}
    rows = _module_rows(pair, before, after, only)
    if only is None:
        rows += _plan_rows(pair, before, after)
    return Effects(pair, len(keys), rows)


def module_effects(module: Module, now: datetime) -> Effects:
    """What the newest two waves say of one module (its own page)."""
    return effects_of(None, now, only=module)
