"""Why the roster rules refused a person, as the API's 422: the field at fault and the same
sentence the import preview shows (in English)."""

from __future__ import annotations

from flask_babel import force_locale

from cxculture.api.errors import ApiError
from cxculture.paths import is_at_or_below
from cxculture.services.org.roster import RowProblem
from cxculture.services.org.roster.labels import ROSTER_PROBLEMS

FIELD_OF_REASON = {
    "employee_number_missing": "employee_number",
    "employee_number_too_long": "employee_number",
    "name_missing": "name",
    "name_too_long": "name",
    "email_too_long": "email",
    "bad_email": "email",
    "email_taken": "email",
    "no_email_or_number": "email",
    "role_needs_email": "email",
    "same_person": "employee_number",
    "email_look_alike": "email",
    "department_empty": "department",
    "department_invalid": "department",
    "department_own_ancestor": "department",
    "department_too_long": "department",
    "department_archived": "department",
    "bad_heads": "heads",
    "bad_flag": "hr_admin",
    "own_hr_admin": "hr_admin",
    "bad_locale": "locale",
    "bad_manager_email": "manager_email",
    "manager_unknown": "manager_email",
    "manager_loop": "manager_email",
}
SHOWS_VALUE = {"email_taken", "email_look_alike", "department_archived", "manager_unknown"}


def _field(problem: RowProblem, fields: dict) -> str:
    if problem.reason == "bad_characters":
        return problem.value  # the column holding it
    if problem.reason == "department_archived":
        department = fields.get("department", "")
        return "department" if is_at_or_below(department, problem.value) else "heads"
    return FIELD_OF_REASON.get(problem.reason, "_schema")


def rejected(problems: list[RowProblem], fields: dict) -> ApiError:
    """A 422 naming each field at fault; its code is the roster's reason."""
    details: dict[str, dict[str, list[str]]] = {}
    with force_locale("en"):
        for problem in problems:
            field = _field(problem, fields)
            location = "path" if field == "employee_number" else "json"
            text = str(ROSTER_PROBLEMS[problem.reason])
            if problem.reason in SHOWS_VALUE and problem.value:
                text = f"{text.rstrip('.')}: {problem.value}"
            details.setdefault(location, {}).setdefault(field, []).append(text)
    names = ", ".join(f"{location}.{field}" for location in details for field in details[location])
    return ApiError(
        422,
        problems[0].reason,
        f"Refused by the roster rules: {names}. Nothing was changed.",
        details,
    )
