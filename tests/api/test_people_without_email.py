"""The API saves people without a mailbox: email null, known by the employee number in the
path; they get no email, cannot be given a role that logs in, and a path without a number is
refused rather than read as "match by email"."""

from __future__ import annotations

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import OutboxMessage, User
from tests.api.conftest import error_of

SOL = {"name": "Sol Store", "email": None, "department": "Stores/North"}


def test_put_with_a_null_email_creates_a_person_known_by_their_number(app, api):
    response = api.put("/api/v1/people/S-1", json=SOL)
    assert response.status_code == 201
    assert response.get_json()["email"] is None
    assert api.get("/api/v1/people/S-1").get_json()["email"] is None
    with app.app_context():
        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
    assert api.put("/api/v1/people/S-1", json=SOL).status_code == 200


def test_a_null_email_keeps_the_one_stored(app, api):
    api.put("/api/v1/people/S-1", json={**SOL, "email": "sol@example.test"})
    response = api.put("/api/v1/people/S-1", json=SOL)
    assert response.get_json()["email"] == "sol@example.test"


def test_a_role_that_logs_in_needs_an_email(app, api):
    response = api.put("/api/v1/people/S-1", json={**SOL, "hr_admin": True})
    assert response.status_code == 422
    assert error_of(response)["code"] == "role_needs_email"
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 1  # HR only


def test_a_blank_employee_number_is_refused(app, api):
    response = api.put("/api/v1/people/%20", json={**SOL, "email": "sol@example.test"})
    assert response.status_code == 422
    assert error_of(response)["code"] == "employee_number_missing"
