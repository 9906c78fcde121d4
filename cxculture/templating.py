"""What every template can use: the navigation for the person's roles and the language list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import format_datetime, format_decimal, format_percent, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cxculture.i18n import LANGUAGE_NAMES
from cxculture.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object


DIMENSION_LABELS = {
    "line_of_sight": _l("Line of sight"),
    "listen": _l("Listen"),
    "share": _l("One company"),
    "act": _l("Ownership"),
    "right_first_time": _l("Right first time"),
    "lead": _l("Leadership"),
}
CATEGORY_LABELS = {  # the role-statement test's outcomes
    "customer_direct": _l("Names the customer"),
    "customer_indirect": _l("Serves someone who does"),
    "internal_only": _l("Names only colleagues"),
    "no_line_of_sight": _l("No line of sight"),
}
SURVEY_STATE_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}
AUDIT_LABELS = {
    "survey.created": _l("created the survey"),
    "survey.edited": _l("edited the survey"),
    "survey.launched": _l("launched the survey"),
    "survey.closed": _l("closed the survey early"),
    "survey.extended": _l("moved the closing time"),
    "survey.reopened": _l("reopened the survey"),
    "survey.reminded": _l("sent reminders"),
    "survey.newcomers_invited": _l("invited people who joined the audience"),
    "survey.emails_retried": _l("asked to send the queued emails again"),
    "instrument.copied": _l("copied the questionnaire"),
    "training.rule_created": _l("added a training rule"),
    "training.module_created": _l("created the module"),
    "training.module_edited": _l("edited the module"),
    "training.module_archived": _l("archived the module"),
    "training.module_restored": _l("restored the module"),
}
# Roster import: why a file cannot be read (with its detail), and why a row is rejected.
ROSTER_FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "not_text": _l("This is not a CSV file: it holds binary data."),
    "spreadsheet": _l(
        "This is a spreadsheet workbook (%(detail)s), not CSV. Save it as “CSV UTF-8” and "
        "upload that file."
    ),
    "not_csv": _l("The file could not be read as CSV: %(detail)s."),
    "missing_columns": _l(
        "Columns missing: %(detail)s. The header needs an employee number, a name, an email "
        "and a department."
    ),
    "duplicate_column": _l("Two columns mean the same thing: %(detail)s."),
    "no_rows": _l("The file has a header but no people under it."),
    "too_large": _l("The file is larger than %(detail)s MB."),
}
ROSTER_PROBLEMS = {
    "employee_number_missing": _l("No employee number."),
    "employee_number_too_long": _l("The employee number is longer than 64 characters."),
    "name_missing": _l("No name."),
    "name_too_long": _l("The name is longer than 200 characters."),
    "email_too_long": _l("The email is longer than 254 characters."),
    "bad_email": _l("Not a valid email address."),
    "department_empty": _l("No department."),
    "department_invalid": _l("The department path has an empty or overlong level."),
    "department_own_ancestor": _l("The department path puts a department inside itself."),
    "department_too_long": _l("The department path is longer than 1000 characters."),
    "bad_characters": _l("A field holds a character that cannot be stored (a NUL byte)."),
    "bad_heads": _l("A department this person heads is not a valid path."),
    "bad_flag": _l("Not understood as yes or no."),
    "bad_locale": _l("Unknown language (use en, pt_BR or es)."),
    "bad_manager_email": _l("The manager's email is not a valid address."),
    "too_many_fields": _l("More fields than the header has columns."),
    "duplicate_employee_number": _l("The same employee number is on another line."),
    "duplicate_email": _l("The same email is on another line."),
    "email_taken": _l("This email belongs to another person already (employee number shown)."),
    "department_archived": _l("The department is archived: restore it first."),
    "manager_unknown": _l("The manager is neither in the file nor an active person."),
    "manager_loop": _l("The managers go round in a circle back to this person."),
    "own_hr_admin": _l("An import cannot take away your own HR admin role."),
}
ROSTER_CHANGES = {
    "name": _l("name"),
    "email": _l("email"),
    "department": _l("department"),
    "locale": _l("language"),
    "hr_admin": _l("HR admin"),
    "heads": _l("departments headed"),
    "manager": _l("manager"),
    "reactivated": _l("active again"),
    "employee_number": _l("employee number added"),
}
# Emails whose body holds a personal link: HR never reads them in the outbox.
PRIVATE_EMAIL_KINDS = frozenset({"set_password", "password_reset"})
PRIVACY_LABELS = {"confidential": _l("Confidential"), "anonymous": _l("Anonymous")}

NAVIGATION: tuple[tuple[Role, NavItem], ...] = (
    (Role.EMPLOYEE, NavItem("home.employee_home", _l("My space"))),
    (Role.EMPLOYEE, NavItem("surveys.mine", _l("My surveys"))),
    (Role.EMPLOYEE, NavItem("training.mine", _l("My training"))),
    (Role.DEPT_HEAD, NavItem("dashboards.head_home", _l("My departments"))),
    (Role.DEPT_HEAD, NavItem("dashboards.results_page", _l("Results"))),
    (Role.DEPT_HEAD, NavItem("dashboards.training_page", _l("Team training"))),
    (Role.HR_ADMIN, NavItem("hr.home", _l("HR"))),
    (Role.HR_ADMIN, NavItem("people.people_index", _l("People"))),
    (Role.HR_ADMIN, NavItem("hr.surveys_index", _l("Surveys"))),
    (Role.HR_ADMIN, NavItem("instruments.index", _l("Questionnaires"))),
    (Role.HR_ADMIN, NavItem("dashboards.overview", _l("Company results"))),
    (Role.HR_ADMIN, NavItem("dashboards.results_page", _l("Results"))),
    (Role.HR_ADMIN, NavItem("dashboards.training_page", _l("Team training"))),
)


def navigation_for(roles: frozenset[Role]) -> list[NavItem]:
    """The menu entries for a person holding ``roles``."""
    items: list[NavItem] = []
    for role, item in NAVIGATION:
        if role in roles and item not in items:  # a head who is also HR sees it once
            items.append(item)
    return items


def dimension_names(dimensions: list[str]) -> str:
    """The dimensions' names in the reader's language, joined."""
    return ", ".join(str(DIMENSION_LABELS[d]) for d in dimensions if d in DIMENSION_LABELS)


def register_template_helpers(app: Flask) -> None:
    """Attach the layout's context and the locale-aware filters to ``app``."""
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(dimension_names)
    app.add_template_global(DIMENSION_LABELS, "dimension_labels")
    app.add_template_global(SURVEY_STATE_LABELS, "state_labels")
    app.add_template_global(PRIVACY_LABELS, "privacy_labels")
    app.add_template_global(AUDIT_LABELS, "audit_labels")
    app.add_template_global(PRIVATE_EMAIL_KINDS, "private_email_kinds")
    app.add_template_global(ROSTER_PROBLEMS, "roster_problems")
    app.add_template_filter(lambda change: ROSTER_CHANGES[change], "roster_change")

    @app.context_processor
    def inject_layout() -> dict[str, object]:
        roles = current_user.roles if current_user.is_authenticated else frozenset()
        return {
            "navigation": navigation_for(roles),
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale() or "en"),
            "current_path": request.full_path.rstrip("?"),
        }
