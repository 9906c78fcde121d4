"""What every template can use: the navigation for the person's roles and the language list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cxculture.i18n import LANGUAGE_NAMES
from cxculture.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object


NAVIGATION: tuple[tuple[Role, NavItem], ...] = (
    (Role.EMPLOYEE, NavItem("home.employee_home", _l("My space"))),
    (Role.DEPT_HEAD, NavItem("dashboards.head_home", _l("My departments"))),
    (Role.HR_ADMIN, NavItem("hr.home", _l("HR"))),
)


def navigation_for(roles: frozenset[Role]) -> list[NavItem]:
    """The menu entries for a person holding ``roles``."""
    return [item for role, item in NAVIGATION if role in roles]


def register_template_helpers(app: Flask) -> None:
    """Attach the layout's context and the locale-aware filters to ``app``."""
    app.add_template_filter(format_decimal, "number")

    @app.context_processor
    def inject_layout() -> dict[str, object]:
        roles = current_user.roles if current_user.is_authenticated else frozenset()
        return {
            "navigation": navigation_for(roles),
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale() or "en"),
            "current_path": request.full_path.rstrip("?"),
        }
