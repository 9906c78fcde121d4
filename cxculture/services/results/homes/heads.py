"""A department head's home: their departments in the newest released results with where to
act, the modules assigned there still open, and who is late with them (named, as the Team
training page names them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cxculture import disclosure
from cxculture.disclosure import GroupResult, RateRow, Release
from cxculture.extensions import db
from cxculture.models import Department, Module, Survey, SurveyState, User
from cxculture.paths import depth_of, within
from cxculture.scoring.stats import WaveChange
from cxculture.services import org, training
from cxculture.services.org import DepartmentRow
from cxculture.services.results.homes.attention import Attention, is_recent, own_surveys, ranked
from cxculture.services.results.homes.figures import (
    TrainingStatus,
    latest_release,
    training_status,
)
from cxculture.services.training.assignments import CompletionRow, completion


@dataclass(frozen=True)
class Focus:
    """Where a shown department may act first: the first dimension of its "where to act"
    ranking (by impact and room to rise; its lowest score when no weights can be had) and a
    module on it."""

    dimension: str
    score: float
    module: Module | None
    is_assigned: bool  # the module is already assigned there
    is_by_impact: bool = False


@dataclass(frozen=True)
class DepartmentResult:
    group: GroupResult
    change: WaveChange | None
    department_id: int | None  # None when the department is gone since the wave
    focus: Focus | None
    level: int = 0  # levels below the department the head heads


@dataclass(frozen=True)
class HeadResults:
    survey: Survey
    release: Release
    previous: Survey | None
    departments: list[DepartmentResult]

    @property
    def company(self) -> GroupResult:
        return self.release.company


@dataclass(frozen=True)
class HeadRunning:
    """A survey open or scheduled for the head's departments, with their guarded counts."""

    survey: Survey
    state: SurveyState
    rates: list[RateRow]
    minimum: int


@dataclass(frozen=True)
class HeadHome:
    attention: list[Attention]
    latest: HeadResults | None
    running: list[HeadRunning]
    training: TrainingStatus
    departments: list[DepartmentRow]
    titles: dict[int, str]


def _focus(
    found: Release, group: GroupResult, modules: list[Module], assigned: set[int]
) -> Focus | None:
    if group.is_suppressed or not group.dimensions:
        return None
    act = disclosure.where_to_act(found, group.key, disclosure.outcomes(found.survey)[0])
    is_by_impact = act is not None and act.ranking is not None
    if act is not None and act.ranking is not None:
        first = act.ranking.priorities[0]
        dimension, score = first.name, first.score
    else:
        dimension, score = min(group.dimensions.items(), key=lambda pair: (pair[1], pair[0]))
    # Modules written for everyone first: those about leading a team suit the head alone.
    working = sorted(
        (m for m in modules if dimension in m.dimensions), key=lambda m: m.audience != "everyone"
    )
    fresh = [m for m in working if m.id not in assigned]
    if not working:
        return Focus(dimension, score, None, False, is_by_impact)
    module = (fresh or working)[0]
    return Focus(dimension, score, module, module.id in assigned, is_by_impact)


def _head_results(keys: list[str], rows: list[CompletionRow], now: datetime) -> HeadResults | None:
    found = latest_release(now, keys)
    if found is None:
        return None
    previous = disclosure.previous_wave(found.survey)
    before = disclosure.release_of(previous, now) if previous is not None else None
    modules = training.catalogue()
    ids = dict(
        db.session.execute(
            select(Department.path, Department.id).where(
                Department.path.in_([g.key for g in found.departments(keys)])
            )
        ).all()
    )
    results = []
    for group in found.departments(keys):
        assigned = {row.module_id for row in rows if within(row.department, [group.key])}
        change = None
        if before is not None and not group.is_suppressed:
            change = disclosure.wave_change(before, found, group.key)
        level = min(depth_of(group.key) - depth_of(key) for key in keys if within(group.key, [key]))
        focus = _focus(found, group, modules, assigned)
        results.append(DepartmentResult(group, change, ids.get(group.key), focus, level))
    return HeadResults(found.survey, found, previous, results)


def _head_running(keys: list[str], now: datetime) -> list[HeadRunning]:
    running = []
    for survey in disclosure.result_surveys():
        state = survey.state(now)
        if state not in (SurveyState.OPEN, SurveyState.SCHEDULED):
            continue
        rates = disclosure.response_rates(survey)
        mine = [rates.get(key) for key in keys if key in rates.rows]
        if mine:
            running.append(HeadRunning(survey, state, mine, rates.minimum))
    return sorted(running, key=lambda r: (r.state is not SurveyState.OPEN, r.survey.closes_at))


def head_home(viewer: User, now: datetime, locale: str) -> HeadHome:
    """What a head should see first: their departments only (those they head and below), even
    when they are HR too."""
    headed = list(viewer.headed_departments)
    keys = [department.path for department in headed]
    today = now.date()
    rows = completion(viewer, headed)
    status = training_status(rows, today)
    latest = _head_results(keys, rows, now)
    attention: list[Attention] = []
    if status.overdue:
        attention.append(Attention("training_overdue", count=len(status.overdue)))
    attention += own_surveys(viewer, now)
    if latest is not None and is_recent(latest.survey, now):
        attention.append(
            Attention("results_out", survey=latest.survey, when=latest.release.latest_at)
        )
    return HeadHome(
        ranked(attention),
        latest,
        _head_running(keys, now),
        status,
        org.department_rows(headed),
        training.titles(locale),
    )
