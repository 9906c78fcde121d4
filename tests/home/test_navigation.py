"""The menu: HR's pages grouped under a few entries, a short menu for heads and employees, every
page a person may open reachable from it once, and the shell around every page (the menu
button, the language switch, logging out) for each role."""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import combinations

import pytest

from cxculture.access import policy_of
from cxculture.models import Role
from cxculture.templating import ACCOUNT, MENUS, NavGroup, NavItem, navigation_for
from tests.conftest import make_person

EMPLOYEE = frozenset({Role.EMPLOYEE})
HEAD = frozenset({Role.EMPLOYEE, Role.DEPT_HEAD})
HR = frozenset({Role.EMPLOYEE, Role.HR_ADMIN})
HR_HEAD = frozenset({Role.EMPLOYEE, Role.HR_ADMIN, Role.DEPT_HEAD})
EVERY_ROLE_SET = [
    frozenset(chosen) for size in range(1, len(Role) + 1) for chosen in combinations(Role, size)
]
# Pages no menu needs to offer: the logged-out pages and the landing page, which only redirects.
OUTSIDE_THE_MENU = frozenset(
    {"auth.login", "auth.forgot_password", "auth.set_password", "home.index"}
)
# HR pages opened by the "New" button of a list rather than from the menu.
OPENED_FROM_A_LIST = {"hr.new_survey": "hr.surveys_index", "catalogue.new": "catalogue.index"}


def endpoints(items: list[NavItem] | tuple[NavItem, ...]) -> list[str]:
    return [item.endpoint for item in items]


def bar(roles: frozenset[Role]) -> list[str]:
    """The bar's top level: a link's endpoint, or a group's key."""
    return [
        entry.key if isinstance(entry, NavGroup) else entry.endpoint
        for entry in navigation_for(roles).entries
    ]


def test_an_employee_has_their_three_pages_in_the_bar():
    navigation = navigation_for(EMPLOYEE)
    assert bar(EMPLOYEE) == ["home.employee_home", "surveys.mine", "training.mine"]
    assert navigation.personal == ()
    assert endpoints(navigation.account) == ["auth.change_password"]


def test_a_head_keeps_a_short_bar_and_finds_their_own_pages_under_their_name():
    navigation = navigation_for(HEAD)
    assert bar(HEAD) == [
        "dashboards.head_home",
        "dashboards.results_page",
        "dashboards.training_page",
    ]
    assert endpoints(navigation.personal) == ["home.employee_home", "surveys.mine", "training.mine"]


def test_hr_pages_are_grouped_under_six_entries():
    assert bar(HR) == ["hr.home", "people", "surveys", "results", "training", "administration"]
    groups = {entry.key: endpoints(entry.items) for entry in navigation_for(HR).entries[1:]}
    assert groups == {
        "people": ["people.people_index", "people.departments", "roster.upload"],
        "surveys": ["hr.surveys_index", "instruments.index", "hr.outbox"],
        "results": ["dashboards.overview", "dashboards.results_page", "dashboards.effects_page"],
        "training": ["catalogue.index", "dashboards.training_page"],
        "administration": ["audit.index", "hr.api_tokens_page", "api_docs.docs"],
    }


def test_hr_who_heads_a_department_finds_it_under_results_and_nothing_more_in_the_bar():
    results = {entry.key: entry for entry in navigation_for(HR_HEAD).entries[1:]}["results"]
    assert endpoints(results.items) == [
        "dashboards.overview",
        "dashboards.results_page",
        "dashboards.effects_page",
        "dashboards.head_home",
    ]
    assert bar(HR_HEAD) == bar(HR)


@pytest.mark.parametrize("roles", EVERY_ROLE_SET, ids=lambda roles: "+".join(sorted(roles)))
def test_a_person_with_several_roles_sees_each_entry_once(roles):
    shown = endpoints(navigation_for(roles).items())
    assert len(shown) == len(set(shown))
    keys = [entry.key for entry in navigation_for(roles).entries if isinstance(entry, NavGroup)]
    assert len(keys) == len(set(keys))  # a group's key is its element's id


def test_nobody_logged_in_has_no_menu():
    navigation = navigation_for(frozenset())
    assert navigation.entries == ()
    assert navigation.items() == []


def test_no_group_is_shown_empty():
    for roles in EVERY_ROLE_SET:
        for entry in navigation_for(roles).entries:
            assert not isinstance(entry, NavGroup) or entry.items


def test_the_current_page_marks_its_link_and_its_group():
    surveys = {entry.key: entry for entry in navigation_for(HR).entries[1:]}["surveys"]
    index = surveys.items[0]
    assert index.current("hr.surveys_index") == "page"
    assert index.current("hr.survey") == "true"  # a survey's page is reached from the list
    assert index.current("hr.outbox") is None
    assert surveys.current("hr.edit_survey")
    assert not surveys.current("people.people_index")


def _pages(app):
    """Every page a browser opens: GET endpoints that answer HTML (not a file, not the API)."""
    for rule in app.url_map.iter_rules():
        policy = policy_of(app, rule.endpoint)
        if policy is None or policy.api_scopes or "GET" not in (rule.methods or ()):
            continue
        if "." in rule.rule.rsplit("/", 1)[-1]:  # a download: .csv, .png, .pdf, .<kind>
            continue
        yield rule.endpoint, policy


def test_every_endpoint_the_menus_name_exists(app):
    named = {
        endpoint
        for menu in MENUS
        for entry in (*menu.entries, *menu.personal, *ACCOUNT)
        for item in (entry.items if isinstance(entry, NavGroup) else (entry,))
        for endpoint in item.endpoints
    }
    assert named - set(app.view_functions) == set()


@pytest.mark.parametrize("roles", EVERY_ROLE_SET, ids=lambda roles: "+".join(sorted(roles)))
def test_every_page_a_person_may_open_is_reached_from_their_menu(app, roles):
    """A page is in the menu itself, or listed as reached from one of its links (which then
    stays marked there); a new page fails this test until the menu says where it belongs."""
    reached = {e for item in navigation_for(roles).items() for e in item.endpoints}
    missing = []
    for endpoint, policy in _pages(app):
        if policy.allows_anonymous or endpoint in OUTSIDE_THE_MENU:
            continue
        if (not policy.roles or policy.roles & roles) and endpoint not in reached:
            missing.append(endpoint)
    assert missing == []


def test_every_hr_page_without_arguments_is_a_link_of_hr_menu_or_opened_from_its_list(app):
    items = {item.endpoint: item for item in navigation_for(HR).items()}
    for endpoint, list_page in OPENED_FROM_A_LIST.items():
        assert endpoint in items[list_page].also
    hr_pages = {
        endpoint
        for endpoint, policy in _pages(app)
        if policy.roles == {Role.HR_ADMIN} and not next(app.url_map.iter_rules(endpoint)).arguments
    }
    assert hr_pages - set(items) - set(OPENED_FROM_A_LIST) == set()


class Shell(HTMLParser):
    """The start tags of a page, with their attributes, and the menu's link targets."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag
            and all(attrs.get(key.rstrip("_").replace("_", "-")) == v for key, v in wanted.items())
        ]


def _nav_html(html: str) -> str:
    return html[html.index("<nav") : html.index("</nav>")]


@pytest.fixture
def people(app):
    """One person of each kind, by the role combination they hold."""
    return {
        "employee": make_person(app, email="e@example.test"),
        "head": make_person(app, email="h@example.test", heads=("Operations/Contact Center",)),
        "hr": make_person(app, email="r@example.test", is_hr_admin=True),
        "hr+head": make_person(
            app, email="rh@example.test", is_hr_admin=True, heads=("Operations/Contact Center",)
        ),
    }


@pytest.mark.parametrize("kind", ["employee", "head", "hr", "hr+head"])
def test_every_role_gets_the_menu_button_the_language_switch_and_log_out(browser, people, kind):
    browser.login(people[kind].email)
    shell = Shell(_nav_html(browser.client.get("/me").get_data(as_text=True)))
    assert shell.find("button", class_="navbar-toggler", aria_controls="main-nav")
    assert shell.find("div", id="main-nav")
    language = shell.find("form", action="/language", method="post")
    assert len(language) == 1
    assert [b["value"] for b in shell.find("button", name="locale")] == ["en", "pt_BR", "es"]
    assert shell.find("form", action="/auth/logout", method="post")
    assert shell.find("a", href="/auth/password")
    csrf = [i for i in shell.find("input", name="csrf_token") if i["value"]]
    assert len(csrf) == 2  # the language form's and the logout form's


@pytest.mark.parametrize("kind", ["employee", "head", "hr", "hr+head"])
def test_each_link_appears_once_in_the_page(browser, people, kind):
    browser.login(people[kind].email)
    shell = Shell(_nav_html(browser.client.get("/me").get_data(as_text=True)))
    hrefs = [a["href"] for a in shell.find("a") if a["href"] != "/"]  # all but the brand's
    assert len(hrefs) == len(set(hrefs))
    assert "/me" in hrefs


def test_hr_groups_open_as_dropdowns_and_the_current_one_is_marked(browser, people):
    browser.login(people["hr"].email)
    shell = Shell(_nav_html(browser.client.get("/hr/surveys").get_data(as_text=True)))
    toggles = shell.find("button", data_bs_toggle="dropdown")
    ids = [t.get("id") for t in toggles if t.get("id")]
    assert ids == [
        "nav-people",
        "nav-surveys",
        "nav-results",
        "nav-training",
        "nav-administration",
    ]
    current = [t for t in toggles if t.get("aria-current")]
    assert [t["id"] for t in current] == ["nav-surveys"]
    assert shell.find("a", href="/hr/surveys", aria_current="page")
    assert len([a for a in shell.find("a") if a.get("aria-current")]) == 1


def test_a_page_under_the_name_marks_its_link_and_the_name(browser, people):
    browser.login(people["hr"].email)
    shell = Shell(_nav_html(browser.client.get("/surveys/").get_data(as_text=True)))
    assert shell.find("a", href="/surveys/", aria_current="page")
    marked = shell.find("button", data_bs_toggle="dropdown", aria_current="true")
    assert [toggle["title"] for toggle in marked] == [people["hr"].name]  # the name's, only


def test_logged_out_pages_show_the_language_switch_unfolded_and_no_account_menu(client):
    shell = Shell(_nav_html(client.get("/auth/login").get_data(as_text=True)))
    assert shell.find("nav", class_="navbar navbar-expand navbar-dark cx-navbar")
    assert not shell.find("button", class_="navbar-toggler")
    assert shell.find("form", action="/language")
    assert not shell.find("form", action="/auth/logout")
