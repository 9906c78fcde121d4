"""Every endpoint declares who may use it, and the one hook enforces it (failing closed)."""

from __future__ import annotations

import pytest

from cxculture.access import FILE_ENDPOINTS, policy_of

PAGES = {
    # endpoint path: who gets 200 (everyone else: anonymous is sent to login, others get 403)
    "/me": {"employee", "head", "hr_admin"},
    "/auth/password": {"employee", "head", "hr_admin"},
    "/dashboards/": {"head"},
    "/hr/": {"hr_admin"},
}


def test_every_endpoint_declares_an_access_policy(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FILE_ENDPOINTS and policy_of(app, rule.endpoint) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("path", sorted(PAGES))
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("who", ["employee", "head", "hr_admin"])
@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_role_gets_exactly_its_pages(request, browser, who, path):
    person = request.getfixturevalue(who)
    browser.login(person.email)
    response = browser.client.get(path)
    expected = 200 if who in PAGES[path] else 403
    assert response.status_code == expected
    if expected == 403:
        assert "Access denied" in response.get_data(as_text=True)


def test_an_endpoint_without_a_policy_is_refused_to_everyone(app, browser, hr_admin):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    browser.login(hr_admin.email)
    response = browser.client.get("/forgotten")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_navigation_shows_only_the_persons_roles(browser, employee):
    browser.login(employee.email)
    html = browser.client.get("/me").get_data(as_text=True)
    assert 'href="/me"' in html
    assert 'href="/hr/"' not in html
    assert 'href="/dashboards/"' not in html


def test_a_person_with_several_roles_sees_every_home(app, browser):
    from tests.conftest import make_person

    person = make_person(
        app, email="both@example.test", is_hr_admin=True, heads=("Operations/Contact Center",)
    )
    browser.login(person.email)
    html = browser.client.get("/me").get_data(as_text=True)
    for link in ('href="/me"', 'href="/hr/"', 'href="/dashboards/"'):
        assert link in html
    for path in ("/me", "/hr/", "/dashboards/"):
        assert browser.client.get(path).status_code == 200
