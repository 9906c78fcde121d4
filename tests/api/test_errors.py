"""Every error on /api/ answers in one JSON format with the right status, never an HTML page;
bad input names the field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Department, User
from tests.api.conftest import ApiClient, error_of, make_token
from tests.conftest import build_app


def test_an_unknown_api_address_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_a_json_405_with_allow(api):
    response = api.client.post("/api/v1/people", headers=api._headers({}))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.client.put(
        "/api/v1/people/N1",
        data='{"name": "Ana",',
        headers={**api._headers({}), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["details"] == {"json": ["Invalid JSON body."]}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "Ana", "email": "a@example.test"}, {"department"}),
        ({"name": 7, "email": "a@example.test", "department": "Sales"}, {"name"}),
        ({"name": "Ana", "email": "a@example.test", "department": "Sales", "age": 3}, {"age"}),
        (
            {"name": "Ana", "email": "a@example.test", "department": "S", "hr_admin": "yes"},
            {"hr_admin"},
        ),
        (
            {"name": "Ana", "email": "a@example.test", "department": "S", "heads": "Sales"},
            {"heads"},
        ),
        ({"name": "Ana", "email": "a@example.test", "department": "S", "locale": "fr"}, {"locale"}),
        (["Ana"], {"_schema"}),
    ],
    ids=[
        "missing",
        "wrong-type",
        "unknown-field",
        "not-a-boolean",
        "not-a-list",
        "locale",
        "array",
    ],
)
def test_a_malformed_body_is_a_422_naming_the_field_and_saves_nothing(app, api, body, fields):
    response = api.put("/api/v1/people/N1", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert set(error["details"]["json"]) == fields
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(Department.id))).scalar_one() == 1


@pytest.mark.parametrize("limit", ["0", "1001", "many"])
def test_a_limit_out_of_range_is_a_422(api, limit):
    response = api.get(f"/api/v1/people?limit={limit}")
    assert response.status_code == 422
    assert set(error_of(response)["details"]["query"]) == {"limit"}


@pytest.mark.parametrize("cursor", ["nonsense", "djI6MQ", "djE6LTE", "djE6YQ"])
def test_a_cursor_not_made_by_the_api_is_a_400(api, cursor):
    response = api.get(f"/api/v1/people?cursor={cursor}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"


def test_a_failure_inside_a_write_is_a_json_500_and_saves_nothing(app, api, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr("cxculture.services.accounts.queue_set_password_emails", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = api.put(
        "/api/v1/people/N1",
        json={"name": "Ana", "email": "ana@example.test", "department": "Sales/East"},
    )
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "mail queue" not in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.execute(select(Department).where(Department.path.like("Sales%"))).first()
            is None
        )
        assert (
            db.session.execute(select(User).where(User.email == "ana@example.test")).first() is None
        )


def test_too_many_requests_with_one_token_is_a_429_with_retry_after(
    database_url, tmp_path, hr_admin
):
    app = build_app(database_url, tmp_path / "limited", CX_API_RATE_LIMIT="3 per minute")
    api = ApiClient(app.test_client(), make_token(app, owner=hr_admin))
    statuses = [api.get("/api/v1/departments").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/departments")
    assert error_of(response)["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
    other = ApiClient(app.test_client(), make_token(app, owner=hr_admin))
    assert other.get("/api/v1/departments").status_code == 200  # the limit is per token
    with app.app_context():
        db.engine.dispose()


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
