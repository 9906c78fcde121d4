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
PRIVACY_LABELS = {"confidential": _l("Confidential"), "anonymous": _l("Anonymous")}

NAVIGATION: tuple[tuple[Role, NavItem], ...] = (
    (Role.EMPLOYEE, NavItem("home.employee_home", _l("My space"))),
    (Role.EMPLOYEE, NavItem("surveys.mine", _l("My surveys"))),
    (Role.EMPLOYEE, NavItem("training.mine", _l("My training"))),
    (Role.DEPT_HEAD, NavItem("dashboards.head_home", _l("My departments"))),
    (Role.DEPT_HEAD, NavItem("dashboards.results_page", _l("Results"))),
    (Role.DEPT_HEAD, NavItem("dashboards.training_page", _l("Team training"))),
    (Role.HR_ADMIN, NavItem("hr.home", _l("HR"))),
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

    @app.context_processor
    def inject_layout() -> dict[str, object]:
        roles = current_user.roles if current_user.is_authenticated else frozenset()
        return {
            "navigation": navigation_for(roles),
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale() or "en"),
            "current_path": request.full_path.rstrip("?"),
        }
