"""Every endpoint declares who may use it, and the one hook enforces it (failing closed).

Who gets what from each endpoint is in test_access_matrix.py."""

from __future__ import annotations

from cxculture.access import FILE_ENDPOINTS, policy_of


def test_every_endpoint_declares_an_access_policy(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FILE_ENDPOINTS and policy_of(app, rule.endpoint) is None
    ]
    assert undeclared == []


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
