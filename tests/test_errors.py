"""Error pages: friendly, no stack trace, and a failed request saves nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from cxculture.access import public
from cxculture.extensions import db
from cxculture.models import User


def test_unknown_address_shows_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "<nav" in html  # the site's own layout, not a bare error


def test_database_error_shows_500_rolls_back_and_logs_details(app, client, caplog):
    @public
    def duplicate_emails():
        db.session.add(User(email="same@example.test", name="First"))
        db.session.flush()
        db.session.add(User(email="same@example.test", name="Second"))
        db.session.flush()  # IntegrityError: the unique email
        return "unreachable"

    app.add_url_rule("/boom", "boom", duplicate_emails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    html = response.get_data(as_text=True)

    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "IntegrityError" not in html
    assert "IntegrityError" in caplog.text  # the details are in the log only
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 0
    assert client.get("/auth/login").status_code == 200  # the app goes on working


def test_method_not_allowed_has_its_own_page(client):
    response = client.get("/language")
    assert response.status_code == 405
    assert "Not allowed" in response.get_data(as_text=True)
