"""What a department head (or HR) sees of one department's results, guarded, in one place."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Department, Instrument, Module, Role, Survey, SurveyState, User
from cxculture.models.org import PATH_SEPARATOR
from cxculture.scoring.stats import WaveChange
from cxculture.services import assignments, results, surveys, training
from cxculture.services.assignments import ModuleCompletion, NotYourDepartment

WHERE_TO_ACT = 3  # the lowest dimensions shown with modules
EXTREMES = 3  # departments listed as the lowest and the highest


class NoAnswersYet(Exception):
    """None of the departments the viewer may open has an answer in this survey yet."""


def result_surveys() -> list[Survey]:
    """Launched surveys, newest first: the ones that can have results."""
    return list(
        db.session.execute(
            select(Survey).where(Survey.launched_at.is_not(None)).order_by(Survey.opens_at.desc())
        ).scalars()
    )


def default_survey(surveys: list[Survey], now) -> Survey | None:
    """The newest closed wave (complete results), else the newest launched one."""
    closed = [survey for survey in surveys if survey.state(now) is SurveyState.CLOSED]
    return (closed or surveys or [None])[0]


def previous_wave(survey: Survey) -> Survey | None:
    """The closed wave of the same questionnaire that came before ``survey``."""
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


def viewable_paths(viewer: User) -> list[str] | None:
    """The department paths whose results the viewer may open (None: every one, for HR)."""
    if viewer.has_role(Role.HR_ADMIN):
        return None
    return [department.path for department in viewer.headed_departments]


def may_view(viewer: User, key: str) -> bool:
    paths = viewable_paths(viewer)
    if paths is None:
        return True
    return any(key == path or key.startswith(path + PATH_SEPARATOR) for path in paths)


@dataclass(frozen=True)
class HeadSummary:
    """The newest results of the departments a head leads, for their home page."""

    survey: Survey
    company: results.GroupResult
    departments: list[results.GroupResult]  # the headed ones, not those below them


def head_summary(viewer: User, now) -> HeadSummary | None:
    """None until a survey has been launched."""
    survey = default_survey(result_surveys(), now)
    if survey is None:
        return None
    found = results.survey_results(survey)
    headed = [d.path for d in viewer.headed_departments]
    return HeadSummary(
        survey, found.company, [found.groups[key] for key in headed if key in found.groups]
    )


@dataclass(frozen=True)
class HeadDashboard:
    survey: Survey
    found: results.SurveyResults
    group: results.GroupResult
    company: results.GroupResult
    choices: list[results.GroupResult]
    items: results.AnswerDistributions | None
    statements: list[str] | None
    where_to_act: list[tuple[str, float, list[Module]]]
    previous: Survey | None = None
    change: WaveChange | None = None
    department: Department | None = None  # None when it no longer exists
    training: list[ModuleCompletion] = field(default_factory=list)


def department_results(
    viewer: User, survey: Survey, key: str | None
) -> tuple[results.SurveyResults, results.GroupResult, list[results.GroupResult]]:
    """The survey's guarded results, the department ``key`` (default: the viewer's first) and
    the departments the viewer may choose from; NotYourDepartment when out of reach, NoAnswersYet
    when no department of the viewer's has answered (so there is no first one to show)."""
    found = results.survey_results(survey)
    choices = found.departments(viewable_paths(viewer))
    if key is None:
        if not choices:
            raise NoAnswersYet(survey.id)
        key = choices[0].key
    if key not in found.groups or not may_view(viewer, key):
        raise NotYourDepartment(key)
    return found, found.groups[key], choices


def department_dashboard(
    viewer: User, survey: Survey, key: str | None, today: date
) -> HeadDashboard:
    """One department's guarded results for ``viewer``; NotYourDepartment when out of reach,
    NoAnswersYet before any of the viewer's departments has answered."""
    found, group, choices = department_results(viewer, survey, key)
    key = group.key
    items = statements = None
    act: list[tuple[str, float, list[Module]]] = []
    if not group.is_suppressed:
        items = results.item_results(survey, key, found)
        statements = results.group_statements(survey, key, found)
        modules = training.catalogue()
        for dimension, score in sorted(group.dimensions.items(), key=lambda kv: kv[1])[
            :WHERE_TO_ACT
        ]:
            act.append((dimension, score, [m for m in modules if dimension in m.dimensions]))
    previous = previous_wave(survey)
    # The department as it is now; one of a past wave may have gone since.
    department = db.session.execute(
        select(Department).where(Department.path == key)
    ).scalar_one_or_none()
    change = None
    if previous is not None and not group.is_suppressed:
        change = results.compare_waves(previous, survey, key)  # guarded in both waves
    return HeadDashboard(
        survey,
        found,
        group,
        found.company,
        choices,
        items,
        statements,
        act,
        previous,
        change,
        department,
        department_training(viewer, department, today),
    )


def department_training(
    viewer: User, department: Department | None, today: date
) -> list[ModuleCompletion]:
    """Completion per module of the people now in ``department`` and below it."""
    if department is None:
        return []
    return assignments.completion_by_module(assignments.completion(viewer, [department]), today)


@dataclass(frozen=True)
class OverviewRow:
    """One department for HR: its guarded results, its response rate and its training.

    A hidden group shows no count of its answers either (``invited`` and ``responded`` are
    None); training completion is not a survey answer and always shows."""

    group: results.GroupResult
    invited: int | None = None
    responded: int | None = None
    enrolled: int = 0
    completed: int = 0

    @property
    def response_rate(self) -> float | None:
        if self.invited is None or self.responded is None or not self.invited:
            return None
        return self.responded / self.invited

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class TrendPoint:
    """The company's guarded index in one wave of the questionnaire."""

    survey: Survey
    company: results.GroupResult


@dataclass(frozen=True)
class Overview:
    """The whole company for HR, one level of the department tree at a time."""

    survey: Survey
    found: results.SurveyResults
    level: int
    levels: int
    company: OverviewRow
    rows: list[OverviewRow]
    lowest: list[OverviewRow]
    highest: list[OverviewRow]
    trend: list[TrendPoint]


def _rolled(counts: dict[str | None, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Pairs of counts per exact path added up to every ancestor and the company."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, (first, second) in counts.items():
        for key in results.ancestors(path):
            totals[key][0] += first
            totals[key][1] += second
    return {key: (first, second) for key, (first, second) in totals.items()}


def overview_rows(survey: Survey, found: results.SurveyResults) -> list[OverviewRow]:
    """The company, then every department that had answers, in tree order."""
    rates = _rolled(surveys.response_counts(survey))
    trained = _rolled(assignments.completion_counts())
    return [
        OverviewRow(
            group,
            *((None, None) if group.is_suppressed else rates.get(group.key, (0, 0))),
            *trained.get(group.key, (0, 0)),
        )
        for group in [found.company, *found.departments()]
    ]


def company_trend(survey: Survey) -> list[TrendPoint]:
    """The company's index in every launched wave of the same questionnaire up to ``survey``."""
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
    return [TrendPoint(wave, results.survey_results(wave).company) for wave in waves]


def company_overview(survey: Survey, level: int, with_trend: bool = True) -> Overview:
    """HR's view of ``survey``: departments at ``level`` (1 = top), extremes and the trend
    (every earlier wave's results: skipped when only the departments are wanted)."""
    found = results.survey_results(survey)
    every = overview_rows(survey, found)
    levels = max((row.group.depth + 1 for row in every[1:]), default=0)
    rows = [row for row in every[1:] if row.group.depth + 1 == level]
    ranked = sorted(
        (row for row in rows if row.group.index is not None), key=lambda row: row.group.index
    )
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
        company_trend(survey) if with_trend else [],
    )
