"""What every template can use: the navigation for the person's roles and the language list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import format_datetime, format_decimal, format_percent, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cxculture.i18n import LANGUAGE_NAMES
from cxculture.models import Role
from cxculture.services.audit import EventRow, PersonRef


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
AUDIT_LABELS = {  # what each action in the audit trail reads as, after the actor's name
    "audit.exported": _l("downloaded the audit log"),
    "org.admin_created": _l("created an HR admin account"),
    "org.department_renamed": _l("renamed the department"),
    "org.department_moved": _l("moved the department"),
    "org.department_heads_set": _l("set the heads"),
    "org.department_merged": _l("merged a department into this one"),
    "org.department_archived": _l("archived the department"),
    "org.department_restored": _l("restored the department"),
    "org.person_updated": _l("edited the person"),
    "org.person_roles_changed": _l("changed the person's roles"),
    "org.person_deactivated": _l("deactivated the person"),
    "org.person_reactivated": _l("reactivated the person"),
    "org.set_password_link_sent": _l("sent the set-password link again"),
    "org.person_erased": _l("erased a person"),
    "roster.applied": _l("applied a roster import"),
    "results.overview_exported": _l("downloaded the company results"),
    "results.report_exported": _l("downloaded a department's report"),
    "survey.created": _l("created the survey"),
    "survey.edited": _l("edited the survey"),
    "survey.launched": _l("launched the survey"),
    "survey.closed": _l("closed the survey early"),
    "survey.extended": _l("moved the closing time"),
    "survey.reopened": _l("reopened the survey"),
    "survey.reminded": _l("sent reminders"),
    "survey.newcomers_invited": _l("invited people who joined the audience"),
    "survey.emails_retried": _l("asked to send the queued emails again"),
    "survey.free_text_deleted": _l("deleted the free-text answers"),
    "instrument.copied": _l("copied the questionnaire"),
    "instrument.item_added": _l("added a statement to the questionnaire"),
    "instrument.item_edited": _l("edited a statement of the questionnaire"),
    "instrument.item_moved": _l("moved a statement of the questionnaire"),
    "instrument.item_removed": _l("removed a statement from the questionnaire"),
    "training.rule_created": _l("added a training rule"),
    "training.module_created": _l("created the module"),
    "training.module_edited": _l("edited the module"),
    "training.module_archived": _l("archived the module"),
    "training.module_restored": _l("restored the module"),
    "training.assigned": _l("assigned a module to the department"),
    "training.rule_applied": _l("applied a training rule"),
    "training.completion_exported": _l("downloaded the training completion"),
    "api.person_saved": _l("saved the person through the API"),
    "api.person_deactivated": _l("deactivated the person through the API"),
    "api.token_created": _l("created an API token"),
    "api.token_revoked": _l("revoked an API token"),
}
AUDIT_TARGET_LABELS = {
    "survey": _l("Survey"),
    "user": _l("Person"),
    "department": _l("Department"),
    "module": _l("Module"),
    "instrument": _l("Questionnaire"),
    "roster": _l("Roster import"),
    "training": _l("Training"),
    "audit": _l("Audit log"),
    "api_token": _l("API token"),
}
AUDIT_DETAIL_LABELS = {  # what the trail shows of an entry's details (others by their key)
    "department": _l("Department"),
    "is_hr_admin": _l("HR admin"),
    "headed_departments": _l("Heads these departments"),
    "manager": _l("Manager"),
    "old_path": _l("Before"),
    "new_path": _l("After"),
    "subdepartments": _l("Departments below"),
    "heads_before": _l("Before"),
    "heads_after": _l("After"),
    "merged": _l("Merged department"),
    "moved_departments": _l("Departments moved"),
    "hr_admin_granted": _l("Made HR admin"),
    "hr_admin_removed": _l("No longer HR admin"),
    "heads_changed": _l("Headships changed"),
    "invited": _l("Invited"),
    "reminded": _l("Reminded"),
    "enrolled": _l("Enrolled"),
    "module": _l("Module"),
    "due_on": _l("Due on"),
    "format": _l("Format"),
    "rows": _l("Rows"),
    "created": _l("Created"),
    "updated": _l("Updated"),
    "deactivated": _l("Deactivated"),
    "name": _l("Name"),
    "previous": _l("Before"),
    "closes_at": _l("Closes"),
    "locale": _l("Language"),
    "responses": _l("Responses"),
    "drafts": _l("Drafts"),
    "retention_days": _l("Retention (days)"),
    "responses_unlinked": _l("Responses kept, linked to no one"),
    "invitations_unlinked": _l("Invitations kept, linked to no one"),
    "enrolments_deleted": _l("Training records deleted"),
    "emails_deleted": _l("Emails deleted"),
    "roster_files_cleared": _l("Roster files emptied"),
    "changes": _l("Changes"),
    "item": _l("Statement"),
    "dimension": _l("Dimension"),
    "position": _l("Position"),
    "token": _l("API token"),
    "prefix": _l("API token"),
    "scopes": _l("Scopes"),
    "expires_at": _l("Expires"),
}
AUDIT_HIDDEN_DETAILS = frozenset({"merged_id"})  # kept for the export, meaningless on a page
# Actions whose details are [before, after] pairs.
AUDIT_CHANGE_ACTIONS = frozenset({"org.person_updated", "org.person_roles_changed"})
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
    "email_look_alike": _l(
        "This address looks like another person's address (shown) but differs by look-alike "
        "characters (another alphabet, full-width or stylised letters)."
    ),
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
# Bodies the outbox never shows: links that sign in, and what a person is told about their
# own account.
PRIVATE_EMAIL_KINDS = frozenset({"set_password", "password_reset", "login_alert"})
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


def audit_person(person: PersonRef | None) -> str:
    """Who an audit entry names: their name, an erased person's number, or the system."""
    if person is None:
        return gettext("The system")
    if person.is_erased:
        return gettext("Erased person #%(id)d", id=person.id)
    return person.name or ""


def audit_value(value: object) -> str:
    """One detail of an audit entry as text."""
    if value is None or value == []:
        return "—"
    if value is True or value is False:
        return gettext("yes") if value else gettext("no")
    if isinstance(value, PersonRef):
        return audit_person(value)
    if isinstance(value, list):
        return ", ".join(audit_value(item) for item in value)
    return str(value)


def audit_details(entry: EventRow) -> list[tuple[str, str]]:
    """An entry's details as (label, text) pairs, changes shown as "before → after"."""
    shown = []
    for key, value in entry.details.items():
        if key in AUDIT_HIDDEN_DETAILS:
            continue
        label = str(AUDIT_DETAIL_LABELS.get(key, key))
        if entry.action in AUDIT_CHANGE_ACTIONS and isinstance(value, list) and len(value) == 2:
            shown.append((label, f"{audit_value(value[0])} → {audit_value(value[1])}"))
        else:
            shown.append((label, audit_value(value)))
    return shown


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
    app.add_template_global(AUDIT_TARGET_LABELS, "audit_target_labels")
    app.add_template_filter(audit_person)
    app.add_template_filter(audit_details)
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
