"""The API refuses an address that differs from another person's only by look-alike characters,
with the roster's reason as the 422's code and the field ``email``; a plain different address
and the same body again are accepted."""

from __future__ import annotations

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import User
from tests.api.conftest import error_of

ANA = {"name": "Ana Souza", "email": "ana@example.test", "department": "Sales/East"}


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(User.id))).scalar_one()


def test_a_look_alike_of_another_persons_email_is_a_422_on_email(app, api, employee):
    people = _count(app)
    look_alike = employee.email.replace("e", "\u0435", 1)  # Cyrillic е
    response = api.put("/api/v1/people/N1", json={**ANA, "email": look_alike})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "email_look_alike"
    assert list(error["details"]["json"]) == ["email"]
    (message,) = error["details"]["json"]["email"]
    assert "look-alike characters" in message
    assert message.endswith(f": {employee.email}")
    assert _count(app) == people
    # Full-width letters and mathematical ones are look-alikes too.
    for other in (employee.email.replace("e", "\uff45", 1), "\U0001d41e" + employee.email[1:]):
        response = api.put("/api/v1/people/N1", json={**ANA, "email": other})
        assert error_of(response)["code"] == "email_look_alike"


def test_an_existing_person_cannot_take_a_look_alike_either(app, api, employee):
    assert api.put("/api/v1/people/N1", json=ANA).status_code == 201
    look_alike = employee.email.replace("o", "\u03bf")  # Greek ο
    response = api.put("/api/v1/people/N1", json={**ANA, "email": look_alike})
    assert response.status_code == 422
    assert error_of(response)["code"] == "email_look_alike"
    with app.app_context():
        person = db.session.execute(select(User).where(User.employee_number == "N1")).scalar_one()
        assert person.email == ANA["email"]


def test_a_plain_different_address_and_the_same_body_again_are_accepted(app, api, employee):
    assert api.put("/api/v1/people/N1", json=ANA).status_code == 201
    assert api.put("/api/v1/people/N1", json=ANA).status_code == 200  # not its own look-alike
    near = {**ANA, "email": "anna@example.test"}
    assert api.put("/api/v1/people/N2", json=near).status_code == 201
