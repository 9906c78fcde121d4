"""The demo company on a live server, the people who use it, and every page each of them opens.

Pages come from the app's URL map: every GET endpoint a kind of person may call, those with
arguments filled from the demo data. A new page is visited without anyone listing it; a new
page with arguments fails with "no URL for endpoint X" until ``ADDRESSES`` says how to build its
address, and a new endpoint that is no page goes in ``SKIPPED`` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import Flask, url_for
from playwright.sync_api import Page
from sqlalchemy import select

from config import SUPPORTED_LOCALES
from cxculture import demo
from cxculture.access import FILE_ENDPOINTS, policy_of
from cxculture.demo.surveys import CLOSED_WAVE, OPEN_WAVE
from cxculture.extensions import db
from cxculture.models import (
    Department,
    FocusPlan,
    Invitation,
    PlanAction,
    PrivacyMode,
    Role,
    Survey,
    User,
    utcnow,
)
from cxculture.services import accounts
from cxculture.services.org import roster
from cxculture.services.surveys import SurveySpec, create_survey, passes

CONTACT_CENTER = "Operations/Contact Center"
DRAFT_WAVE = "Customer orientation, third wave"
EMPLOYEE_MODULE = "what-the-contact-center-hears"  # assigned to the Contact Center, Ana included
# A file from the HR system, so that the roster's preview page has something to show: Ana
# moves to another team and a newcomer joins IT.
ROSTER_FILE = (
    "employee number,name,email,department\n"
    "{ana},Ana Souza,ana@demo.test,Operations/Social Media Care\n"
    "DEMO-9001,Noah Newcomer,noah.newcomer@demo.test,IT\n"
)


class Kind(StrEnum):
    """The kinds of people whose pages are walked; each walks the pages made for its kind."""

    ANONYMOUS = "anonymous"  # pages anyone may open: logging in, a forgotten password
    EMPLOYEE = "employee"  # pages for any logged-in person
    HEAD = "head"  # pages for department heads
    HR = "hr"  # pages for HR admins


@dataclass(frozen=True)
class Account:
    """Who opens the pages: ``key`` names them in test ids, file names and reports."""

    key: str
    kind: Kind
    email: str | None = None


ANONYMOUS = Account("anonymous", Kind.ANONYMOUS)
EMPLOYEE = Account("employee", Kind.EMPLOYEE, "ana@demo.test")  # with an open survey to answer
HEAD_CONTACT = Account("head-contact", Kind.HEAD, "head.contact@demo.test")
HEAD_OPERATIONS = Account("head-operations", Kind.HEAD, "head.operations@demo.test")
HR = Account("hr", Kind.HR, "hr@demo.test")
ACCOUNTS = (ANONYMOUS, EMPLOYEE, HEAD_CONTACT, HEAD_OPERATIONS, HR)

# GET endpoints that are not pages a person reads, each with the reason. Endpoints serving
# files, the JSON API (token holders only) and POST-only endpoints are left out by rule.
SKIPPED = {
    "home.healthz": "JSON for load balancers",
    "api_docs.openapi_json": "JSON: the API's OpenAPI document",
    "api_docs.docs": "Swagger UI's own page for integrators, in English, outside the layout",
    "audit.export": "CSV download",
    "dashboards.overview_export": "CSV and XLSX downloads",
    "dashboards.overview_heatmap": "PNG drawn for the overview page, which loads it",
    "dashboards.overview_trend": "PNG drawn for the overview page, which loads it",
    "dashboards.results_chart": "PNG drawn for the results page, which loads it",
    "dashboards.results_items_chart": "PNG drawn for the results page, which loads it",
    "dashboards.results_report": "PDF download",
    "dashboards.training_csv": "CSV download",
    "auth.sso_start": "redirects to the identity provider (404 without single sign-on)",
    "auth.sso_callback": "the identity provider's answer (404 without single sign-on)",
}


@dataclass(frozen=True)
class DemoData:
    """What the addresses of pages with arguments are built from."""

    open_survey: int  # Ana has not answered it
    closed_survey: int  # released results
    draft_survey: int  # the next wave, not launched yet
    instrument: int
    item: int
    department: int  # the Contact Center
    person: int  # Ana
    roster_import: int
    set_password_token: str  # for a person of the demo company
    link_tokens: dict[str, str]  # by language, a personal link to the open survey
    plan: int = 0  # the Contact Center's focus plan


def seed() -> DemoData:
    """The demo company, as ``flask seed-demo`` builds it, with the next wave drafted and a
    roster file waiting for its preview (inside an application context)."""
    demo.seed_demo()
    hr = accounts.find_user_by_email(HR.email or "")
    ana = accounts.find_user_by_email(EMPLOYEE.email or "")
    assert hr is not None, "the demo company has its HR login"
    assert ana is not None, "the demo company has its employee login"
    surveys = {name: id_ for name, id_ in db.session.execute(select(Survey.name, Survey.id))}
    instrument = db.session.get_one(Survey, surveys[OPEN_WAVE]).instrument
    now = utcnow()
    spec = SurveySpec(
        DRAFT_WAVE,
        instrument.id,
        PrivacyMode.CONFIDENTIAL,
        now + timedelta(days=30),
        now + timedelta(days=44),
    )
    draft = create_survey(spec, hr, now)
    export = ROSTER_FILE.format(ana=ana.employee_number).encode()
    upload = roster.store_upload("hr-system-export.csv", export, False, hr)
    department = db.session.execute(
        select(Department.id).where(Department.path == CONTACT_CENTER)
    ).scalar_one()
    colleague = db.session.execute(select(User).order_by(User.id.desc()).limit(1)).scalar_one()
    # For each language, a colleague who reads it (none of the walkers, whose language the walks
    # change): a link's pages speak its holder's language.
    walkers = [account.email for account in ACCOUNTS if account.email]
    link_tokens = {}
    for locale in SUPPORTED_LOCALES:
        invitation = db.session.execute(
            select(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.survey_id == surveys[OPEN_WAVE], User.locale == locale)
            .where(User.email.not_in(walkers))
            .order_by(Invitation.submitted_at.is_not(None), Invitation.id)
            .limit(1)
        ).scalar_one()
        link_tokens[locale] = passes.link_for(invitation)
    db.session.commit()
    return DemoData(
        open_survey=surveys[OPEN_WAVE],
        closed_survey=surveys[CLOSED_WAVE],
        draft_survey=draft.id,
        instrument=instrument.id,
        item=instrument.items[0].id,
        department=department,
        person=ana.id,
        roster_import=upload.id,
        set_password_token=accounts.set_password_token(colleague),
        link_tokens=link_tokens,
        plan=db.session.execute(select(FocusPlan.id)).scalars().first() or 0,
    )


def set_language(email: str, locale: str) -> None:
    """Choose the product's language for a person, as the switcher in the menu does (inside an
    application context): their setting outranks the browser's."""
    user = accounts.find_user_by_email(email)
    assert user is not None, f"no account {email}"
    accounts.set_preferred_locale(user, locale)


Values = dict[str, object]


def open_plan_action() -> Values:
    """The first action of the Contact Center's current plan (``DemoData.plan`` may be the
    closed one after the first wave, whose actions are no longer edited), inside an application
    context."""
    plan_id, action_id = db.session.execute(
        select(PlanAction.plan_id, PlanAction.id)
        .join(FocusPlan, FocusPlan.id == PlanAction.plan_id)
        .where(FocusPlan.closed_at.is_(None))
        .order_by(PlanAction.id)
        .limit(1)
    ).one()
    return {"plan_id": plan_id, "action_id": action_id}


# Endpoint -> the values of each address it is opened at, from the demo data and the language
# shown. Every page with arguments is here; a page without is here when it is opened more than
# once (the results of the reader's default department, then of one chosen by its path).
ADDRESSES: dict[str, Callable[[DemoData, str], list[Values]]] = {
    "auth.set_password": lambda data, _: [{"token": data.set_password_token}],
    "catalogue.confirm_archive": lambda *_: [{"slug": EMPLOYEE_MODULE}],
    "catalogue.edit": lambda _, locale: [{"slug": EMPLOYEE_MODULE, "locale": locale}],
    "dashboards.results_page": lambda *_: [{}, {"department": CONTACT_CENTER}],
    "hr.confirm_survey_action": lambda data, _: [
        {"survey_id": data.draft_survey, "action": "launch"},
        {"survey_id": data.open_survey, "action": "close"},
    ],
    "hr.edit_survey": lambda data, _: [{"survey_id": data.draft_survey}],
    "hr.survey": lambda data, _: [
        {"survey_id": data.closed_survey},
        {"survey_id": data.open_survey},
        {"survey_id": data.draft_survey},
    ],
    "instruments.add_item": lambda data, _: [{"instrument_id": data.instrument}],
    "instruments.edit_item": lambda data, _: [
        {"instrument_id": data.instrument, "item_id": data.item}
    ],
    "instruments.show": lambda data, _: [{"instrument_id": data.instrument}],
    "passes.link": lambda data, locale: [{"token": data.link_tokens[locale]}],
    "people.confirm_erase": lambda data, _: [{"user_id": data.person}],
    "people.department": lambda data, _: [{"department_id": data.department}],
    "people.person": lambda data, _: [{"user_id": data.person}],
    "plans.new_plan": lambda data, _: [{"department_id": data.department}],
    "plans.plan": lambda data, _: [{"plan_id": data.plan}],
    "plans.edit_action": lambda *_: [open_plan_action()],
    "plans.confirm_remove_action": lambda *_: [open_plan_action()],
    "reach.reach": lambda data, _: [{"survey_id": data.open_survey}],
    "roster.preview": lambda data, _: [{"import_id": data.roster_import}],
    "roster.confirm_apply": lambda data, _: [{"import_id": data.roster_import}],
    "surveys.answer": lambda data, _: [{"survey_id": data.open_survey}],
    "surveys.thanks": lambda data, _: [{"survey_id": data.closed_survey}],
    "training.module": lambda *_: [{"slug": EMPLOYEE_MODULE}],
}
KIND_ROLE = {Kind.HEAD: Role.DEPT_HEAD, Kind.HR: Role.HR_ADMIN}


def page_endpoints(app: Flask) -> list[str]:
    """Every endpoint that answers GET with a page, sorted."""
    endpoints = set()
    for rule in app.url_map.iter_rules():
        policy = policy_of(app, rule.endpoint)
        if (
            "GET" not in (rule.methods or ())
            or rule.endpoint in FILE_ENDPOINTS
            or rule.endpoint in SKIPPED
            or (policy is not None and policy.api_scopes)
        ):
            continue
        endpoints.add(rule.endpoint)
    return sorted(endpoints)


def is_for(app: Flask, endpoint: str, kind: Kind) -> bool:
    """Whether ``endpoint`` is one of the pages made for ``kind`` (by its access policy)."""
    policy = policy_of(app, endpoint)
    assert policy is not None, f"{endpoint} declares no access policy"
    if kind is Kind.ANONYMOUS:
        return policy.allows_anonymous
    if policy.allows_anonymous:
        return False
    if kind is Kind.EMPLOYEE:
        return not policy.roles
    return KIND_ROLE[kind] in policy.roles


def unaddressed(app: Flask) -> list[str]:
    """Pages whose address takes arguments that ``ADDRESSES`` does not know how to fill."""
    arguments = {rule.endpoint: rule.arguments for rule in app.url_map.iter_rules()}
    return [
        endpoint
        for endpoint in page_endpoints(app)
        if arguments[endpoint] and endpoint not in ADDRESSES
    ]


def page_urls(app: Flask, data: DemoData, kind: Kind, locale: str) -> list[tuple[str, str]]:
    """(endpoint, address) of every page made for ``kind`` whose address can be built (the
    others are named by ``unaddressed``)."""
    missing = set(unaddressed(app))
    pages = []
    with app.test_request_context():
        for endpoint in page_endpoints(app):
            if is_for(app, endpoint, kind) and endpoint not in missing:
                pages += [(endpoint, url) for url in addresses(endpoint, data, locale)]
    return pages


def addresses(endpoint: str, data: DemoData, locale: str) -> list[str]:
    """Where ``endpoint`` is opened, in the demo company (inside a request context)."""
    every = ADDRESSES[endpoint](data, locale) if endpoint in ADDRESSES else [{}]
    return [url_for(endpoint, **values) for values in every]


def log_in(page: Page, account: Account) -> None:
    """Log in through the form, whatever language it is shown in, and land on the home."""
    assert account.email is not None, "anonymous people do not log in"
    page.goto("/auth/login")
    page.locator("input[name=email]").fill(account.email)
    page.locator("input[name=password]").fill(demo.DEFAULT_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
