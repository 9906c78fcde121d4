"""What every template can use: the navigation for the person's roles and the language list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from babel import dates
from flask import Flask, current_app, request
from flask_babel import (
    format_decimal,
    format_percent,
    get_locale,
    gettext,
    to_user_timezone,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from cxculture.i18n import LANGUAGE_NAMES
from cxculture.models import Role, Survey
from cxculture.services.accounts.sso import may_use_password
from cxculture.services.accounts.tokens import SCOPE_LABELS
from cxculture.services.audit import EventRow, InstrumentRef, ModuleRef, PersonRef
from cxculture.services.audit.labels import (
    AUDIT_CHANGE_ACTIONS,
    AUDIT_DAY_DETAILS,
    AUDIT_DETAIL_LABELS,
    AUDIT_HIDDEN_DETAILS,
    AUDIT_ID_DETAILS,
    AUDIT_LABELS,
    AUDIT_MOMENT_DETAILS,
    AUDIT_TARGET_LABELS,
    AUDIT_VALUE_LABELS,
)
from cxculture.services.org.roster.labels import ROSTER_CHANGES, ROSTER_PROBLEMS
from cxculture.services.surveys.texts import survey_text

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


@dataclass(frozen=True)
class NavItem:
    """One link of the menu. ``also`` names the pages reached from it, where it stays marked;
    ``requires`` shows it only to people who also hold that role."""

    endpoint: str
    label: object
    also: tuple[str, ...] = ()
    requires: Role | None = None

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Its own page and the pages reached from it."""
        return (self.endpoint, *self.also)

    def current(self, endpoint: str | None) -> str | None:
        """Its aria-current value on ``endpoint``'s page: "page" on its own page, "true" on a
        page reached from it, None elsewhere."""
        if endpoint == self.endpoint:
            return "page"
        return "true" if endpoint in self.also else None


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the menu; ``key`` names it in the page (its element's id)."""

    key: str
    label: object
    items: tuple[NavItem, ...]

    def current(self, endpoint: str | None) -> bool:
        """Whether ``endpoint``'s page belongs to one of its links."""
        return any(item.current(endpoint) for item in self.items)


NavEntry = NavItem | NavGroup


@dataclass(frozen=True)
class Navigation:
    """A person's menu: the bar's ``entries``; under their name, the ``personal`` links, then the
    ``account``'s (logging out, a form, is the template's)."""

    entries: tuple[NavEntry, ...] = ()
    personal: tuple[NavItem, ...] = ()
    account: tuple[NavItem, ...] = ()

    def items(self) -> list[NavItem]:
        """Every link, in the order shown: the bar's (a group's in turn), then those under the
        person's name."""
        flat: list[NavItem] = []
        for entry in self.entries:
            flat.extend(entry.items if isinstance(entry, NavGroup) else (entry,))
        return flat + list(self.personal) + list(self.account)

    def is_personal(self, endpoint: str | None) -> bool:
        """Whether ``endpoint``'s page belongs to a link under the person's name."""
        return any(item.current(endpoint) for item in self.personal + self.account)


@dataclass(frozen=True)
class Menu:
    """The menu of the people whose highest role is ``role``."""

    role: Role
    entries: tuple[NavEntry, ...]
    personal: tuple[NavItem, ...] = ()


MY_SPACE = NavItem("home.employee_home", _l("My space"))
MY_SURVEYS = NavItem("surveys.mine", _l("My surveys"), also=("surveys.answer", "surveys.thanks"))
MY_TRAINING = NavItem("training.mine", _l("My training"), also=("training.module",))
MY_DEPARTMENTS = NavItem("dashboards.head_home", _l("My departments"))
TEAM_TRAINING = NavItem(  # focus plans are reached from here and from a department's results
    "dashboards.training_page",
    _l("Team training"),
    also=(
        "plans.index",
        "plans.new_plan",
        "plans.plan",
        "plans.edit_action",
        "plans.confirm_remove_action",
    ),
)
EVERYONES = (MY_SPACE, MY_SURVEYS, MY_TRAINING)
ACCOUNT = (NavItem("auth.change_password", _l("Change password")),)

# The first menu whose role a person holds is theirs: HR's groups its many pages in dropdowns
# so the bar fits a laptop's screen in every language, a head's and an employee's stay short.
# Who holds a second role finds their own space, surveys and training under their name.
MENUS: tuple[Menu, ...] = (
    Menu(
        Role.HR_ADMIN,
        (
            NavItem("hr.home", _l("HR")),
            NavGroup(
                "people",
                _l("People"),
                (
                    NavItem(
                        "people.people_index",
                        _l("People"),
                        also=("people.person", "people.confirm_erase"),
                    ),
                    NavItem("people.departments", _l("Departments"), also=("people.department",)),
                    NavItem(
                        "roster.upload",
                        _l("Import people"),
                        also=("roster.preview", "roster.confirm_apply"),
                    ),
                ),
            ),
            NavGroup(
                "surveys",
                _l("Surveys"),
                (
                    NavItem(
                        "hr.surveys_index",
                        _l("Surveys"),
                        also=(
                            "hr.survey",
                            "hr.new_survey",
                            "hr.edit_survey",
                            "hr.confirm_survey_action",
                            "reach.reach",
                        ),
                    ),
                    NavItem(
                        "instruments.index",
                        _l("Questionnaires"),
                        also=("instruments.show", "instruments.add_item", "instruments.edit_item"),
                    ),
                    NavItem("hr.outbox", _l("Outbox")),
                ),
            ),
            NavGroup(
                "results",
                _l("Results"),
                (
                    NavItem("dashboards.overview", _l("Company results")),
                    NavItem("dashboards.results_page", _l("Department results")),
                    NavItem("dashboards.effects_page", _l("Did it work?")),
                    NavItem(MY_DEPARTMENTS.endpoint, MY_DEPARTMENTS.label, requires=Role.DEPT_HEAD),
                ),
            ),
            NavGroup(
                "training",
                _l("Training"),
                (
                    NavItem(
                        "catalogue.index",
                        _l("Training catalogue"),
                        also=("catalogue.new", "catalogue.edit", "catalogue.confirm_archive"),
                    ),
                    TEAM_TRAINING,
                ),
            ),
            NavGroup(
                "administration",
                _l("Administration"),
                (
                    NavItem("audit.index", _l("Audit log")),
                    NavItem("hr.api_tokens_page", _l("API tokens")),
                    NavItem("api_docs.docs", _l("API documentation")),
                ),
            ),
        ),
        EVERYONES,
    ),
    Menu(
        Role.DEPT_HEAD,
        (MY_DEPARTMENTS, NavItem("dashboards.results_page", _l("Results")), TEAM_TRAINING),
        EVERYONES,
    ),
    Menu(Role.EMPLOYEE, EVERYONES),
)


def _shown(items: tuple[NavItem, ...], roles: frozenset[Role]) -> tuple[NavItem, ...]:
    return tuple(item for item in items if item.requires is None or item.requires in roles)


def navigation_for(roles: frozenset[Role]) -> Navigation:
    """The menu of a person holding ``roles``: their highest role's, without the links that
    need a role they lack (and without the groups left empty); nothing for nobody."""
    menu = next((menu for menu in MENUS if menu.role in roles), None)
    if menu is None:
        return Navigation()
    entries: list[NavEntry] = []
    for entry in menu.entries:
        if isinstance(entry, NavGroup):
            items = _shown(entry.items, roles)
            if items:
                entries.append(NavGroup(entry.key, entry.label, items))
        else:
            entries.extend(_shown((entry,), roles))
    return Navigation(tuple(entries), _shown(menu.personal, roles), ACCOUNT)


def format_day(value: date | datetime | None) -> str:
    """A calendar day, the one way the product shows one: the locale's medium date (a moment
    is taken as its day in the company's time zone)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return dates.format_date(value, "medium", locale=get_locale())


def format_moment(value: datetime | None) -> str:
    """A moment, the one way the product shows one: the locale's medium date and short time, in
    the company's time zone."""
    if value is None:
        return "—"
    locale = get_locale()
    local = to_user_timezone(value)
    return (
        str(dates.get_datetime_format("medium", locale=locale))
        .replace("'", "")
        .replace("{0}", dates.format_time(local, "short", tzinfo=None, locale=locale))
        .replace("{1}", dates.format_date(local, "medium", locale=locale))
    )


def _time_element(value: date | datetime | None, text: str) -> Markup:
    if value is None:
        return Markup("{}").format(text)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)


def day_tag(value: date | datetime | None) -> Markup:
    """``format_day`` in a <time> element that gives machines the ISO day."""
    if isinstance(value, datetime):
        return _time_element(to_user_timezone(value).date(), format_day(value))
    return _time_element(value, format_day(value))


def moment_tag(value: datetime | None) -> Markup:
    """``format_moment`` in a <time> element that gives machines the ISO moment."""
    return _time_element(value, format_moment(value))


def audit_person(person: PersonRef | None) -> str:
    """Who an audit entry names: their name, an erased person's number, or the system."""
    if person is None:
        return gettext("The system")
    if person.is_erased:
        return gettext("Erased person #%(id)d", id=person.id)
    return person.name or ""


def audit_instrument(instrument: InstrumentRef) -> str:
    """A questionnaire the trail names, by its name in the reader's language and its version."""
    name = instrument.name(str(get_locale()))
    if name is None:
        return gettext("Questionnaire #%(id)d", id=instrument.id)
    return gettext("%(name)s, version %(version)d", name=name, version=instrument.version)


# What the codes held in details read as, by detail key (the rest are shown as they are).
_AUDIT_CODES: dict[str, Mapping[str, object]] = {
    **AUDIT_VALUE_LABELS,
    "dimension": DIMENSION_LABELS,
    "locale": LANGUAGE_NAMES,
    "changes": {**ROSTER_CHANGES, **AUDIT_VALUE_LABELS["changes"]},
    "scopes": SCOPE_LABELS,
    "action": AUDIT_LABELS,
    "target_type": AUDIT_TARGET_LABELS,
}


_Parsed = TypeVar("_Parsed", date, datetime)


def _parsed(text: object, parse: Callable[[str], _Parsed]) -> _Parsed | None:
    """``text`` read by ``parse`` (an ISO day or moment), or None when it is not one."""
    try:
        return parse(text) if isinstance(text, str) else None
    except ValueError:
        return None


def audit_value(value: object, key: str = "") -> str:
    """One detail of an audit entry (under ``key``) as text in the reader's language: people
    and modules by name, codes by their labels, days and moments and numbers as the locale
    writes them."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(audit_value(item, key) for item in value)
    if value is True or value is False:
        return gettext("yes") if value else gettext("no")
    if isinstance(value, PersonRef):
        return audit_person(value)
    if isinstance(value, ModuleRef):
        return value.title(str(get_locale()))
    if isinstance(value, InstrumentRef):
        return audit_instrument(value)
    if key in AUDIT_DAY_DETAILS and (day := _parsed(value, date.fromisoformat)):
        return format_day(day)
    if key in AUDIT_MOMENT_DETAILS and (moment := _parsed(value, datetime.fromisoformat)):
        return format_moment(moment)
    codes = _AUDIT_CODES.get(key)
    if codes is not None and isinstance(value, str):
        return str(codes.get(value, value))
    if isinstance(value, int | float):
        if key in AUDIT_ID_DETAILS:
            return f"#{value}"
        return format_decimal(value)
    return str(value)


def audit_details(entry: EventRow) -> list[tuple[str, str]]:
    """An entry's details as (label, text) pairs, changes shown as "before → after"."""
    shown = []
    for key, value in entry.details.items():
        if key in AUDIT_HIDDEN_DETAILS:
            continue
        label = str(AUDIT_DETAIL_LABELS.get(key, key))
        if entry.action in AUDIT_CHANGE_ACTIONS and isinstance(value, list) and len(value) == 2:
            before, after = (audit_value(side, key) for side in value)
            shown.append((label, gettext("%(before)s → %(after)s", before=before, after=after)))
        else:
            shown.append((label, audit_value(value, key)))
    return shown


def audit_target(entry: EventRow) -> str:
    """What an entry acted on, as its name in the reader's language (a module's title, a
    questionnaire's name) or by the kind of record and its number."""
    if isinstance(entry.target_ref, ModuleRef | InstrumentRef):
        return audit_value(entry.target_ref)
    if entry.target_name:
        return entry.target_name
    if entry.target_type == "user":
        return gettext("Erased person #%(id)d", id=entry.target_id)
    kind = str(AUDIT_TARGET_LABELS.get(entry.target_type, entry.target_type))
    if entry.target_id:
        return gettext("%(kind)s #%(id)d", kind=kind, id=entry.target_id)
    return kind


def dimension_names(dimensions: list[str]) -> str:
    """The dimensions' names in the reader's language, joined."""
    return ", ".join(str(DIMENSION_LABELS[d]) for d in dimensions if d in DIMENSION_LABELS)


def survey_name(survey: Survey, locale: str | None = None) -> str:
    """A survey's name for its reader: in ``locale`` (the page's language unless given), else
    in the company's default language."""
    return survey.name_in(locale or str(get_locale()))


def reader_survey_text(survey: Survey, field: str, locale: str | None = None) -> str:
    """HR's ``field`` (intro, invitation, reminder) for a reader of ``locale`` (the page's
    language unless given), with the default language's as fallback; "" when neither was
    written, where the template shows the standard text. Plain text: let autoescape have it."""
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    return survey_text(survey, field, locale or str(get_locale()), default_locale)


def register_template_helpers(app: Flask) -> None:
    """Attach the layout's context and the locale-aware filters to ``app``."""
    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_percent, "percent")
    # One format per kind of date: a day, a moment; the *_tag forms wrap it in <time>.
    app.add_template_filter(format_day, "date")
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(day_tag, "date_tag")
    app.add_template_filter(moment_tag, "datetime_tag")
    app.add_template_filter(dimension_names)
    app.add_template_filter(lambda instrument: instrument.name_in(str(get_locale())), "name")
    # A survey's name and HR's texts in the reader's language (``survey|survey_name`` or
    # ``survey_name(survey)``; ``survey_text(survey, "intro")``).
    app.add_template_filter(survey_name)
    app.add_template_global(survey_name)
    # Whether a person may use a password (the account menu offers "Change password" then).
    app.add_template_global(may_use_password)
    app.add_template_global(reader_survey_text, "survey_text")
    # Values, not functions (add_template_global is for callables): straight into the globals.
    app.jinja_env.globals["dimension_labels"] = DIMENSION_LABELS
    app.jinja_env.globals["state_labels"] = SURVEY_STATE_LABELS
    app.jinja_env.globals["privacy_labels"] = PRIVACY_LABELS
    app.jinja_env.globals["audit_labels"] = AUDIT_LABELS
    app.add_template_filter(audit_person)
    app.add_template_filter(audit_details)
    app.add_template_filter(audit_target)
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
