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
from cxculture.services.audit.labels import (
    AUDIT_CHANGE_ACTIONS,
    AUDIT_DETAIL_LABELS,
    AUDIT_HIDDEN_DETAILS,
    AUDIT_LABELS,
    AUDIT_TARGET_LABELS,
)
from cxculture.services.org.roster.labels import ROSTER_CHANGES, ROSTER_PROBLEMS


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
    # Values, not functions (add_template_global is for callables): straight into the globals.
    app.jinja_env.globals["dimension_labels"] = DIMENSION_LABELS
    app.jinja_env.globals["state_labels"] = SURVEY_STATE_LABELS
    app.jinja_env.globals["privacy_labels"] = PRIVACY_LABELS
    app.jinja_env.globals["audit_labels"] = AUDIT_LABELS
    app.jinja_env.globals["audit_target_labels"] = AUDIT_TARGET_LABELS
    app.add_template_filter(audit_person)
    app.add_template_filter(audit_details)
    app.jinja_env.globals["private_email_kinds"] = PRIVATE_EMAIL_KINDS
    app.jinja_env.globals["roster_problems"] = ROSTER_PROBLEMS
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
