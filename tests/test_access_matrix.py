"""Every endpoint, called by everyone: what each kind of person may open, and what never leaks.

The expected answers below are written from the product's promises, not read off the
decorators: a view whose decorator drifts from them fails here. A new endpoint fails
``test_every_endpoint_is_in_the_matrix`` until someone decides who may call it.

People (one test per person, each walking every endpoint):
- ``anonymous``: not logged in;
- ``employee``: Eva in Operations/Contact Center, with a draft, a personal profile and a
  reflection of her own;
- ``other_head``: the head of Commercial, another branch of the tree;
- ``head``: the head of Operations, which covers Eva's team;
- ``hr``: an HR admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from cxculture.access import FILE_ENDPOINTS
from cxculture.extensions import db
from cxculture.models import Department, utcnow
from cxculture.services import plans, surveys, training
from cxculture.services.org import roster
from cxculture.services.surveys import responses
from cxculture.services.training import assignments
from tests.conftest import Browser, csrf_token
from tests.factories import full_answers, make_instrument, make_survey, make_user

PEOPLE = ("anonymous", "employee", "other_head", "head", "hr")
LOGGED_IN = frozenset(PEOPLE) - {"anonymous"}
HEADS_AND_HR = frozenset({"head", "other_head", "hr"})

# Written into Eva's own records: nobody but Eva may ever receive them.
DRAFT_SECRET = "Draft-only words of Eva 7f3a"
STATEMENT_SECRET = "Eva serves customers 91c2"
REFLECTION_SECRET = "Eva reflects privately 44d0"
SECRETS = (DRAFT_SECRET, STATEMENT_SECRET, REFLECTION_SECRET)

ALLOWED = "allowed"  # a POST that passed the access check: anything but 403, 404 or a login
LOGIN = "login"  # sent to the login page


@dataclass
class World:
    """The ids the endpoints' URLs need, made once per test."""

    open_survey: int
    closed_survey: int
    draft_survey: int
    instrument: int
    item: int
    module: str
    taken_module: str
    eva: int
    eva_team: int
    operations: int
    empty_department: int
    roster_import: int
    emails: dict[str, str]
    plan: int = 0
    plan_action: int = 0


def _build_world() -> World:
    hr = make_user(email="hr@example.test", department="People", is_hr_admin=True)
    head = make_user(email="head@example.test", department="Operations", heads=("Operations",))
    other = make_user(email="other@example.test", department="Commercial", heads=("Commercial",))
    eva = make_user(email="eva@example.test", department="Operations/Contact Center")
    colleagues = [make_user(department="Operations/Contact Center") for _ in range(5)]
    sellers = [make_user(department="Commercial/Sales") for _ in range(2)]
    instrument = make_instrument()
    training.load_modules()

    # Only the two teams are invited, so HR and both heads have no invitation to it.
    closed = make_survey(
        name="Closed wave",
        actor=hr,
        instrument=instrument,
        departments=("Operations/Contact Center", "Commercial/Sales"),
    )
    others = [(person, "I help customers.") for person in colleagues + sellers]
    for person, statement in [(eva, STATEMENT_SECRET), *others]:
        invitation = responses.invitation_for(person, closed.id)
        answers = full_answers(closed, 2, statement)
        responses.submit_response(invitation, answers, "en", utcnow())
    surveys.close_survey(closed, hr, utcnow())

    opened = make_survey(name="Open wave", actor=hr, instrument=instrument)
    draft = full_answers(opened, 3, DRAFT_SECRET)
    responses.save_draft(responses.invitation_for(eva, opened.id), draft, utcnow())
    unlaunched = make_survey(name="Not launched", actor=hr, instrument=instrument, launch=False)

    modules = training.catalogue()
    taken, assigned = modules[0], modules[1]
    enrolment = training.enrol_self(eva, taken)
    text = taken.text_in("en")
    right = {number: question["answer"] for number, question in enumerate(text.quiz)}
    training.submit_quiz(enrolment, text, right, utcnow())
    training.submit_reflection(enrolment, REFLECTION_SECRET, utcnow())
    team = db.session.execute(
        select(Department).where(Department.path == "Operations/Contact Center")
    ).scalar_one()
    today = utcnow().date()
    assignments.assign_to_department(head, assigned, team, today + timedelta(days=7), "", today)

    empty = make_user(department="Logistics").department
    # One bad row, so applying this import is refused whoever tries it.
    upload = roster.store_upload(
        "roster.csv",
        b"employee number,name,email,department\nX1,Xavier,not-an-email,Logistics\n",
        False,
        hr,
    )
    operations = head.department
    plan = plans.create_plan(head, team, closed, ["listen"], utcnow())
    action = plans.add_action(head, plan, "Listen to calls", eva.id, today, today)
    return World(
        open_survey=opened.id,
        closed_survey=closed.id,
        draft_survey=unlaunched.id,
        instrument=instrument.id,
        item=instrument.items[0].id,
        module=assigned.slug,
        taken_module=taken.slug,
        eva=eva.id,
        eva_team=team.id,
        operations=operations.id,
        empty_department=empty.id,
        roster_import=upload.id,
        emails={
            "employee": eva.email,
            "other_head": other.email,
            "head": head.email,
            "hr": hr.email,
        },
        plan=plan.id,
        plan_action=action.id,
    )


Expect = dict[str, object]  # person -> status code, ALLOWED or LOGIN


def only(allowed: frozenset[str] | set[str], code: object = 200, others: object = 403) -> Expect:
    """``code`` for the people in ``allowed``, ``others`` for the rest; anonymous logs in."""
    return {
        person: LOGIN if person == "anonymous" else code if person in allowed else others
        for person in PEOPLE
    }


def everyone(code: object) -> Expect:
    return dict.fromkeys(PEOPLE, code)


HR = frozenset({"hr"})
HEADS = frozenset({"head", "other_head"})


@dataclass(frozen=True)
class Call:
    method: str
    url: Callable[[World], str]
    expect: Expect


def get(url: Callable[[World], str], expect: Expect) -> Call:
    return Call("GET", url, expect)


def post(url: Callable[[World], str], expect: Expect) -> Call:
    return Call("POST", url, expect)


def api(method: str, path: str) -> Call:
    """An API call: the session opens nothing there, whoever is logged in (tokens only)."""
    return Call(method, lambda w: f"/api/v1{path}", everyone(401))


def results_url(page: str) -> Callable[[World], str]:
    return lambda w: f"/dashboards/{page}?survey={w.closed_survey}&department={TEAM}"


TEAM = quote("Operations/Contact Center")

# Eva's team is inside the head's Operations and outside the other head's Commercial.
TEAM_RESULTS = {**only({"head", "hr"}), "employee": 403}
TEAM_CHART = TEAM_RESULTS

MATRIX: dict[str, list[Call]] = {
    # Public pages: a logged-in person is sent on from the login page.
    "auth.login": [
        get(lambda w: "/auth/login", {**everyone(302), "anonymous": 200}),
        post(lambda w: "/auth/login", everyone(ALLOWED)),
    ],
    "auth.forgot_password": [
        get(lambda w: "/auth/forgot", everyone(200)),
        post(lambda w: "/auth/forgot", everyone(ALLOWED)),
    ],
    "auth.set_password": [
        get(lambda w: "/auth/set-password/not-a-link", everyone(400)),
        post(lambda w: "/auth/set-password/not-a-link", everyone(400)),
    ],
    "auth.change_password": [
        get(lambda w: "/auth/password", only(LOGGED_IN)),
        post(lambda w: "/auth/password", only(LOGGED_IN, ALLOWED)),
    ],
    "auth.logout": [post(lambda w: "/auth/logout", everyone(LOGIN))],
    # Single sign-on is not set up here (tests/auth/test_sso.py covers it when it is).
    "auth.sso_start": [get(lambda w: "/auth/sso", everyone(404))],
    "auth.sso_callback": [get(lambda w: "/auth/sso/callback?code=c&state=s", everyone(404))],
    "home.index": [get(lambda w: "/", {**everyone(302), "anonymous": LOGIN})],
    "home.healthz": [get(lambda w: "/healthz", everyone(200))],
    "home.employee_home": [get(lambda w: "/me", only(LOGGED_IN))],
    "home.set_language": [post(lambda w: "/language", everyone(302))],
    # Answering: the URL names a survey, the invitation is always the caller's own.
    "surveys.mine": [get(lambda w: "/surveys/", only(LOGGED_IN))],
    "surveys.answer": [
        get(lambda w: f"/surveys/{w.open_survey}", only(LOGGED_IN)),
        # HR and the heads were not invited to the closed wave: no such survey for them.
        get(lambda w: f"/surveys/{w.closed_survey}", only({"employee"}, 302, 404)),
        get(lambda w: f"/surveys/{w.draft_survey}", only(set(), others=404)),
        post(lambda w: f"/surveys/{w.open_survey}", only(LOGGED_IN, ALLOWED)),
    ],
    "surveys.thanks": [
        get(lambda w: f"/surveys/{w.closed_survey}/thanks", only({"employee"}, 200, 404)),
    ],
    # Personal links and answer codes: anyone; a bad link or code is refused to everyone alike,
    # and without a pass the form sends to the code page.
    "passes.link": [get(lambda w: "/s/" + "A" * 24, everyone(404))],
    "passes.code": [
        get(lambda w: "/code", everyone(200)),
        post(lambda w: "/code", everyone(ALLOWED)),
    ],
    "passes.answer": [
        get(lambda w: "/s/answer", everyone(302)),
        post(lambda w: "/s/answer", everyone(302)),
    ],
    "passes.thanks": [get(lambda w: "/s/thanks", everyone(302))],
    "passes.leave": [post(lambda w: "/s/leave", everyone(302))],
    # Reaching people: HR's only.
    "reach.reach": [get(lambda w: f"/hr/surveys/{w.open_survey}/reach", only({"hr"}))],
    "reach.cards": [
        post(lambda w: f"/hr/surveys/{w.open_survey}/reach/cards", only({"hr"}, ALLOWED))
    ],
    "reach.send_link": [
        post(lambda w: f"/hr/surveys/{w.open_survey}/reach/link", only({"hr"}, ALLOWED))
    ],
    # Training: anyone takes modules; quiz and reflection need one's own enrolment.
    "training.mine": [get(lambda w: "/training/", only(LOGGED_IN))],
    "training.module": [get(lambda w: f"/training/{w.taken_module}", only(LOGGED_IN))],
    "training.enrol": [post(lambda w: f"/training/{w.module}/enrol", only(LOGGED_IN, 302))],
    "training.quiz": [
        post(lambda w: f"/training/{w.taken_module}/quiz", only({"employee"}, ALLOWED, 404))
    ],
    "training.reflect": [
        post(lambda w: f"/training/{w.taken_module}/reflection", only({"employee"}, ALLOWED, 404))
    ],
    "training.count_for_team": [
        post(lambda w: f"/training/{w.taken_module}/count", only({"employee"}, ALLOWED, 404))
    ],
    # Heads: their home; results for departments they head (HR for every department).
    "dashboards.head_home": [get(lambda w: "/dashboards/", only(HEADS))],
    "dashboards.results_page": [
        get(results_url("results"), TEAM_RESULTS),
        get(lambda w: f"/dashboards/results?survey={w.closed_survey}", only(HEADS_AND_HR)),
    ],
    "dashboards.results_chart": [get(results_url("results/chart.png"), TEAM_CHART)],
    "dashboards.results_items_chart": [get(results_url("results/items.png"), TEAM_CHART)],
    "dashboards.results_report": [get(results_url("results/report.pdf"), TEAM_CHART)],
    "dashboards.training_page": [
        get(lambda w: "/dashboards/training", only(HEADS_AND_HR)),
        post(lambda w: "/dashboards/training", only(HEADS_AND_HR, ALLOWED)),
    ],
    "dashboards.training_csv": [get(lambda w: "/dashboards/training.csv", only(HR))],
    "dashboards.overview": [get(lambda w: "/dashboards/overview", only(HR))],
    # Every department's results side by side: HR's alone (a head reads their own departments).
    "dashboards.effects_page": [get(lambda w: "/dashboards/results/effects", only(HR))],
    # Every department of this company is too small to show: HR finds nothing to draw.
    "dashboards.overview_heatmap": [
        get(lambda w: f"/dashboards/overview/heatmap.png?survey={w.closed_survey}", only(HR, 404))
    ],
    "dashboards.overview_trend": [
        get(lambda w: f"/dashboards/overview/trend.png?survey={w.closed_survey}", only(HR))
    ],
    "dashboards.overview_export": [
        get(lambda w: f"/dashboards/overview.csv?survey={w.closed_survey}", only(HR)),
        get(lambda w: f"/dashboards/overview.xlsx?survey={w.closed_survey}", only(HR)),
    ],
    # Focus plans: heads for the departments they head (and below), HR for every department.
    "plans.index": [get(lambda w: "/plans/", only(HEADS_AND_HR))],
    "plans.new_plan": [
        get(lambda w: f"/plans/new/{w.eva_team}", TEAM_RESULTS),
        post(
            lambda w: f"/plans/new/{w.eva_team}", {**TEAM_RESULTS, "head": ALLOWED, "hr": ALLOWED}
        ),
    ],
    "plans.plan": [get(lambda w: f"/plans/{w.plan}", TEAM_RESULTS)],
    "plans.add_action": [
        post(lambda w: f"/plans/{w.plan}/actions", {**TEAM_RESULTS, "head": ALLOWED, "hr": ALLOWED})
    ],
    "plans.update_action": [
        post(
            lambda w: f"/plans/{w.plan}/actions/{w.plan_action}",
            {**TEAM_RESULTS, "head": 302, "hr": 302},
        )
    ],
    "plans.edit_dimensions": [
        post(lambda w: f"/plans/{w.plan}/dimensions", {**TEAM_RESULTS, "head": 200, "hr": 200})
    ],
    # Editing an action: the page, and a post with nothing filled in shown again with its errors.
    "plans.edit_action": [
        get(lambda w: f"/plans/{w.plan}/actions/{w.plan_action}/edit", TEAM_RESULTS),
        post(
            lambda w: f"/plans/{w.plan}/actions/{w.plan_action}/edit",
            {**TEAM_RESULTS, "head": 200, "hr": 200},
        ),
    ],
    # Removing one: the confirmation page; a post without its confirmation is sent there.
    "plans.confirm_remove_action": [
        get(lambda w: f"/plans/{w.plan}/actions/{w.plan_action}/remove", TEAM_RESULTS)
    ],
    "plans.remove_action": [
        post(
            lambda w: f"/plans/{w.plan}/actions/{w.plan_action}/remove",
            {**TEAM_RESULTS, "head": 302, "hr": 302},
        )
    ],
    "plans.plan_step": [
        post(lambda w: f"/plans/{w.plan}/share", {**TEAM_RESULTS, "head": 302, "hr": 302})
    ],
    # HR: surveys, questionnaires, the catalogue, people, departments and the roster.
    "hr.home": [get(lambda w: "/hr/", only(HR))],
    "hr.surveys_index": [get(lambda w: "/hr/surveys", only(HR))],
    "hr.new_survey": [
        get(lambda w: "/hr/surveys/new", only(HR)),
        post(lambda w: "/hr/surveys/new", only(HR, ALLOWED)),
    ],
    "hr.survey": [get(lambda w: f"/hr/surveys/{w.closed_survey}", only(HR))],
    "hr.edit_survey": [
        get(lambda w: f"/hr/surveys/{w.draft_survey}/edit", only(HR)),
        post(lambda w: f"/hr/surveys/{w.draft_survey}/edit", only(HR, ALLOWED)),
    ],
    "hr.survey_action": [
        post(lambda w, a=action: f"/hr/surveys/{w.closed_survey}/{a}", only(HR, ALLOWED))
        for action in ("launch", "close", "reopen", "remind", "invite-newcomers")
    ],
    # The confirmation pages of launching and closing early: HR's numbers, nobody else's.
    "hr.confirm_survey_action": [
        get(lambda w: f"/hr/surveys/{w.draft_survey}/launch", only(HR)),
        get(lambda w: f"/hr/surveys/{w.open_survey}/close", only(HR)),
    ],
    "hr.extend_survey": [post(lambda w: f"/hr/surveys/{w.open_survey}/extend", only(HR, ALLOWED))],
    "hr.retry_emails": [
        post(lambda w: f"/hr/surveys/{w.open_survey}/retry-emails", only(HR, ALLOWED))
    ],
    "hr.add_rule": [post(lambda w: f"/hr/surveys/{w.open_survey}/rules", only(HR, ALLOWED))],
    "hr.outbox": [get(lambda w: "/hr/outbox", only(HR))],
    "hr.api_tokens_page": [
        get(lambda w: "/hr/api-tokens", only(HR)),
        post(lambda w: "/hr/api-tokens", only(HR, ALLOWED)),
    ],
    "hr.delete_free_text": [
        post(lambda w: f"/hr/surveys/{w.closed_survey}/delete-free-text", only(HR, ALLOWED))
    ],
    "audit.index": [get(lambda w: "/hr/audit/", only(HR))],
    "audit.export": [get(lambda w: "/hr/audit/export.csv", only(HR))],
    "hr.revoke_api_token": [post(lambda w: "/hr/api-tokens/999999/revoke", only(HR, 404))],
    "instruments.index": [get(lambda w: "/hr/instruments/", only(HR))],
    "instruments.show": [get(lambda w: f"/hr/instruments/{w.instrument}", only(HR))],
    "instruments.copy": [post(lambda w: f"/hr/instruments/{w.instrument}/copy", only(HR, 302))],
    # The launched questionnaire is frozen: HR is told so, everyone else is refused.
    "instruments.add_item": [
        get(lambda w: f"/hr/instruments/{w.instrument}/items/new", only(HR, ALLOWED)),
        post(lambda w: f"/hr/instruments/{w.instrument}/items/new", only(HR, ALLOWED)),
    ],
    "instruments.edit_item": [
        get(lambda w: f"/hr/instruments/{w.instrument}/items/{w.item}", only(HR, ALLOWED)),
        post(lambda w: f"/hr/instruments/{w.instrument}/items/{w.item}", only(HR, ALLOWED)),
    ],
    "instruments.change_item": [
        post(lambda w: f"/hr/instruments/{w.instrument}/items/{w.item}/up", only(HR, ALLOWED))
    ],
    "catalogue.index": [get(lambda w: "/hr/modules/", only(HR))],
    "catalogue.new": [
        get(lambda w: "/hr/modules/new", only(HR)),
        post(lambda w: "/hr/modules/new", only(HR, ALLOWED)),
    ],
    "catalogue.edit": [
        get(lambda w: f"/hr/modules/{w.module}/pt_BR", only(HR)),
        post(lambda w: f"/hr/modules/{w.module}/pt_BR", only(HR, ALLOWED)),
    ],
    "catalogue.confirm_archive": [get(lambda w: f"/hr/modules/{w.module}/archive", only(HR))],
    "catalogue.archive": [post(lambda w: f"/hr/modules/{w.module}/archive", only(HR, 302))],
    "people.people_index": [get(lambda w: "/hr/org/people", only(HR))],
    "people.person": [
        get(lambda w: f"/hr/org/people/{w.eva}", only(HR)),
        post(lambda w: f"/hr/org/people/{w.eva}", only(HR, ALLOWED)),
    ],
    "people.resend_link": [
        post(lambda w: f"/hr/org/people/{w.eva}/set-password-link", only(HR, ALLOWED))
    ],
    # Erasing needs the person's email typed in: a bare POST erases nobody.
    "people.erase": [post(lambda w: f"/hr/org/people/{w.eva}/erase", only(HR, ALLOWED))],
    "people.confirm_erase": [get(lambda w: f"/hr/org/people/{w.eva}/erase", only(HR))],
    "people.departments": [get(lambda w: "/hr/org/departments", only(HR))],
    "people.department": [get(lambda w: f"/hr/org/departments/{w.eva_team}", only(HR))],
    "people.rename_department": [
        post(lambda w: f"/hr/org/departments/{w.eva_team}/rename", only(HR, ALLOWED))
    ],
    "people.move_department": [
        post(lambda w: f"/hr/org/departments/{w.eva_team}/move", only(HR, ALLOWED))
    ],
    "people.set_heads": [
        post(lambda w: f"/hr/org/departments/{w.operations}/heads", only(HR, ALLOWED))
    ],
    "people.merge_department": [
        post(lambda w: f"/hr/org/departments/{w.empty_department}/merge", only(HR, ALLOWED))
    ],
    "people.archive_department": [
        post(lambda w: f"/hr/org/departments/{w.eva_team}/archive", only(HR, ALLOWED))
    ],
    "roster.upload": [
        get(lambda w: "/hr/roster/", only(HR)),
        post(lambda w: "/hr/roster/", only(HR, ALLOWED)),
    ],
    "roster.preview": [get(lambda w: f"/hr/roster/{w.roster_import}", only(HR))],
    "roster.apply": [post(lambda w: f"/hr/roster/{w.roster_import}/apply", only(HR, ALLOWED))],
    # Its rows are rejected: HR is sent back to the preview that lists them.
    "roster.confirm_apply": [get(lambda w: f"/hr/roster/{w.roster_import}/apply", only(HR, 302))],
    # The JSON API answers bearer tokens only; its description is public.
    "api.departments": [api("GET", "/departments")],
    "api.people": [api("GET", "/people")],
    "api.person": [api("GET", "/people/E1")],
    "api.save_person": [api("PUT", "/people/E1")],
    "api.deactivate_person": [api("DELETE", "/people/E1")],
    "api.surveys_index": [api("GET", "/surveys")],
    "api.survey_results": [
        Call("GET", lambda w: f"/api/v1/surveys/{w.closed_survey}/results", everyone(401))
    ],
    "api.training_completion": [api("GET", "/training/completion")],
    "api.effects": [api("GET", "/effects")],
    "api_docs.docs": [get(lambda w: "/api/v1/docs", everyone(200))],
    "api_docs.openapi_json": [get(lambda w: "/api/v1/openapi.json", everyone(200))],
}


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - FILE_ENDPOINTS
    assert sorted(endpoints - set(MATRIX)) == [], "decide who may call these endpoints"
    assert sorted(set(MATRIX) - endpoints) == [], "these endpoints no longer exist"


def test_every_method_of_every_endpoint_is_called(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FILE_ENDPOINTS:
            continue
        called = {call.method for call in MATRIX[rule.endpoint]}
        assert called == (rule.methods or set()) - {"HEAD", "OPTIONS"}, rule.endpoint


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _outcome(response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/auth/login"):
        return LOGIN
    return response.status_code


def _matches(expected: object, response) -> bool:
    found = _outcome(response)
    if expected == ALLOWED:
        return found not in (LOGIN, 403, 404) and response.status_code < 500
    return found == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_each_person_gets_exactly_what_the_matrix_promises(app, person):
    with app.app_context():
        world = _build_world()
    client = app.test_client()
    browser = Browser(client)
    if person != "anonymous":
        assert browser.login(world.emails[person]).status_code == 302
    token = csrf_token(client.get("/auth/forgot").get_data(as_text=True))
    calls = [call for calls in MATRIX.values() for call in calls]
    # Logging out last, so every other call runs logged in.
    calls.sort(key=lambda call: (call.method != "GET", "/auth/logout" in call.url(world)))
    with app.app_context():
        before = _row_counts()

    wrong = []
    for call in calls:
        url = call.url(world)
        if call.method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=call.method, data={"csrf_token": token})
        if not _matches(call.expect[person], response):
            wrong.append(f"{call.method} {url}: {_outcome(response)}, not {call.expect[person]}")
        if person != "employee":
            leaked = [secret for secret in SECRETS if secret.encode() in response.data]
            assert not leaked, f"{call.method} {url} showed Eva's own words to {person}"

    assert not wrong, "\n".join(wrong)
    if person in ("anonymous", "employee"):
        # Nothing they were refused changed anything; what they may do (a draft, a language,
        # enrolling, logging out) stays within their own records, and reading a closed survey's
        # thank-you page may release its results (a snapshot that was due).
        with app.app_context():
            after = _row_counts()
        changed = {name for name in before if before[name] != after[name]}
        assert changed <= {
            "enrolments",
            "audit_events",
            "user_sessions",
            "result_snapshots",
            "released_groups",
        }, changed


def test_the_employee_sees_her_own_draft_and_profile(app):
    with app.app_context():
        world = _build_world()
    browser = Browser(app.test_client())
    browser.login(world.emails["employee"])
    form = browser.client.get(f"/surveys/{world.open_survey}").get_data(as_text=True)
    assert DRAFT_SECRET in form
    module = browser.client.get(f"/training/{world.taken_module}").get_data(as_text=True)
    assert REFLECTION_SECRET in module


def test_a_head_reads_a_team_below_them_but_not_another_branch(app):
    with app.app_context():
        world = _build_world()
        sales = quote("Commercial/Sales")
        sales_url = f"/dashboards/results?survey={world.closed_survey}&department={sales}"
    head, other = Browser(app.test_client()), Browser(app.test_client())
    head.login(world.emails["head"])
    other.login(world.emails["other_head"])
    assert head.client.get(sales_url).status_code == 403
    assert other.client.get(sales_url).status_code == 200
    team_page = head.client.get(results_url("results")(world)).get_data(as_text=True)
    assert "Contact Center" in team_page
