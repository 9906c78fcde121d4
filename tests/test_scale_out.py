"""Running more than one web process: the health check, and two gunicorn processes on one
PostgreSQL and one Redis sharing sessions and never storing a response twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Invitation, Response
from tests.conftest import build_app, csrf_token
from tests.factories import PASSWORD, full_answers, make_survey, make_user

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("CXCULTURE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
START_TIMEOUT = 90  # seconds for a process to answer its health check, on a busy machine too


def test_the_health_check_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_the_health_check_fails_without_a_database(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}", tmp_path / "instance")
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


@pytest.mark.usefixtures("_schema")
def test_the_health_check_names_an_unreachable_redis(database_url, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_app(database_url, tmp_path / "instance", REDIS_URL=f"redis://127.0.0.1:{port}/0")
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unavailable",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(port: int, database_url: str, secret: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CXCULTURE_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "REDIS_URL": REDIS_URL,
        "SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_healthy(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy in {START_TIMEOUT} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    process.stderr.close()


@pytest.fixture
def two_processes(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes share PostgreSQL (set CXCULTURE_TEST_DATABASE_URL)")
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    secret = os.urandom(32).hex()
    ports = [_free_port(), _free_port()]
    processes = [_start(port, database_url, secret) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=True):
            _wait_healthy(base, process)
        yield bases
    finally:
        for process in processes:
            _stop(process)


def _login(client: httpx.Client, base: str, email: str) -> None:
    page = client.get(f"{base}/auth/login").text
    response = client.post(
        f"{base}/auth/login",
        data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text[:500]


def _submit(client: httpx.Client, base: str, survey_id: int, form: dict) -> int:
    page = client.get(f"{base}/surveys/{survey_id}").text
    response = client.post(
        f"{base}/surveys/{survey_id}", data={**form, "csrf_token": csrf_token(page)}
    )
    return response.status_code


def test_two_processes_share_sessions_and_store_each_response_once(app, two_processes):
    first, second = two_processes
    with app.app_context():
        people = [make_user(department="Operations/Contact Center") for _ in range(6)]
        emails = [person.email for person in people]
        survey = make_survey(departments=("Operations",))
        survey_id = survey.id
        answers = full_answers(survey, 4)
    form = {f"item_{item_id}": str(value) for item_id, value in answers.values.items()}
    form.update(role_statement=answers.role_statement, submit="1")

    # Log in on one process, carry on with the same session on the other.
    with httpx.Client(timeout=10) as client:
        _login(client, first, emails[0])
        page = client.get(f"{second}/me")
        assert page.status_code == 200
        assert emails[0] in page.text
        assert _submit(client, second, survey_id, form) == 302

    # Everyone else sends the same answers twice at once, once through each process.
    def twice(email: str) -> list[int]:
        with httpx.Client(timeout=10) as client:
            _login(client, first, email)
            pages = [client.get(f"{base}/surveys/{survey_id}").text for base in (first, second)]
            with ThreadPoolExecutor(2) as pool:
                posts = [
                    pool.submit(
                        client.post,
                        f"{base}/surveys/{survey_id}",
                        data={**form, "csrf_token": csrf_token(html)},
                    )
                    for base, html in zip((first, second), pages, strict=True)
                ]
                return [post.result().status_code for post in posts]

    with ThreadPoolExecutor(5) as pool:
        outcomes = list(pool.map(twice, emails[1:]))
    assert all(302 in codes for codes in outcomes)

    with app.app_context():
        stored = db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == survey_id)
        ).scalar_one()
        submitted = db.session.execute(
            select(func.count(Invitation.id)).where(
                Invitation.survey_id == survey_id, Invitation.submitted_at.is_not(None)
            )
        ).scalar_one()
    assert stored == submitted == len(emails)
