"""What a department head (or HR) sees of one department's results, guarded, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Instrument, Module, Role, Survey, SurveyState, User
from cxculture.models.org import PATH_SEPARATOR
from cxculture.scoring.stats import WaveChange
from cxculture.services import results, training
from cxculture.services.assignments import NotYourDepartment

WHERE_TO_ACT = 3  # the lowest dimensions shown with modules


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


def department_results(
    viewer: User, survey: Survey, key: str | None
) -> tuple[results.SurveyResults, results.GroupResult, list[results.GroupResult]]:
    """The survey's guarded results, the department ``key`` (default: the viewer's first) and
    the departments the viewer may choose from; NotYourDepartment when out of reach."""
    found = results.survey_results(survey)
    choices = found.departments(viewable_paths(viewer))
    if key is None:
        key = choices[0].key if choices else None
    if key is None or key not in found.groups or not may_view(viewer, key):
        raise NotYourDepartment(key)
    return found, found.groups[key], choices


def department_dashboard(viewer: User, survey: Survey, key: str | None) -> HeadDashboard:
    """One department's guarded results for ``viewer``; NotYourDepartment when out of reach."""
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
    change = None
    if previous is not None and not group.is_suppressed:
        change = results.compare_waves(previous, survey, key)  # guarded in both waves
    return HeadDashboard(
        survey, found, group, found.company, choices, items, statements, act, previous, change
    )
