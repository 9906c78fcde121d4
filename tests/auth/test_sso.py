"""Single sign-on against a real OpenID provider running beside the tests: the code flow with
PKCE, the state, nonce, issuer and audience checks, who a verified address signs in (never a new
account), every refusal on the login page with an audit entry, logout at the provider, and the
break-glass rules once password login is off."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import werkzeug.serving
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from cxculture.extensions import db
from cxculture.models import AuditEvent, OutboxMessage, User
from cxculture.services.accounts import queue_set_password_emails, set_password_token
from tests import factories
from tests.conftest import Browser, Person, build_app, csrf_token, make_person

with warnings.catch_warnings():
    # The provider (a test tool) imports Authlib's deprecated jose module; our code does not.
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

# The provider calls an Authlib hook Authlib has deprecated, on its own server thread (the
# warning filters are shared by every thread).
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

CLIENT_ID = "cxculture"
BASE_URL = "http://cx.example.test"
CALLBACK = f"{BASE_URL}/auth/sso/callback"
BUTTON = "Sign in with Acme ID"


class QuietHandler(werkzeug.serving.WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass  # the provider's access log would drown the test output


@dataclass
class Provider:
    """The OpenID provider, on 127.0.0.1, three times over: at the root as it is; under
    /tenant, where its discovery document names the root as issuer (a mismatch); under
    /relabelled, where the document is rewritten to name /relabelled while the ID tokens still
    say the root. ``token_requests`` holds the forms sent to the token endpoint; a client id in
    ``impersonate`` makes it answer as if another application had asked."""

    base: str
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    impersonate: str | None = None

    @property
    def issuer(self) -> str:
        return self.base

    def user(self, sub: str, **claims: object) -> str:
        """Give the account ``sub`` these claims; returns ``sub``."""
        answer = httpx.put(f"{self.base}/users/{sub}", json=claims)
        assert answer.status_code == 204
        return sub


class Harness:
    """WSGI middleware for the test provider: records token requests, rewrites the client id
    while ``impersonate`` is set, and relabels the issuer under /relabelled."""

    def __init__(self, app, provider: Provider):
        self.app = app
        self.provider = provider

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.provider.token_requests.append(parse_qs(body.decode()))
            environ["wsgi.input"] = io.BytesIO(body)
            if self.provider.impersonate:
                secret = f"{self.provider.impersonate}:secret".encode()
                environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret).decode()
        if path == "/oauth2/authorize" and self.provider.impersonate:
            query = environ["QUERY_STRING"].replace(
                f"client_id={CLIENT_ID}", f"client_id={self.provider.impersonate}"
            )
            environ["QUERY_STRING"] = query
        if environ.get("SCRIPT_NAME") == "/relabelled" and path.endswith("openid-configuration"):
            return self._relabelled(environ, start_response)
        return self.app(environ, start_response)

    def _relabelled(self, environ, start_response):
        def ignore(status, headers, exc_info=None):
            return lambda data: None

        document = json.loads(b"".join(self.app(environ, ignore)))
        document["issuer"] = self.provider.base + "/relabelled"
        body = json.dumps(document).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    mock = oidc_provider_mock.app()
    state = Provider(base="")
    harness = Harness(mock, state)
    server = werkzeug.serving.make_server(
        "127.0.0.1",
        0,
        DispatcherMiddleware(harness, {"/tenant": mock, "/relabelled": harness}),
        threaded=True,
        request_handler=QuietHandler,
    )
    state.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def sso_environ(provider: Provider, **extra: str) -> dict[str, str]:
    return {
        "CX_OIDC_ISSUER": provider.issuer,
        "CX_OIDC_CLIENT_ID": CLIENT_ID,
        "CX_OIDC_CLIENT_SECRET": "client-secret",
        "CX_OIDC_NAME": "Acme ID",
        "CX_BASE_URL": BASE_URL,
        **extra,
    }


@pytest.fixture
def make_app(app, database_url, tmp_path, provider) -> Iterator:
    """Build apps set up for the test provider (``app`` empties the tables afterwards)."""
    built: list[Flask] = []

    def make(**extra: str) -> Flask:
        sso_app = build_app(
            database_url, tmp_path / f"sso{len(built)}", **sso_environ(provider, **extra)
        )
        built.append(sso_app)
        return sso_app

    yield make
    for sso_app in built:
        with sso_app.app_context():
            db.engine.dispose()


@pytest.fixture
def sso_app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def eva(app) -> Person:
    return make_person(app, email="eva@example.test", name="Eva Employee")


def local(url: str) -> str:
    """The path and query of a URL on this app (where the provider sends the browser back)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    return f"{parts.path}?{parts.query}"


def start(client: FlaskClient, next_page: str | None = None) -> str:
    """Press the sign-in button; returns the provider's authorization URL."""
    answer = client.get("/auth/sso", query_string={"next": next_page} if next_page else None)
    assert answer.status_code == 302
    return answer.headers["Location"]


def at_provider(authorize: str, sub: str | None = None) -> str:
    """Sign in at the provider as ``sub`` (None: deny); returns where it sends the browser."""
    answer = httpx.post(authorize, data={"sub": sub} if sub else {"action": "deny"})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def sign_in(client: FlaskClient, sub: str | None, next_page: str | None = None):
    """The whole round trip: button, provider, callback."""
    return client.get(local(at_provider(start(client, next_page), sub)))


def shown(client: FlaskClient, response) -> str:
    """The page a refusal lands on (a redirect to the login page, with its message)."""
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    return client.get("/auth/login").get_data(as_text=True)


def entries(sso_app: Flask, action: str) -> list[AuditEvent]:
    with sso_app.app_context():
        return list(
            db.session.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).scalars()
        )


def refusals(sso_app: Flask) -> list[tuple[str, str, int, dict]]:
    return [
        (e.details["reason"], e.target_type, e.target_id, e.details)
        for e in entries(sso_app, "auth.sso_refused")
    ]


def logged_in(client: FlaskClient) -> bool:
    return client.get("/me").status_code == 200


# Discovery, the button, the code flow with PKCE


def test_the_login_page_offers_the_provider_and_the_password_form(sso_app):
    page = sso_app.test_client().get("/auth/login")
    html = page.get_data(as_text=True)
    assert f'href="/auth/sso">{BUTTON}</a>' in html
    assert 'name="password"' in html  # password login stays on unless turned off
    # Logging out is a form whose redirect goes to the provider: the policy lets it.
    policy = page.headers["Content-Security-Policy"]
    assert f"form-action 'self' {sso_app.config['CX_OIDC_ISSUER']}" in policy


def test_without_single_sign_on_there_is_no_button_and_no_route(client):
    assert "Sign in with" not in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/auth/sso").status_code == 404
    assert client.get("/auth/sso/callback?code=x&state=y").status_code == 404


def test_the_button_starts_a_code_flow_with_pkce_state_and_nonce(sso_app, provider):
    authorize = start(sso_app.test_client())
    parts = urlsplit(authorize)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.base}/oauth2/authorize"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # a SHA-256, base64url without padding
    assert len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20


def test_a_verified_address_signs_in_its_person(sso_app, provider, eva):
    sub = provider.user("eva-1", email="eva@example.test", email_verified=True)
    client = sso_app.test_client()
    authorize = start(client)
    back = client.get(local(at_provider(authorize, sub)))
    assert back.status_code == 302
    assert back.headers["Location"] == "/"
    assert logged_in(client)
    # The verifier sent to the token endpoint is the one the challenge was made from.
    challenge = parse_qs(urlsplit(authorize).query)["code_challenge"][0]
    verifier = provider.token_requests[-1]["code_verifier"][0]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
    [entry] = entries(sso_app, "auth.sso_login")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (eva.id, "user", eva.id)
    assert refusals(sso_app) == []


def test_the_address_is_matched_whatever_its_case(sso_app, provider, eva):
    sub = provider.user("eva-2", email=" EVA@Example.TEST", email_verified=True)
    client = sso_app.test_client()
    assert sign_in(client, sub).status_code == 302
    assert logged_in(client)


def test_the_page_asked_for_is_opened_after_signing_in_and_only_on_this_site(
    sso_app, provider, eva
):
    sub = provider.user("eva-3", email="eva@example.test", email_verified=True)
    assert sign_in(sso_app.test_client(), sub, "/surveys/").headers["Location"] == "/surveys/"
    elsewhere = sign_in(sso_app.test_client(), sub, "//evil.example/")
    assert elsewhere.headers["Location"] == "/"


def test_a_logged_in_person_pressing_the_button_goes_home(sso_app, provider, eva):
    client = sso_app.test_client()
    sign_in(client, provider.user("eva-4", email="eva@example.test", email_verified=True))
    again = client.get("/auth/sso")
    assert again.status_code == 302
    assert again.headers["Location"] == "/"


# State and nonce


def test_an_answer_works_once(sso_app, provider, eva):
    sub = provider.user("eva-5", email="eva@example.test", email_verified=True)
    client = sso_app.test_client()
    back = local(at_provider(start(client), sub))
    assert client.get(back).headers["Location"] == "/"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/me").text)})
    replayed = client.get(back)
    assert "This sign-in had expired, was already used" in shown(client, replayed)
    assert not logged_in(client)
    assert [r[0] for r in refusals(sso_app)] == ["bad_state"]


def test_an_answer_with_another_state_is_refused(sso_app, provider, eva):
    sub = provider.user("eva-6", email="eva@example.test", email_verified=True)
    client = sso_app.test_client()
    back = local(at_provider(start(client), sub))
    forged = back.replace("state=", "state=x")
    assert "This sign-in had expired" in shown(client, client.get(forged))
    assert not logged_in(client)
    assert [r[0] for r in refusals(sso_app)] == ["bad_state"]


def test_an_answer_to_a_sign_in_started_in_another_browser_is_refused(sso_app, provider, eva):
    """Login CSRF: the attacker's own answer, pushed into the victim's browser."""
    attacker = provider.user("mallory-1", email="eva@example.test", email_verified=True)
    back = local(at_provider(start(sso_app.test_client()), attacker))
    victim = sso_app.test_client()
    assert "This sign-in had expired" in shown(victim, victim.get(back))
    assert not logged_in(victim)


def test_a_code_swapped_into_this_browsers_sign_in_fails_the_nonce(sso_app, provider, eva):
    """The victim's state with the attacker's code: the ID token carries the attacker's nonce.
    (This test provider does not check PKCE, so the nonce is what refuses it here; a provider
    that does would refuse the code at its token endpoint first.)"""
    attacker = provider.user("mallory-2", email="eva@example.test", email_verified=True)
    stolen = parse_qs(urlsplit(at_provider(start(sso_app.test_client()), attacker)).query)
    victim = sso_app.test_client()
    own_state = parse_qs(urlsplit(start(victim)).query)["state"][0]
    swapped = f"/auth/sso/callback?code={stolen['code'][0]}&state={own_state}"
    assert "could not be verified" in shown(victim, victim.get(swapped))
    assert not logged_in(victim)
    [(reason, target, _id, details)] = refusals(sso_app)
    assert (reason, details["detail"]) == ("bad_token", "nonce")


def test_an_error_answer_counts_only_for_a_sign_in_started_here(sso_app):
    client = sso_app.test_client()
    page = shown(client, client.get("/auth/sso/callback?error=access_denied&state=made-up"))
    assert "This sign-in had expired" in page
    assert [r[0] for r in refusals(sso_app)] == ["bad_state"]


def test_answers_are_rate_limited_so_refusals_cannot_flood_the_trail(make_app):
    limited = make_app(CX_LOGIN_LIMIT_ADDRESS="2 per 15 minutes")
    client = limited.test_client()
    answers = [client.get(f"/auth/sso/callback?code=c&state=s{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert [r[0] for r in refusals(limited)] == ["bad_state", "bad_state"]


def test_a_code_the_provider_does_not_know_is_refused(sso_app, eva):
    client = sso_app.test_client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    answer = client.get(f"/auth/sso/callback?code=not-a-code&state={state}")
    assert "could not sign you in" in shown(client, answer)
    [(reason, _target, _id, details)] = refusals(sso_app)
    assert (reason, details["detail"]) == ("provider_error", "invalid_grant")


# Issuer and audience


def test_a_provider_naming_another_issuer_is_refused_before_anyone_is_sent_there(
    make_app, provider
):
    mismatched = make_app(CX_OIDC_ISSUER=provider.base + "/tenant")
    client = mismatched.test_client()
    answer = client.get("/auth/sso")
    assert "Single sign-on is not set up correctly" in shown(client, answer)
    assert [r[0] for r in refusals(mismatched)] == ["issuer_mismatch"]


def test_an_id_token_from_another_issuer_is_refused(make_app, provider, eva):
    relabelled = make_app(CX_OIDC_ISSUER=provider.base + "/relabelled")
    sub = provider.user("eva-7", email="eva@example.test", email_verified=True)
    client = relabelled.test_client()
    authorize = start(client)
    assert authorize.startswith(provider.base + "/relabelled/oauth2/authorize")
    answer = client.get(local(at_provider(authorize, sub)))
    assert "could not be verified" in shown(client, answer)
    assert not logged_in(client)
    [(reason, _target, _id, details)] = refusals(relabelled)
    assert (reason, details["detail"]) == ("bad_token", "iss")


def test_an_id_token_for_another_application_is_refused(sso_app, provider, eva):
    sub = provider.user("eva-8", email="eva@example.test", email_verified=True)
    client = sso_app.test_client()
    provider.impersonate = "another-application"
    try:
        answer = client.get(local(at_provider(start(client), sub)))
    finally:
        provider.impersonate = None
    assert "could not be verified" in shown(client, answer)
    [(reason, _target, _id, details)] = refusals(sso_app)
    assert (reason, details["detail"]) == ("bad_token", "aud")


def test_an_unreachable_provider_is_a_message_not_an_error_page(make_app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    unreachable = make_app(CX_OIDC_ISSUER=closed)
    client = unreachable.test_client()
    assert "cannot be reached right now" in shown(client, client.get("/auth/sso"))
    assert [r[0] for r in refusals(unreachable)] == ["provider_unavailable"]


# Who the address names: verified, allowed, in the roster, active


def test_an_unverified_address_is_refused(sso_app, provider, eva):
    unverified = provider.user("eva-9", email="eva@example.test", email_verified=False)
    unsaid = provider.user("eva-10", email="eva@example.test")
    for sub in (unverified, unsaid):
        client = sso_app.test_client()
        assert "has not verified your email address" in shown(client, sign_in(client, sub))
        assert not logged_in(client)
    assert refusals(sso_app) == [
        ("unverified_email", "sign_in", 0, {"reason": "unverified_email", "email_domain": e})
        for e in ("example.test", "example.test")
    ]


def test_microsofts_domain_owner_flag_counts_as_verified(sso_app, provider, eva):
    sub = provider.user("eva-11", email="eva@example.test", xms_edov=True)
    client = sso_app.test_client()
    sign_in(client, sub)
    assert logged_in(client)


def test_another_claim_counts_only_when_trusted(make_app, provider, eva):
    # email_verified speaks of the email claim, not of this one.
    sub = provider.user("eva-12", upn="eva@example.test", email_verified=True)
    untrusted = make_app(CX_OIDC_EMAIL_CLAIM="upn")
    client = untrusted.test_client()
    assert "has not verified" in shown(client, sign_in(client, sub))
    trusted = make_app(CX_OIDC_EMAIL_CLAIM="upn", CX_OIDC_TRUST_EMAIL_CLAIM="true")
    client = trusted.test_client()
    sign_in(client, sub)
    assert logged_in(client)


def test_an_address_nobody_uses_creates_nobody(sso_app, provider, eva):
    sub = provider.user("stranger-1", email="stranger@example.test", email_verified=True)
    with sso_app.app_context():
        people = db.session.execute(select(func.count(User.id))).scalar_one()
    client = sso_app.test_client()
    assert "No active account in this company uses this address" in shown(
        client, sign_in(client, sub)
    )
    assert not logged_in(client)
    with sso_app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == people
    [(reason, target, target_id, details)] = refusals(sso_app)
    assert (reason, target, target_id) == ("unknown_email", "sign_in", 0)
    assert details == {"reason": "unknown_email", "email_domain": "example.test"}
    assert "stranger" not in json.dumps(details)  # the domain only, never the address


def test_a_deactivated_person_is_refused_like_an_unknown_address(sso_app, app, provider):
    gone = make_person(app, email="gone@example.test", is_active=False)
    sub = provider.user("gone-1", email="gone@example.test", email_verified=True)
    client = sso_app.test_client()
    assert "No active account in this company uses this address" in shown(
        client, sign_in(client, sub)
    )
    assert refusals(sso_app) == [
        ("inactive_account", "user", gone.id, {"reason": "inactive_account"})
    ]


def test_an_address_outside_the_allowed_domains_is_refused(make_app, app, provider):
    make_person(app, email="contractor@partner.example", name="Carl Contractor")
    limited = make_app(CX_OIDC_ALLOWED_DOMAINS="example.test, @acme.example")
    sub = provider.user("carl-1", email="contractor@partner.example", email_verified=True)
    client = limited.test_client()
    assert "Addresses at this domain cannot sign in here" in shown(client, sign_in(client, sub))
    assert not logged_in(client)
    assert refusals(limited) == [
        (
            "domain_not_allowed",
            "sign_in",
            0,
            {"reason": "domain_not_allowed", "email_domain": "partner.example"},
        )
    ]


def test_an_allowed_domain_signs_in(make_app, provider, eva):
    limited = make_app(CX_OIDC_ALLOWED_DOMAINS="example.test")
    client = limited.test_client()
    sign_in(client, provider.user("eva-13", email="eva@example.test", email_verified=True))
    assert logged_in(client)


def test_an_answer_without_an_address_is_refused(sso_app, provider):
    sub = provider.user("nameless-1", name="No Address")
    client = sso_app.test_client()
    assert "did not give an email address" in shown(client, sign_in(client, sub))
    assert [r[0] for r in refusals(sso_app)] == ["no_email"]


def test_consent_denied_at_the_provider_is_a_message(sso_app):
    client = sso_app.test_client()
    answer = client.get(local(at_provider(start(client), None)))
    assert "Sign-in was cancelled" in shown(client, answer)
    assert refusals(sso_app) == [
        ("denied", "sign_in", 0, {"reason": "denied", "detail": "access_denied"})
    ]


def test_refusals_read_in_the_audit_log(sso_app, provider, hr_admin):
    client = sso_app.test_client()
    client.get(local(at_provider(start(client), None)))
    hr = Browser(sso_app.test_client())
    hr.login(hr_admin.email)
    page = hr.client.get("/hr/audit/").get_data(as_text=True)
    assert "Single sign-on refused" in page
    assert "cancelled or refused at the provider" in page


# Logout


def test_logout_ends_the_session_here_and_at_the_provider(sso_app, provider, eva):
    sub = provider.user("eva-14", email="eva@example.test", email_verified=True)
    client = sso_app.test_client()
    sign_in(client, sub)
    id_token = provider_id_token(client)
    token = csrf_token(client.get("/me").get_data(as_text=True))
    out = client.post("/auth/logout", data={"csrf_token": token})
    assert out.status_code == 302
    leave = urlsplit(out.headers["Location"])
    assert f"{leave.scheme}://{leave.netloc}{leave.path}" == f"{provider.base}/oauth2/end_session"
    query = {key: values[0] for key, values in parse_qs(leave.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == f"{BASE_URL}/auth/login"
    assert query["client_id"] == CLIENT_ID
    assert not logged_in(client)
    # The provider ends its session, then sends the person back to the login page.
    confirmed = httpx.post(
        f"{provider.base}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"]},
    )
    assert confirmed.headers["Location"] == f"{BASE_URL}/auth/login"
    assert "You have logged out." in client.get("/auth/login").get_data(as_text=True)


def provider_id_token(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        return session["oidc_id_token"]


def test_logout_after_a_password_login_stays_here(sso_app, eva):
    browser = Browser(sso_app.test_client())
    browser.login(eva.email)
    assert browser.logout().headers["Location"] == "/auth/login"


# Password login off: break-glass HR admins only


@pytest.fixture
def sso_only(make_app, app) -> Flask:
    make_person(app, email="glass@example.test", department="People", is_hr_admin=True)
    make_person(app, email="listed@example.test", department="People")  # no longer HR admin
    make_person(app, email="hr@example.test", department="People", is_hr_admin=True)
    return make_app(
        CX_PASSWORD_LOGIN="off", CX_BREAK_GLASS_EMAILS="Glass@example.test, listed@example.test"
    )


SSO_ONLY_REFUSAL = "Wrong email or password, or this account signs in with single sign-on only."


def test_without_password_login_the_page_shows_only_the_button(sso_only):
    html = sso_only.test_client().get("/auth/login").get_data(as_text=True)
    assert BUTTON in html
    assert 'name="password"' not in html
    assert "Forgot your password?" not in html
    hidden = sso_only.test_client().get("/auth/login?password=1").get_data(as_text=True)
    assert 'name="password"' in hidden


@pytest.mark.parametrize(
    "email", ["eva@example.test", "hr@example.test", "listed@example.test", "nobody@example.test"]
)
def test_without_password_login_only_break_glass_hr_admins_may_use_one(sso_only, eva, email):
    browser = Browser(sso_only.test_client())
    answer = browser.login(email)
    assert answer.status_code == 200
    assert SSO_ONLY_REFUSAL in answer.get_data(as_text=True)
    assert not logged_in(browser.client)
    assert entries(sso_only, "auth.break_glass_login") == []


def test_a_break_glass_login_is_noted_in_the_trail(sso_only):
    browser = Browser(sso_only.test_client())
    wrong = browser.login("glass@example.test", "not the password")
    assert SSO_ONLY_REFUSAL in wrong.get_data(as_text=True)  # the same answer as the others
    answer = browser.login("glass@example.test")
    assert answer.status_code == 302
    assert logged_in(browser.client)
    [entry] = entries(sso_only, "auth.break_glass_login")
    with sso_only.app_context():
        glass = db.session.execute(
            select(User).where(User.email == "glass@example.test")
        ).scalar_one()
    assert (entry.actor_id, entry.target_id) == (glass.id, glass.id)


def test_without_password_login_reset_links_go_to_break_glass_accounts_only(sso_only, eva):
    for email in ("eva@example.test", "hr@example.test", "glass@example.test"):
        answer = Browser(sso_only.test_client()).post_form("/auth/forgot", {"email": email})
        assert answer.status_code == 302  # the same answer for everyone
    with sso_only.app_context():
        sent = db.session.execute(
            select(OutboxMessage.to_email).where(OutboxMessage.kind == "password_reset")
        ).scalars()
        assert list(sent) == ["glass@example.test"]


def test_without_password_login_set_password_links_work_for_break_glass_accounts_only(
    sso_only, eva
):
    with sso_only.app_context():
        links = {
            email: set_password_token(
                db.session.execute(select(User).where(User.email == email)).scalar_one()
            )
            for email in ("eva@example.test", "glass@example.test")
        }
    client = sso_only.test_client()
    refused = client.get(f"/auth/set-password/{links['eva@example.test']}")
    assert refused.status_code == 403
    assert "Passwords are not used here" in refused.get_data(as_text=True)
    assert client.get(f"/auth/set-password/{links['glass@example.test']}").status_code == 200


def test_without_password_login_newcomers_get_no_set_password_email(sso_only):
    with sso_only.app_context():
        newcomer = factories.make_user(email="new@example.test", password=None)
        glass = db.session.execute(
            select(User).where(User.email == "glass@example.test")
        ).scalar_one()
        queued = queue_set_password_emails([newcomer, glass])
        db.session.commit()
        assert queued == 1  # the break-glass admin only
        sent = db.session.execute(
            select(OutboxMessage.to_email).where(OutboxMessage.kind == "set_password")
        ).scalars()
        assert list(sent) == ["glass@example.test"]


def test_without_password_login_nobody_else_is_offered_a_password_change(sso_only, provider, eva):
    browser = Browser(sso_only.test_client())
    browser.login("glass@example.test")
    assert browser.client.get("/auth/password").status_code == 200
    assert "/auth/password" in browser.client.get("/me").get_data(as_text=True)
    client = sso_only.test_client()
    sub = provider.user("eva-pw", email="eva@example.test", email_verified=True)
    assert sign_in(client, sub).status_code == 302
    assert logged_in(client)
    assert client.get("/auth/password").status_code == 404
    assert "/auth/password" not in client.get("/me").get_data(as_text=True)
