"""One answer to "Forgot your password?": a link to ask for a new one by email where email can
reach people, else the advice to ask HR; the login page and the forgot-password page follow the
same setting."""

from __future__ import annotations

import pytest

from config import DevelopmentConfig, ProductionConfig
from cxculture.extensions import db
from tests.conftest import build_app

QUESTION = "Forgot your password?"
ASK_HR = "Ask your HR team for a new link."


@pytest.fixture
def closed_reset(database_url, tmp_path, _schema):
    """An installation where people cannot ask for a link themselves."""
    app = build_app(database_url, tmp_path / "closed", CX_PASSWORD_RESET="false")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_with_self_service_the_login_page_links_to_it_and_nothing_else(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert html.count(QUESTION) == 1
    assert 'href="/auth/forgot"' in html
    assert ASK_HR not in html
    assert client.get("/auth/forgot").status_code == 200


def test_without_self_service_the_login_page_sends_people_to_hr(closed_reset):
    client = closed_reset.test_client()
    html = client.get("/auth/login").get_data(as_text=True)
    assert html.count(QUESTION) == 1
    assert ASK_HR in html
    assert "/auth/forgot" not in html
    assert client.get("/auth/forgot").status_code == 404


def test_without_self_service_nobody_can_ask_for_a_link(closed_reset):
    closed_reset.config["WTF_CSRF_ENABLED"] = False  # no page to take a token from
    answer = closed_reset.test_client().post("/auth/forgot", data={"email": "a@example.test"})
    assert answer.status_code == 404


@pytest.mark.parametrize("open_reset", [True, False])
def test_a_spent_set_password_link_points_to_the_same_answer(client, closed_reset, open_reset):
    app_client = client if open_reset else closed_reset.test_client()
    html = app_client.get("/auth/set-password/not-a-token").get_data(as_text=True)
    assert ('href="/auth/forgot"' in html) is open_reset
    assert ("Ask HR to send you a new one." in html) is not open_reset


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        (ProductionConfig, {}, False),  # emails would only reach the log
        (ProductionConfig, {"MAIL_SERVER": "smtp.example.test"}, True),
        (ProductionConfig, {"MAIL_SERVER": "smtp.example.test", "CX_PASSWORD_RESET": "no"}, False),
        (ProductionConfig, {"CX_PASSWORD_RESET": "yes"}, True),
        (DevelopmentConfig, {}, True),  # the developer reads the log
    ],
)
def test_self_service_is_on_where_email_reaches_people(tmp_path, config, environ, expected):
    settings = config(tmp_path, environ={"SECRET_KEY": "k" * 32, **environ})
    assert settings.CX_PASSWORD_RESET is expected
