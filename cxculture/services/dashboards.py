"""What a department head (or HR) sees of one department's results, guarded, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Department, Module, Role, Survey, User
from cxculture.models.org import PATH_SEPARATOR
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


def department_dashboard(viewer: User, survey: Survey, key: str | None) -> HeadDashboard:
    """One department's guarded results for ``viewer``; NotYourDepartment when out of reach."""
    found = results.survey_results(survey)
    choices = found.departments(viewable_paths(viewer))
    if key is None:
        key = choices[0].key if choices else None
    if key is None or key not in found.groups or not may_view(viewer, key):
        raise NotYourDepartment(key)
    group = found.groups[key]
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
    return HeadDashboard(survey, found, group, found.company, choices, items, statements, act)


def department_of(key: str) -> Department | None:
    return db.session.execute(select(Department).where(Department.path == key)).scalar_one_or_none()
