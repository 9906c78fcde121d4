"""Logging in and out: one generic answer for every failure, safe redirects, CSRF on every form."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from cxculture.extensions import db
from cxculture.models import User
from tests.conftest import make_person
from tests.factories import PASSWORD

GENERIC_FAILURE = "Wrong email or password."


def test_login_page_renders_a_form_with_csrf(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'name="email"' in html
    assert 'name="password"' in html


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [("employee", "/me"), ("head", "/dashboards/"), ("hr_admin", "/hr/")],
)
def test_each_role_lands_on_its_home(request, browser, who, lands_on):
    person = request.getfixturevalue(who)
    response = browser.login(person.email, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == lands_on


def test_email_is_matched_whatever_its_case_and_spaces(browser, employee):
    response = browser.login("  EMPLOYEE@Example.TEST ", follow_redirects=True)
    assert response.request.path == "/me"


def test_wrong_password_unknown_email_and_inactive_account_get_the_same_answer(app, browser):
    make_person(app, email="gone@example.test", is_active=False)
    make_person(app, email="nopassword@example.test", password=None)
    make_person(app, email="right@example.test")
    answers = [
        browser.login("right@example.test", "not the password"),
        browser.login("nobody@example.test"),
        browser.login("gone@example.test"),
        browser.login("nopassword@example.test", ""),
    ]
    for answer in answers:
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert html.count(GENERIC_FAILURE) == 1 or "This field is required." in html
    assert all(GENERIC_FAILURE in a.get_data(as_text=True) for a in answers[:3])
    assert browser.client.get("/me").status_code == 302  # still logged out


def test_login_without_csrf_token_is_refused_and_applies_nothing(client, employee):
    response = client.post("/auth/login", data={"email": employee.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "nothing was changed" in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_login_with_stale_csrf_token_is_refused(client, employee):
    response = client.post(
        "/auth/login",
        data={"email": employee.email, "password": PASSWORD, "csrf_token": "stale.token"},
    )
    assert response.status_code == 400
    assert client.get("/me").status_code == 302


def test_next_sends_the_person_back_to_the_page_they_asked_for(browser, hr_admin):
    first = browser.client.get("/hr/")
    assert first.status_code == 302
    assert "/auth/login?next=" in first.headers["Location"]
    response = browser.login(hr_admin.email, query_string={"next": "/hr/"})
    assert response.headers["Location"] == "/hr/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "me"],
)
def test_next_never_leaves_the_site(client, employee, target):
    token_page = client.get("/auth/login")
    from tests.conftest import csrf_token

    response = client.post(
        "/auth/login",
        data={
            "csrf_token": csrf_token(token_page.get_data(as_text=True)),
            "email": employee.email,
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_needs_a_post(browser, employee):
    browser.login(employee.email)
    assert browser.client.get("/auth/logout").status_code == 405
    assert browser.client.get("/me").status_code == 200
    response = browser.logout()
    assert response.headers["Location"] == "/auth/login"
    assert browser.client.get("/me").status_code == 302


def test_logged_in_person_opening_login_goes_home(browser, employee):
    browser.login(employee.email)
    response = browser.client.get("/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_deactivated_person_loses_their_session_at_once(app, browser, employee):
    browser.login(employee.email)
    assert browser.client.get("/me").status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == employee.id).values(is_active=False))
        db.session.commit()
    assert browser.client.get("/me").status_code == 302


def test_session_cookie_is_http_only_and_same_site_lax(browser, employee):
    response = browser.login(employee.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_no_remember_me_cookie_is_set(browser, employee):
    response = browser.login(employee.email)
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
