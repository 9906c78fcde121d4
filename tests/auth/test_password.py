"""Changing a password: the current one is checked, the rules apply, other sessions end."""

from __future__ import annotations

from flask.testing import FlaskClient

from cxculture.passwords import PasswordProblem, password_problems
from tests.conftest import Browser
from tests.factories import PASSWORD

NEW_PASSWORD = "a much longer passphrase 2026"


def change(browser: Browser, current: str, new: str, confirm: str | None = None):
    return browser.post_form(
        "/auth/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_change_password_needs_login(client):
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_wrong_current_password_changes_nothing(browser, employee):
    browser.login(employee.email)
    response = change(browser, "not my password", NEW_PASSWORD)
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    browser.logout()
    assert browser.login(employee.email, PASSWORD).headers["Location"] == "/"


def test_short_password_is_refused(browser, employee):
    browser.login(employee.email)
    response = change(browser, PASSWORD, "short1")
    assert "Use at least 12 characters." in response.get_data(as_text=True)


def test_password_containing_the_email_is_refused(browser, employee):
    browser.login(employee.email)
    response = change(browser, PASSWORD, f"{employee.email}-2026")
    assert "Do not use your email address" in response.get_data(as_text=True)


def test_mismatched_confirmation_is_refused(browser, employee):
    browser.login(employee.email)
    response = change(browser, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert "The passwords differ." in response.get_data(as_text=True)


def test_new_password_works_and_old_one_no_longer_does(browser, employee):
    browser.login(employee.email)
    response = change(browser, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert browser.client.get("/me").status_code == 200  # this session goes on
    browser.logout()
    assert "Wrong email or password." in browser.login(employee.email, PASSWORD).get_data(
        as_text=True
    )
    assert browser.login(employee.email, NEW_PASSWORD).status_code == 302


def test_password_change_ends_the_other_sessions(app, browser, employee):
    other = Browser(FlaskClient(app, use_cookies=True))
    other.login(employee.email)
    assert other.client.get("/me").status_code == 200
    browser.login(employee.email)
    change(browser, PASSWORD, NEW_PASSWORD)
    assert other.client.get("/me").status_code == 302


def test_common_and_guessable_passwords_are_refused(browser, employee):
    browser.login(employee.email)
    for weak, message in (
        ("qwerty123456", "This is one of the most common passwords"),
        ("1q2w3e4r5t6y", "This is one of the most common passwords"),
        ("aaaaaaaaaaaaaaaa", "This is easy to guess"),
        ("zxcvbnmasdfg", "This is easy to guess"),
    ):
        response = change(browser, PASSWORD, weak)
        assert response.status_code == 200, weak
        assert message in response.get_data(as_text=True), weak
    assert change(browser, PASSWORD, NEW_PASSWORD).status_code == 302


def test_the_rules_as_plain_data():
    from cxculture.passwords import PasswordProblem, password_problems

    assert password_problems("qwerty123456") == [PasswordProblem.COMMON]
    assert password_problems("abcdefghijklmnop") == [PasswordProblem.GUESSABLE]
    assert password_problems("123412341234") == [PasswordProblem.GUESSABLE]
    assert password_problems("ana.souza.ana.souza", "ana.souza@acme.test") == [
        PasswordProblem.CONTAINS_EMAIL
    ]
    assert password_problems("minha senha forte de 2026") == []


def test_a_password_longer_than_the_rater_reads_is_rated_not_refused_with_an_error():
    # Found by the form fuzzer on PostgreSQL: zxcvbn raises beyond 72 characters.
    assert password_problems("a" * 79) == [PasswordProblem.GUESSABLE]
    assert password_problems("Tide moves slowly over Lisbon harbour at dawn, " * 4) == []
