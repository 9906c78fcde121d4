"""HR creates tokens (seeing each secret once), lists them and revokes them, in the audit trail."""

from __future__ import annotations

import re

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import ApiToken, AuditEvent
from tests.api.conftest import ApiClient, make_token
from tests.conftest import csrf_token

SECRET = re.compile(r'value="(cx_[A-Za-z0-9_-]+)"')


def _create(browser, **data):
    form = {"name": "Payroll sync", "scopes": ["people:read", "people:write"], **data}
    return browser.post_form("/hr/api-tokens", form)


def test_hr_creates_a_token_and_sees_it_once(app, browser, hr_admin):
    browser.login(hr_admin.email)
    response = _create(browser, valid_days="90")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    assert ApiClient(app.test_client(), secret).get("/api/v1/people").status_code == 200
    listing = browser.client.get("/hr/api-tokens").get_data(as_text=True)
    assert secret not in listing
    assert secret[:11] in listing  # the prefix, to recognise it
    assert "Payroll sync" in listing
    with app.app_context():
        event = db.session.execute(select(AuditEvent)).scalars().all()[-1]
        assert event.action == "api.token_created"
        assert event.actor_id == hr_admin.id
        assert secret not in str(event.details)


def test_a_token_needs_a_name_and_a_scope(app, browser, hr_admin):
    browser.login(hr_admin.email)
    response = _create(browser, name="", scopes=[])
    assert response.status_code == 200
    assert SECRET.search(response.get_data(as_text=True)) is None
    with app.app_context():
        assert db.session.execute(select(ApiToken)).first() is None


def test_the_list_shows_scopes_use_expiry_and_state(app, browser, hr_admin):
    make_token(app, ["results:read"], owner=hr_admin, name="Power BI", valid_days=10)
    browser.login(hr_admin.email)
    html = browser.client.get("/hr/api-tokens").get_data(as_text=True)
    for text in ("Power BI", "results:read", "never", "active", "Helga HR"):
        assert text in html


def test_hr_revokes_a_token_and_it_stops_working(app, browser, hr_admin):
    secret = make_token(app, owner=hr_admin)
    browser.login(hr_admin.email)
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    page = browser.client.get("/hr/api-tokens").get_data(as_text=True)
    response = browser.client.post(
        f"/hr/api-tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert ApiClient(app.test_client(), secret).get("/api/v1/people").status_code == 401
    assert "revoked" in browser.client.get("/hr/api-tokens").get_data(as_text=True)
    with app.app_context():
        actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "api.token_revoked" in actions


def test_token_pages_are_for_hr_only(browser, employee):
    browser.login(employee.email)
    assert browser.client.get("/hr/api-tokens").status_code == 403
