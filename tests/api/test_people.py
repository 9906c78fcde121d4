"""An HR system keeps people in step one at a time, under the roster import's rules: every bad
input is a 422 naming the field, every write is all or nothing, leavers are deactivated."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db
from cxculture.models import AuditEvent, Department, OutboxMessage, User, utcnow
from cxculture.services.org import roster, sync
from cxculture.services.org.roster import applying
from tests.api.conftest import ApiClient, error_of, make_token
from tests.factories import make_department, make_user

ANA = {"name": "Ana Souza", "email": "ana@example.test", "department": "Sales/East"}


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


def _paths(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(select(Department.path)).scalars())


def test_put_creates_a_person_and_the_departments_on_their_path(app, api):
    response = api.put("/api/v1/people/N1", json=ANA)
    assert response.status_code == 201
    body = response.get_json()
    assert body["employee_number"] == "N1"
    assert body["department"] == "Sales/East"
    assert body["active"] is True
    assert {"Sales", "Sales/East"} <= _paths(app)
    with app.app_context():
        assert (
            db.session.execute(
                select(OutboxMessage).where(OutboxMessage.to_email == "ana@example.test")
            )
            .scalar_one()
            .kind
            == "set_password"
        )


def test_put_again_updates_and_the_same_body_twice_changes_nothing(app, api):
    api.put("/api/v1/people/N1", json=ANA)
    moved = {**ANA, "name": "Ana S. Lima", "department": "Sales/West", "locale": "pt_BR"}
    response = api.put("/api/v1/people/N1", json=moved)
    assert response.status_code == 200
    assert response.get_json()["department"] == "Sales/West"
    assert response.get_json()["locale"] == "pt_BR"
    with app.app_context():
        before = len(db.session.execute(select(AuditEvent)).scalars().all())
    assert api.put("/api/v1/people/N1", json=moved).status_code == 200
    with app.app_context():
        events = db.session.execute(select(AuditEvent)).scalars().all()
    assert len(events) == before  # nothing changed, nothing noted
    saved = [event for event in events if event.action == "api.person_saved"]
    assert saved[-1].details["changes"] == ["name", "department", "locale"]


def test_optional_fields_left_out_are_left_alone(app, api, hr_admin):
    api.put(
        "/api/v1/people/N1",
        json={**ANA, "heads": ["Sales"], "manager_email": hr_admin.email, "hr_admin": False},
    )
    body = api.put("/api/v1/people/N1", json=ANA).get_json()
    assert body["heads"] == ["Sales"]
    assert body["manager_email"] == hr_admin.email
    cleared = api.put("/api/v1/people/N1", json={**ANA, "heads": [], "manager_email": None})
    assert cleared.get_json()["heads"] == []
    assert cleared.get_json()["manager_email"] is None


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"email": "not an email"}, "email", "bad_email"),
        ({"department": "Sales/East/Sales"}, "department", "department_own_ancestor"),
        ({"department": "Sales//East"}, "department", "department_invalid"),
        ({"manager_email": "nobody@example.test"}, "manager_email", "manager_unknown"),
        ({"manager_email": "ana@example.test"}, "manager_email", "manager_loop"),
        ({"heads": ["Ops/Ops"]}, "heads", "bad_heads"),
        ({"name": "Ana\x00"}, "name", "bad_characters"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_row_the_roster_rules_reject_is_a_422_naming_the_field(app, api, change, field, code):
    response = api.put("/api/v1/people/N1", json={**ANA, **change})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code
    assert set(error["details"]["json"]) == {field}
    assert _user(app, "ana@example.test") is None
    assert "Sales" not in _paths(app)  # all or nothing: no department either


def test_an_email_used_by_another_person_is_a_422_on_email(app, api, employee):
    response = api.put("/api/v1/people/N1", json={**ANA, "email": employee.email.upper()})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "email_taken"
    assert list(error["details"]["json"]) == ["email"]
    assert _user(app, employee.email).employee_number != "N1"


def test_an_archived_department_is_a_422(app, api):
    with app.app_context():
        make_department("Legacy").archived_at = utcnow()
        db.session.commit()
    response = api.put("/api/v1/people/N1", json={**ANA, "department": "Legacy/Team"})
    assert response.status_code == 422
    assert error_of(response)["code"] == "department_archived"
    assert "Legacy/Team" not in _paths(app)


def test_heading_an_archived_department_names_heads(app, api):
    with app.app_context():
        make_department("Legacy").archived_at = utcnow()
        db.session.commit()
    response = api.put("/api/v1/people/N1", json={**ANA, "heads": ["Legacy"]})
    assert response.status_code == 422
    assert set(error_of(response)["details"]["json"]) == {"heads"}


def test_a_chain_of_managers_back_to_the_person_is_a_422(app, api):
    api.put("/api/v1/people/B1", json={**ANA, "email": "bea@example.test"})
    api.put("/api/v1/people/N1", json={**ANA, "manager_email": "bea@example.test"})
    response = api.put(
        "/api/v1/people/B1",
        json={**ANA, "email": "bea@example.test", "manager_email": ANA["email"]},
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "manager_loop"


def test_the_token_cannot_take_away_its_owners_hr_role(app, api, hr_admin):
    number = _user(app, hr_admin.email).employee_number
    body = {"name": "Helga HR", "email": hr_admin.email, "department": "People", "hr_admin": False}
    response = api.put(f"/api/v1/people/{number}", json=body)
    assert response.status_code == 422
    assert error_of(response)["code"] == "own_hr_admin"
    assert set(error_of(response)["details"]["json"]) == {"hr_admin"}
    assert _user(app, hr_admin.email).is_hr_admin


def test_a_department_path_longer_than_stored_is_a_422(api):
    names = [f"{level}{'x' * 119}" for level in range(9)]
    response = api.put("/api/v1/people/N1", json={**ANA, "department": "/".join(names)})
    assert response.status_code == 422
    assert set(error_of(response)["details"]["json"]) == {"department"}


def test_an_employee_number_too_long_is_a_422_on_the_path(api):
    response = api.put("/api/v1/people/" + "9" * 65, json=ANA)
    assert response.status_code == 422
    assert set(error_of(response)["details"]["path"]) == {"employee_number"}


def test_a_hand_made_account_is_adopted_by_its_email(app, api):
    with app.app_context():
        db.session.add(User(email="first@example.test", name="First Admin", is_hr_admin=True))
        db.session.commit()
    response = api.put(
        "/api/v1/people/A1", json={**ANA, "email": "first@example.test", "name": "First Admin"}
    )
    assert response.status_code == 200
    assert _user(app, "first@example.test").employee_number == "A1"


def test_a_person_changed_meanwhile_is_a_409_and_nothing_is_saved(app, api, monkeypatch):
    def clash(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(applying, "_apply_links", clash)
    response = api.put("/api/v1/people/N1", json=ANA)
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert _user(app, ANA["email"]) is None
    assert "Sales/East" not in _paths(app)


def test_get_lists_people_a_page_at_a_time(app, api):
    with app.app_context():
        for _ in range(5):
            make_user(department="Sales")
    seen, cursor, pages = [], None, 0
    while True:
        query = f"/api/v1/people?limit=2{'&cursor=' + cursor if cursor else ''}"
        body = api.get(query).get_json()
        seen += [person["email"] for person in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6  # the HR admin and five more


def test_get_filters_by_department_with_the_ones_below_and_by_state(app, api):
    with app.app_context():
        make_user(email="east@example.test", department="Sales/East")
        make_user(email="sales@example.test", department="Sales")
        make_user(email="gone@example.test", department="Sales", is_active=False)
        make_user(email="it@example.test", department="IT")
        sales = db.session.execute(select(Department.id).where(Department.path == "Sales"))
        sales_id = sales.scalar_one()
    body = api.get(f"/api/v1/people?department={sales_id}").get_json()
    assert {p["email"] for p in body["data"]} == {
        "east@example.test",
        "sales@example.test",
        "gone@example.test",
    }
    body = api.get(f"/api/v1/people?department={sales_id}&active=false").get_json()
    assert [p["email"] for p in body["data"]] == ["gone@example.test"]


def test_an_unknown_department_filter_is_a_404(api):
    response = api.get("/api/v1/people?department=999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "department_not_found"


def test_get_one_person_by_employee_number(api, employee, app):
    number = _user(app, employee.email).employee_number
    assert api.get(f"/api/v1/people/{number}").get_json()["email"] == employee.email
    assert api.get(f"/api/v1/people/{number.lower()}").status_code == 200  # as the roster
    assert api.get("/api/v1/people/NOBODY").status_code == 404


def test_delete_deactivates_a_leaver_and_keeps_them(app, api):
    api.put("/api/v1/people/N1", json={**ANA, "heads": ["Sales"]})
    response = api.delete("/api/v1/people/N1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["active"] is False
    assert body["heads"] == []
    assert body["deactivated_at"] is not None
    assert api.delete("/api/v1/people/N1").status_code == 200  # twice changes nothing
    with app.app_context():
        actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("api.person_deactivated") == 1
    again = api.put("/api/v1/people/N1", json=ANA)
    assert again.get_json()["active"] is True  # back in the HR system: active again


def test_delete_of_nobody_is_a_404(api):
    response = api.delete("/api/v1/people/NOBODY")
    assert response.status_code == 404
    assert error_of(response)["code"] == "person_not_found"


def test_a_token_cannot_deactivate_its_own_hr_admin(app, api, hr_admin):
    number = _user(app, hr_admin.email).employee_number
    response = api.delete(f"/api/v1/people/{number}")
    assert response.status_code == 409
    assert error_of(response)["code"] == "own_account"
    assert _user(app, hr_admin.email).is_active


def test_a_command_line_token_writes_without_an_acting_person(app, client):
    api = ApiClient(client, make_token(app, ["people:write"]))
    assert api.put("/api/v1/people/N1", json=ANA).status_code == 201
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "api.person_saved")
        ).scalar_one()
    assert event.actor_id is None
    assert event.details["token"].startswith("cx_")


def test_people_writes_share_the_roster_rules(app):
    """The API converts a body into a roster row and lets the roster check it: one rule set."""
    values = sync._values("N1", {**ANA, "hr_admin": True, "heads": ["A", "B"]})
    checked = roster.check_row(1, values)
    assert checked.hr_admin is True
    assert checked.heads == ("A", "B")
    assert checked.department == "Sales/East"
