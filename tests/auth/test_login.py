"""Logging in and out: one generic answer for every failure, safe redirects, CSRF on every form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from cxculture.extensions import db
from cxculture.models import OutboxMessage, User
from tests.conftest import Browser, build_app, csrf_token, make_person
from tests.factories import PASSWORD, make_user

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


def test_an_account_pauses_for_the_address_that_failed_too_often(app, browser, employee):
    app.config["CX_LOGIN_LIMIT_PAIR"] = "3 per 15 minutes"
    for _ in range(3):
        assert browser.login(employee.email, "wrong password!").status_code == 200
    paused = browser.login(employee.email, PASSWORD)  # even the right password waits
    assert paused.status_code == 429
    assert "Too many attempts in a short time." in paused.get_data(as_text=True)
    # Another account from the same address is not paused by it.
    other = make_person(app, email="other@example.test")
    assert browser.login(other.email).status_code == 302


def test_failures_from_one_address_do_not_lock_the_account_holder_out(app, hr_admin):
    """A stranger typing wrong passwords for HR's address pauses only themselves (ASVS 6.3.1)."""
    stranger = Browser(app.test_client())
    at_a = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    for _ in range(10):  # the default CX_LOGIN_LIMIT_PAIR: 10 per 15 minutes
        assert stranger.login(hr_admin.email, "wrong password!", **at_a).status_code == 200
    assert stranger.login(hr_admin.email, "wrong password!", **at_a).status_code == 429
    assert stranger.login(hr_admin.email, PASSWORD, **at_a).status_code == 429

    real_hr = Browser(app.test_client())
    at_b = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    response = real_hr.login(hr_admin.email, **at_b)
    assert response.status_code == 302
    assert real_hr.client.get("/hr/", **at_b).status_code == 200


def test_an_address_pauses_after_too_many_failed_logins_on_any_account(app, browser):
    app.config["CX_LOGIN_LIMIT_ADDRESS"] = "4 per 15 minutes"
    for number in range(4):
        browser.login(f"nobody{number}@example.test", "wrong password!")
    assert browser.login("someone.else@example.test", "wrong password!").status_code == 429


def test_successful_logins_do_not_count(app, browser, employee):
    app.config["CX_LOGIN_LIMIT_PAIR"] = "2 per 15 minutes"
    for _ in range(4):
        assert browser.login(employee.email).status_code == 302
        browser.logout()


@pytest.mark.usefixtures("_schema")
def test_behind_a_proxy_the_forwarded_address_counts(database_url, tmp_path):
    app = build_app(
        database_url,
        tmp_path / "instance",
        CX_PROXY_COUNT="1",
        CX_LOGIN_LIMIT_ADDRESS="2 per 15 minutes",
    )
    client = app.test_client()

    def attempt(address: str) -> int:
        page = client.get("/auth/login", headers={"X-Forwarded-For": address})
        data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
        data.update(email="ghost@example.test", password="wrong password!")
        return client.post(
            "/auth/login", data=data, headers={"X-Forwarded-For": address}
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.9") == 200  # another person behind the same proxy
    with app.app_context():
        db.engine.dispose()


def test_a_forgotten_password_is_reset_by_a_single_use_link(app, browser, employee):
    answer = browser.post_form("/auth/forgot", {"email": employee.email.upper()})
    assert answer.status_code == 302
    message = "If an active account uses this address"
    assert message in browser.client.get("/auth/login").get_data(as_text=True)
    with app.app_context():
        sent = db.session.execute(select(OutboxMessage)).scalar_one()
        assert (sent.kind, sent.to_email) == ("password_reset", employee.email)
        # Delivered once the answer had gone (never inside the request: see test_login_alert).
        assert sent.sent_at is not None
    link = re.search(r"http://[^/]+(/auth/set-password/\S+)", sent.body).group(1)
    new = "a brand new long password"
    browser.post_form(link, {"new_password": new, "confirm_password": new})
    assert browser.client.get(link).status_code == 400  # used
    assert browser.login(employee.email, new).status_code == 302


def test_unknown_and_inactive_addresses_get_the_same_answer_and_no_email(app, browser):
    with app.app_context():
        gone = make_user(is_active=False).email
    for email in ("nobody@example.test", gone):
        answer = browser.post_form("/auth/forgot", {"email": email})
        assert answer.status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


def test_reset_requests_are_limited(app, browser, employee):
    app.config["CX_RESET_LIMIT"] = "2 per hour"
    codes = [
        browser.post_form("/auth/forgot", {"email": employee.email}).status_code for _ in range(3)
    ]
    assert codes == [302, 302, 429]
