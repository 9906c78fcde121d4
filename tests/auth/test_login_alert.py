"""The account holder hears of repeated failed logins by email: once the failures on the account,
from any address, reach CX_LOGIN_ALERT, at most once an hour, in their language, never with the
passwords tried, and the login form answers the same whether or not the account exists."""

from __future__ import annotations

import re
import time

import pytest
from flask import has_request_context
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import OutboxMessage
from cxculture.services.mail import delivery
from tests.conftest import Browser, csrf_token, make_person

WRONG = "wrong password number"


@pytest.fixture
def handed_to_workers(monkeypatch) -> list[bool]:
    """Deliveries started (recorded, not made), each True when it ran after the answer had
    left the request: the only way an alert leaves."""
    calls: list[bool] = []

    def record(*args, **kwargs):
        calls.append(not has_request_context())

    monkeypatch.setattr(delivery, "deliver_pending", record)
    return calls


def fail(browser: Browser, email: str, times: int, address: str = "203.0.113.7") -> list[int]:
    environ = {"REMOTE_ADDR": address}
    return [
        browser.login(email, f"{WRONG} {n}", environ_base=environ).status_code for n in range(times)
    ]


def alerts(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "login_alert")
            ).scalars()
        )


def test_five_failures_queue_one_alert_to_the_account_holder(
    app, browser, employee, handed_to_workers
):
    assert fail(browser, employee.email, 4) == [200] * 4
    assert alerts(app) == []
    assert fail(browser, employee.email, 1) == [200]

    [alert] = alerts(app)
    assert alert.to_email == employee.email
    assert alert.locale == "en"
    assert alert.sent_at is None  # queued, never delivered inside the request
    assert handed_to_workers == [True]
    assert alert.subject == "Failed logins on your cxculture account"
    assert "There were 5 failed attempts to log in to your cxculture account" in alert.body
    assert "(UTC time)" in alert.body
    assert "you need do nothing" in alert.body
    assert re.search(r"^http://\S+/auth/password$", alert.body, re.MULTILINE)
    assert WRONG not in alert.body
    assert WRONG not in alert.subject


def test_failures_from_several_addresses_add_up(app, browser, employee, handed_to_workers):
    fail(browser, employee.email, 3, address="203.0.113.7")
    fail(browser, employee.email, 2, address="198.51.100.9")
    assert [a.to_email for a in alerts(app)] == [employee.email]


def test_more_failures_in_the_same_hour_send_no_second_alert(
    app, browser, employee, handed_to_workers
):
    fail(browser, employee.email, 5, address="203.0.113.7")
    fail(browser, employee.email, 9, address="198.51.100.9")
    assert len(alerts(app)) == 1
    # A new counting window reaching the threshold again, still within the hour: no email.
    app.config["CX_LOGIN_ALERT"] = "2 per 1 second"
    fail(browser, employee.email, 2, address="192.0.2.1")
    time.sleep(1.1)
    fail(browser, employee.email, 2, address="192.0.2.2")
    assert len(alerts(app)) == 1
    assert handed_to_workers == [True]


def test_the_alert_is_written_in_the_persons_language(app, browser, handed_to_workers):
    person = make_person(app, email="ana@example.test", locale="pt_BR")
    fail(browser, person.email, 5)
    [alert] = alerts(app)
    assert alert.locale == "pt_BR"
    assert " de " in alert.body  # dates the Brazilian way ("6 de dez. de 2026 ...")


def test_unknown_and_inactive_accounts_get_no_email_and_the_same_answer(
    app, employee, handed_to_workers
):
    make_person(app, email="gone@example.test", is_active=False)

    def answers(email: str) -> list[tuple[int, str]]:
        browser = Browser(app.test_client())
        seen = []
        for n in range(6):
            response = browser.login(email, f"{WRONG} {n}")
            html = response.get_data(as_text=True)
            html = html.replace(csrf_token(html), "TOKEN").replace(email, "EMAIL")
            seen.append((response.status_code, html))
        return seen

    known = answers(employee.email)
    assert answers("nobody@example.test") == known
    assert answers("gone@example.test") == known
    assert [a.to_email for a in alerts(app)] == [employee.email]
    assert handed_to_workers == [True]
