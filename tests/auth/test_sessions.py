"""Sessions kept on the server (ASVS 7.4.1): logging out ends them for good, a copied cookie
stops working, and only a hash of the cookie's token is stored."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import event, func, select, update

from cxculture.extensions import db
from cxculture.models import OutboxMessage, User, UserSession, utcnow
from cxculture.services import accounts
from cxculture.services.org import leavers
from tests.conftest import Browser
from tests.factories import PASSWORD

NEW_PASSWORD = "a much longer passphrase 2026"


def session_cookie(browser: Browser) -> str:
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str) -> Browser:
    """Another browser holding a copy of ``cookie``."""
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", cookie)
    return thief


def sessions(app) -> list[UserSession]:
    with app.app_context():
        return list(db.session.execute(select(UserSession)).scalars())


def identity_in(app, cookie: str) -> str:
    """The Flask-Login identity a session cookie carries (readable: signed, not encrypted)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie)["_user_id"]


def test_a_cookie_copied_before_logging_out_gets_the_login_page_after(app, browser, employee):
    browser.login(employee.email)
    copied = session_cookie(browser)
    assert replay(app, copied).client.get("/me").status_code == 200  # the copy works, for now

    browser.logout()

    response = replay(app, copied).client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert sessions(app) == []


def test_logging_in_stores_only_the_hash_of_a_random_token(app, browser, employee):
    before = utcnow()
    browser.login(employee.email)
    token = identity_in(app, session_cookie(browser))
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 random bits
    assert str(employee.id) not in token.split(".")  # no longer "<id>.<version>"
    [stored] = sessions(app)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert stored.user_id == employee.id
    assert stored.session_version == 0
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert before + lifetime <= stored.expires_at <= utcnow() + lifetime


def test_each_login_is_its_own_session(app, employee):
    first, second = Browser(app.test_client()), Browser(app.test_client())
    first.login(employee.email)
    second.login(employee.email)
    assert len(sessions(app)) == 2
    first.logout()
    assert first.client.get("/me").status_code == 302
    assert second.client.get("/me").status_code == 200  # logging out ends this browser's only


def test_an_expired_session_is_refused(app, browser, employee):
    browser.login(employee.email)
    with app.app_context():
        db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert browser.client.get("/me").status_code == 302


def test_a_session_older_than_the_accounts_session_version_is_refused(app, browser, employee):
    browser.login(employee.email)
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == employee.id)
            .values(session_version=User.session_version + 1)
        )
        db.session.commit()
    assert browser.client.get("/me").status_code == 302


def test_deactivating_someone_ends_their_sessions(app, browser, employee):
    browser.login(employee.email)
    with app.app_context():
        leavers.deactivate_people([employee.id], utcnow())
        db.session.commit()
    assert browser.client.get("/me").status_code == 302


def test_a_cookie_in_the_old_id_and_version_form_signs_nobody_in(app, employee):
    serializer = app.session_interface.get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": f"{employee.id}.0", "_fresh": True})
    assert replay(app, forged).client.get("/me").status_code == 302


def test_a_password_change_keeps_this_browser_and_ends_the_others(app, browser, employee):
    other = Browser(app.test_client())
    other.login(employee.email)
    browser.login(employee.email)
    before = session_cookie(browser)
    browser.post_form(
        "/auth/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert browser.client.get("/me").status_code == 200
    assert other.client.get("/me").status_code == 302
    assert replay(app, before).client.get("/me").status_code == 302
    [kept] = sessions(app)  # the others' rows are gone, and this browser's old one
    assert kept.session_version == 1
    assert (
        kept.token_hash
        == hashlib.sha256(identity_in(app, session_cookie(browser)).encode()).hexdigest()
    )


def test_setting_a_password_by_link_ends_every_session_then_logs_in_normally(
    app, browser, employee
):
    elsewhere = Browser(app.test_client())
    elsewhere.login(employee.email)
    browser.post_form("/auth/forgot", {"email": employee.email})
    with app.app_context():
        body = db.session.execute(select(OutboxMessage.body)).scalar_one()
    link = re.search(r"http://[^/]+(/auth/set-password/\S+)", body).group(1)
    browser.post_form(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert elsewhere.client.get("/me").status_code == 302
    assert sessions(app) == []
    assert browser.login(employee.email, NEW_PASSWORD).status_code == 302
    assert browser.client.get("/me").status_code == 200
    assert len(sessions(app)) == 1


def test_maintain_deletes_expired_and_ended_sessions(app, employee, hr_admin):
    live, expired, ended = (Browser(app.test_client()) for _ in range(3))
    live.login(employee.email)
    expired.login(employee.email)
    ended.login(hr_admin.email)
    with app.app_context():
        expired_hash = db.session.execute(
            select(UserSession.token_hash).order_by(UserSession.created_at).limit(1).offset(1)
        ).scalar_one()
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == expired_hash)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.execute(update(User).where(User.id == hr_admin.id).values(session_version=5))
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["maintain"])

    assert result.exit_code == 0, result.output
    assert "2 expired or ended sessions deleted." in result.output
    [kept] = sessions(app)
    assert kept.user_id == employee.id
    assert kept.token_hash != expired_hash
    assert live.client.get("/me").status_code == 200


def test_the_user_loader_is_one_query(app, browser, employee):
    browser.login(employee.email)
    token = identity_in(app, session_cookie(browser))
    with app.app_context():
        statements = []
        engine = db.engine

        def count(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            user = accounts.load_session_user(token)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert user is not None
        assert user.id == employee.id
        assert user.get_id() == token
        assert len(statements) == 1
        assert accounts.load_session_user("not a token") is None
        assert db.session.execute(select(func.count()).select_from(UserSession)).scalar_one() == 1
