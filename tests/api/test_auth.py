"""Only a valid bearer token with the endpoint's scope opens the API; anything else is a 401 or a
403 in the API's format, with nothing done. Session cookies open nothing there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import ApiToken, Department, User, utcnow
from cxculture.services.accounts import tokens
from tests.api.conftest import ApiClient, error_of, make_token
from tests.conftest import make_person

PERSON = {"name": "Ana Souza", "email": "ana@example.test", "department": "Sales/East"}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_request_without_a_token_is_a_401_that_says_how_to_send_one(client, hr_admin):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "token_missing"
    assert "Bearer" in error["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic YWJjOmRlZg==", "Bearer", "Bearer a b", "token cx_x"])
def test_a_malformed_authorization_header_is_a_401(client, header):
    response = client.get("/api/v1/people", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_malformed"


def test_an_unknown_token_is_a_401(client, token):
    wrong = ApiClient(client, token[:-1] + ("A" if token[-1] != "A" else "B"))
    response = wrong.get("/api/v1/people")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_unknown"


def test_a_revoked_token_is_a_401_and_writes_nothing(app, client, token, hr_admin):
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        tokens.revoke_token(stored, db.session.get(User, hr_admin.id), utcnow())
    response = ApiClient(client, token).put("/api/v1/people/N1", json=PERSON)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_revoked"
    assert _count(app, Department) == 1  # only the HR admin's own department


def test_an_expired_token_is_a_401(app, client, token):
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        stored.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = ApiClient(client, token).get("/api/v1/people")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_a_token_stops_working_when_its_hr_admin_loses_the_role(app, client, token, hr_admin):
    with app.app_context():
        db.session.get(User, hr_admin.id).is_hr_admin = False
        db.session.commit()
    response = ApiClient(client, token).get("/api/v1/people")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_owner_inactive"


def test_a_token_without_the_scope_is_a_403_and_writes_nothing(app, client, hr_admin):
    reader = ApiClient(client, make_token(app, ["people:read"], owner=hr_admin))
    response = reader.put("/api/v1/people/N1", json=PERSON)
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "insufficient_scope"
    assert error["details"] == {"required_scopes": ["people:write"]}
    assert _count(app, Department) == 1
    assert _count(app, User) == 1


@pytest.mark.parametrize(
    ("scope", "path"),
    [
        ("people:read", "/api/v1/people"),
        ("results:read", "/api/v1/surveys"),
        ("training:read", "/api/v1/training/completion"),
    ],
)
def test_each_scope_opens_its_own_endpoints_only(app, client, hr_admin, scope, path):
    api = ApiClient(client, make_token(app, [scope], owner=hr_admin))
    for other in ("/api/v1/people", "/api/v1/surveys", "/api/v1/training/completion"):
        expected = 200 if other == path else 403
        assert api.get(other).status_code == expected, other


@pytest.mark.parametrize("scope", ["people:read", "results:read", "training:read"])
def test_any_read_scope_reads_the_department_tree(app, client, hr_admin, scope):
    api = ApiClient(client, make_token(app, [scope], owner=hr_admin))
    assert api.get("/api/v1/departments").status_code == 200


def test_a_logged_in_browser_gets_nothing_from_the_api(browser, hr_admin):
    browser.login(hr_admin.email)
    assert browser.client.get("/hr/").status_code == 200  # the session works on the pages
    response = browser.client.get("/api/v1/people")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_missing"
    assert "Set-Cookie" not in response.headers


def test_writes_need_no_csrf_token(api):
    response = api.put("/api/v1/people/N1", json=PERSON)
    assert response.status_code == 201


def test_the_api_never_sets_a_cookie(api):
    assert "Set-Cookie" not in api.get("/api/v1/departments").headers
    assert "Set-Cookie" not in api.put("/api/v1/people/N1", json=PERSON).headers


def test_tokens_are_stored_hashed_with_a_recognisable_prefix(app, token):
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        assert token not in {stored.token_hash, stored.prefix, stored.name}
        assert stored.token_hash == tokens.hash_secret(token)
        assert token.startswith(stored.prefix)
        assert len(token) > 40


def test_using_a_token_notes_when_it_was_last_used(app, api):
    api.get("/api/v1/departments")
    with app.app_context():
        used = db.session.execute(select(ApiToken.last_used_at)).scalar_one()
    assert used is not None
    assert utcnow() - used < timedelta(minutes=1)


def test_create_api_token_prints_the_token_once(app):
    result = app.test_cli_runner().invoke(
        args=["create-api-token", "--name", "Power BI", "--scopes", "results:read,training:read"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        assert stored.scope_set == {"results:read", "training:read"}
        assert stored.created_by_id is None
    assert ApiClient(app.test_client(), secret).get("/api/v1/surveys").status_code == 200


def test_create_api_token_refuses_an_unknown_scope(app):
    result = app.test_cli_runner().invoke(
        args=["create-api-token", "--name", "x", "--scopes", "people:delete"]
    )
    assert result.exit_code != 0
    assert "scopes" in result.output
    assert _count(app, ApiToken) == 0


def test_a_token_expires_after_the_days_it_was_given(app, hr_admin):
    make_token(app, owner=hr_admin, valid_days=30)
    with app.app_context():
        stored = db.session.execute(select(ApiToken)).scalar_one()
        assert stored.is_usable(utcnow() + timedelta(days=29))
        assert not stored.is_usable(utcnow() + timedelta(days=31))


def test_a_token_stops_working_when_its_hr_admin_leaves(app, client):
    owner = make_person(app, email="leaver@example.test", is_hr_admin=True, department="People")
    secret = make_token(app, owner=owner)
    with app.app_context():
        db.session.get(User, owner.id).is_active = False
        db.session.commit()
    response = ApiClient(client, secret).get("/api/v1/departments")
    assert response.status_code == 401
