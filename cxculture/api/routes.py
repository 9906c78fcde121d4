"""The API's endpoints under /api/v1: parse with a schema, call a service, return JSON.

Each endpoint declares the token scopes it needs (``api_scope``); the access hook checks the
bearer token before the view runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from cxculture import disclosure
from cxculture.access import api_scope
from cxculture.api.errors import ApiError
from cxculture.api.pagination import decode_cursor, page
from cxculture.api.problems import rejected
from cxculture.api.schemas import (
    CompletionQuerySchema,
    CompletionSchema,
    DepartmentPageSchema,
    EffectsQuerySchema,
    EffectsSchema,
    ErrorSchema,
    PageQuerySchema,
    PeopleQuerySchema,
    PersonInputSchema,
    PersonPageSchema,
    PersonSchema,
    ResultsQuerySchema,
    ResultsSchema,
    SurveyPageSchema,
)
from cxculture.models import Department, Survey, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.effects import COMPLETION_SHARE, MIN_DEPARTMENTS_PER_SIDE
from cxculture.services import org, surveys, training
from cxculture.services.org import sync
from cxculture.services.results import effects as results_effects
from cxculture.services.training import assignments

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="cxculture API, version 1")

MAX_ID = 2**31 - 1  # ids are 32-bit integers on every database
ERROR_DESCRIPTIONS = {
    400: "An unreadable JSON body, or a cursor this API did not make.",
    401: "No token, or one that is unknown, revoked or expired.",
    403: "The token lacks the scope.",
    404: "No such record.",
    409: "The record changed meanwhile, or its state forbids this.",
    422: "Invalid fields, named in details.",
    429: "Too many requests with this token; see Retry-After.",
}
READ_ERRORS = (400, 401, 403, 422, 429)


def documents(*statuses: int):
    """Document the error responses an endpoint can give, in the API's error format."""

    def decorate(view):
        for status in statuses:
            view = bp.alt_response(
                status, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[status]
            )(view)
        return view

    return decorate


def _department_or_404(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = org.get_department(department_id)
    if department is None:
        raise ApiError(404, "department_not_found", "No department has this id.")
    return department


@bp.route("/departments", tags=["Departments"])
@api_scope("people:read", "results:read", "training:read")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, DepartmentPageSchema)
@documents(*READ_ERRORS)
def departments(query: dict):
    """The department tree

    Every department, archived ones included, by id; `parent_id` builds the tree. Any scope
    reads it, so results and training can be asked per department.
    """
    after = decode_cursor(query.get("cursor"))
    found = sync.departments_page(after, query["limit"] + 1)
    return page(found, query["limit"], key=lambda department: department.id)


@bp.route("/people", tags=["People"])
@api_scope("people:read")
@bp.arguments(PeopleQuerySchema, location="query")
@bp.response(200, PersonPageSchema)
@documents(*READ_ERRORS, 404)
def people(query: dict):
    """People

    Everyone, by id, or the people of a department (and those below it), active or not.
    """
    department = _department_or_404(query.get("department"))
    found = sync.people_page(
        department=department,
        active=query.get("active"),
        after_id=decode_cursor(query.get("cursor")),
        limit=query["limit"] + 1,
    )
    return page(found, query["limit"], key=lambda person: person.id)


def _person_or_404(employee_number: str):
    person = sync.find_person(employee_number)
    if person is None:
        raise ApiError(404, "person_not_found", "Nobody has this employee number.")
    return person


@bp.route("/people/<employee_number>", methods=["GET"], tags=["People"])
@api_scope("people:read")
@bp.response(200, PersonSchema)
@documents(401, 403, 404, 429)
def person(employee_number: str):
    """One person, by employee number"""
    return _person_or_404(employee_number)


@bp.route("/people/<employee_number>", endpoint="save_person", methods=["PUT"], tags=["People"])
@api_scope("people:write")
@bp.arguments(PersonInputSchema)
@bp.response(200, PersonSchema, description="Updated, or already as given.")
@bp.alt_response(201, schema=PersonSchema, description="Created.", success=True)
@documents(400, 401, 403, 409, 422, 429)
def save_person(fields: dict, employee_number: str):
    """Create or update a person

    The rules of the roster import, for one row: a valid email nobody else has, a department
    path (created when missing; not inside itself, not archived), a manager who exists, no
    loop of managers, and never taking away the HR admin role of the token's owner. A
    person who was deactivated is active again. All or nothing.
    """
    try:
        found, is_created = sync.save_person(employee_number, fields, g.api_token, utcnow())
    except sync.PersonRejected as exc:
        raise rejected(exc.problems, fields) from exc
    except IntegrityError as exc:
        raise ApiError(
            409, "conflict", "This person changed meanwhile; nothing was saved. Try again."
        ) from exc
    return found, 201 if is_created else 200


@bp.route(
    "/people/<employee_number>", endpoint="deactivate_person", methods=["DELETE"], tags=["People"]
)
@api_scope("people:write")
@bp.response(200, PersonSchema, description="Deactivated (or already was).")
@documents(401, 403, 404, 409, 429)
def deactivate_person(employee_number: str):
    """Deactivate a leaver

    They can no longer log in, head no department, their unanswered invitations are
    withdrawn; what they answered stays. Saving them again (PUT) reactivates them.
    """
    try:
        found = sync.deactivate_person(employee_number, g.api_token, utcnow())
    except sync.OwnAccount as exc:
        raise ApiError(
            409, "own_account", "A token cannot deactivate the HR admin it acts for."
        ) from exc
    if found is None:
        raise ApiError(404, "person_not_found", "Nobody has this employee number.")
    return found


def _survey_body(survey: Survey, counts: dict[int, disclosure.RateRow], now) -> dict:
    found = counts[survey.id]
    return {
        "id": survey.id,
        "name": survey.name,
        "instrument": {"key": survey.instrument.key, "version": survey.instrument.version},
        "state": survey.state(now).value,
        "privacy_mode": survey.privacy_mode,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "launched_at": survey.launched_at,
        "closed_at": survey.closed_at,
        "invited": found.invited,
        "responded": found.answered,
        "counts_withheld": disclosure.SUPPRESSED if found.is_hidden else None,
    }


@bp.route("/surveys", tags=["Surveys"])
@api_scope("results:read")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, SurveyPageSchema)
@documents(*READ_ERRORS)
def surveys_index(query: dict):
    """Surveys

    Every survey, drafts included, by id, with its invitations and responses so far (both null
    when fewer people than the minimum were invited).
    """
    found = surveys.surveys_page(decode_cursor(query.get("cursor")), query["limit"] + 1)
    counts = disclosure.company_counts(found)
    now = utcnow()
    return page(
        [_survey_body(survey, counts, now) for survey in found],
        query["limit"],
        key=lambda body: body["id"],
    )


def _dimension_body(key: str, score: float | None, spread) -> dict:
    return {
        "key": key,
        "score": score,
        "favorable": spread.favorable if spread else None,
        "neutral": spread.neutral if spread else None,
        "unfavorable": spread.unfavorable if spread else None,
    }


def _results_body(release: disclosure.Release, key: str, department) -> dict:
    """The group's released figures, or none at all, with the reason, when they are withheld."""
    group = release.group(key)
    body: dict[str, Any] = {
        "survey_id": release.survey_id,
        "department": {"id": department.id, "path": department.path} if department else None,
        "minimum": group.minimum,
        "suppressed": group.is_suppressed,
        "withheld": group.reason,
        "released_at": group.released_at,
        "stale": group.is_stale,
        "n": None,
        "index": None,
        "dimensions": [],
        "role_statements": None,
        "customer_mention_rate": None,
    }
    if group.is_suppressed:
        return body
    spread = disclosure.answer_distributions(release, key)
    body.update(
        n=group.n,
        index=group.index,
        dimensions=[
            _dimension_body(
                dimension,
                group.dimensions.get(dimension),
                spread.dimensions.get(dimension) if spread else None,
            )
            for dimension in DIMENSIONS
        ],
        role_statements=dict(group.categories),
        customer_mention_rate=group.customer_mention_rate,
    )
    return body


@bp.route("/surveys/<int:survey_id>/results", tags=["Surveys"])
@api_scope("results:read")
@bp.arguments(ResultsQuerySchema, location="query")
@bp.response(200, ResultsSchema)
@documents(401, 403, 404, 409, 422, 429)
def survey_results(query: dict, survey_id: int):
    """A survey's results, for the company or one department

    Sub-departments are rolled up; results follow the department paths the responses were
    given in. The figures are those the release layer released for the pages: nothing while the
    survey is open (unless HR chose live results), then snapshots no combination of which
    singles anyone out. When `suppressed` is true there are no numbers at all and `withheld`
    says why.
    """
    survey = surveys.get_survey(survey_id) if survey_id <= MAX_ID else None
    if survey is None:
        raise ApiError(404, "survey_not_found", "No survey has this id.")
    if survey.launched_at is None:
        raise ApiError(409, "survey_not_launched", "This survey has not been launched.")
    department = _department_or_404(query.get("department"))
    key = department.path if department is not None else ""
    return _results_body(disclosure.release_of(survey, utcnow()), key, department)


@bp.route("/training/completion", tags=["Training"])
@api_scope("training:read")
@bp.arguments(CompletionQuerySchema, location="query")
@bp.response(200, CompletionSchema)
@documents(401, 403, 404, 422, 429)
def training_completion(query: dict):
    """Training completion per module

    Assigned (by a head, HR or a rule), completed and overdue, for the people now in a
    department and below it, or in every department. What people take on their own, or were
    suggested from their own answers, is theirs alone and never counted.
    """
    department = _department_or_404(query.get("department"))
    rows = assignments.module_completion(
        [department] if department is not None else None, utcnow().date()
    )
    modules = {module.id: module for module in training.catalogue(include_archived=True)}
    return {
        "department": {"id": department.id, "path": department.path} if department else None,
        "modules": [
            {
                "module_id": row.module_id,
                "slug": modules[row.module_id].slug,
                "title": modules[row.module_id].written_text_in("en").title,
                "assigned": row.enrolled,
                "completed": row.completed,
                "overdue": row.overdue,
            }
            for row in rows
        ],
    }


def _wave_body(survey: Survey, closed_at: datetime) -> dict:
    return {
        "id": survey.id,
        "name": survey.name,
        "opens_at": survey.opens_at,
        "closed_at": closed_at,
    }


def _effect_row_body(row: results_effects.EffectRow) -> dict:
    module = row.module
    return {
        "kind": row.kind,
        "module": {
            "id": module.id,
            "slug": module.slug,
            "title": text.title if (text := module.text_in("en")) else module.slug,
        }
        if module is not None
        else None,
        "dimension": row.dimension,
        "treated_departments": row.treated,
        "control_departments": row.control,
        "control_partly": row.partly,
        "treated_mean_change": row.treated_change,
        "control_mean_change": row.control_change,
        "difference": row.difference,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
        "level": row.level,
        "verdict": row.verdict.value,
        "weighted": row.is_weighted,
    }


@bp.route("/effects", tags=["Surveys"])
@api_scope("results:read")
@bp.arguments(EffectsQuerySchema, location="query")
@bp.response(200, EffectsSchema)
@documents(401, 403, 404, 409, 422, 429)
def effects(query: dict):
    """Did it work: training and focus plans between two waves

    For each module assigned between two waves and each dimension it targets, and each
    dimension a focus plan took on: the mean change of the departments that completed it
    (at least `completion_share` of the people assigned, or of the plan's actions, done before
    the second wave opened) against the mean change of the others, the difference with its
    95% Welch interval, and a verdict. Departments are the finest ones the release layer
    released in both waves; a hidden group never enters, and no department's own change is
    given (every number is null when a side has fewer than two departments). It shows an
    association between two waves, not proof that the training caused it.
    """
    survey = None
    if "survey_id" in query:
        survey = surveys.get_survey(query["survey_id"])
        if survey is None:
            raise ApiError(404, "survey_not_found", "No survey has this id.")
    try:
        found = results_effects.effects_of(survey, utcnow())
    except results_effects.NotASecondWave as exc:
        raise ApiError(
            409,
            "no_wave_to_compare",
            "This survey has not closed, or has no closed wave of the same questionnaire "
            "before it.",
        ) from exc
    pair = found.pair
    return {
        "first_wave": _wave_body(pair.first, pair.first_closed_at) if pair else None,
        "second_wave": _wave_body(pair.second, pair.second_closed_at) if pair else None,
        "completion_share": COMPLETION_SHARE,
        "min_departments_per_side": MIN_DEPARTMENTS_PER_SIDE,
        "departments": found.departments,
        "rows": [_effect_row_body(row) for row in found.rows],
    }
