"""Survey submissions through the real HTTP stack: the app under gunicorn on loopback, and
concurrent clients that log in, open the survey and post real answer forms (with CSRF).

Paired with its ceiling in the same run: a bare Flask endpoint under the same gunicorn that
writes the same rows with plain SQL (bench/bare_app.py), hit by the same clients.

Usage: python -m bench.bench_http [--employees 20000] [--departments 200]
       [--submissions 2000] [--clients 32] [--workers 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.bench_surveys import PASSWORD, RESULTS, build_company, new_survey, store_responses
from config import TestingConfig
from cxculture import create_app
from cxculture.extensions import db
from cxculture.models import Invitation, Survey, User, utcnow
from cxculture.services import surveys

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
STATEMENT = "I keep the stock right so our customers get their orders on time."
START_TIMEOUT = 60


def _token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise SystemExit("no CSRF token in the page")
    return match.group(1) or match.group(2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(wsgi_app: str, workers: int, environ: dict[str, str]):
    """A gunicorn serving ``wsgi_app`` on a free loopback port; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        **environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), wsgi_app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn for {wsgi_app} stopped at start")
            try:
                httpx.get(f"{base}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn for {wsgi_app} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def prepare(app, employees: int, departments: int, submissions: int) -> tuple[int, list, list]:
    """A company with a launched survey, mostly answered; (survey id, people for the app,
    invitation ids for the bare endpoint)."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_company(employees, departments)
        actor = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
        survey = new_survey("HTTP benchmark", actor)
        surveys.launch_survey(survey, actor, utcnow())
        store_responses(survey, max(0, employees - 2 * submissions))
        waiting = db.session.execute(
            select(Invitation.id, User.email)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.survey_id == survey.id, Invitation.submitted_at.is_(None))
            .order_by(Invitation.id)
            .limit(2 * submissions)
        ).all()
        items = [item.id for item in db.session.get(Survey, survey.id).instrument.items]
        app.config["BENCH_ITEMS"] = items
        return (
            survey.id,
            [email for _id, email in waiting[:submissions]],
            [invitation_id for invitation_id, _email in waiting[submissions:]],
        )


def _form(items: list[int], number: int) -> dict[str, str]:
    form = {f"item_{item}": str(1 + (number + index) % 5) for index, item in enumerate(items)}
    form.update(role_statement=STATEMENT, submit="1")
    return form


async def _run(clients: int, jobs: list, send) -> tuple[list[float], float]:
    """Run ``send(client, job)`` for every job with ``clients`` concurrent connections;
    (latencies of the timed part, wall time of the whole run)."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while not queue.empty():
                latencies.append(await send(client, queue.get_nowait()))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def _figures(latencies: list[float], wall: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "throughput_per_s": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def bench_app(base: str, survey_id: int, emails: list[str], items: list[int], clients: int):
    """Log everyone in and open the survey (not timed), then post every form (timed)."""
    prepared: list[tuple[dict, str, int]] = []

    async def login(client: httpx.AsyncClient, job: tuple[int, str]) -> float:
        number, email = job
        client.cookies.clear()
        page = (await client.get(f"{base}/auth/login")).text
        await client.post(
            f"{base}/auth/login",
            data={"csrf_token": _token(page), "email": email, "password": PASSWORD},
        )
        survey_page = (await client.get(f"{base}/surveys/{survey_id}")).text
        prepared.append((dict(client.cookies), _token(survey_page), number))
        return 0.0

    asyncio.run(_run(clients, list(enumerate(emails)), login))

    async def submit(client: httpx.AsyncClient, job: tuple[dict, str, int]) -> float:
        cookies, token, number = job
        client.cookies.clear()
        client.cookies.update(cookies)
        started = time.perf_counter()
        response = await client.post(
            f"{base}/surveys/{survey_id}", data={**_form(items, number), "csrf_token": token}
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 302:
            raise SystemExit(f"a submission answered {response.status_code}")
        return elapsed

    return _figures(*asyncio.run(_run(clients, prepared, submit)))


def bench_bare(base: str, survey_id: int, invitation_ids: list[int], items: list[int], clients):
    async def submit(client: httpx.AsyncClient, invitation_id: int) -> float:
        started = time.perf_counter()
        response = await client.post(
            f"{base}/submit/{invitation_id}",
            data={**_form(items, invitation_id), "survey_id": str(survey_id)},
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 204:
            raise SystemExit(f"a bare submission answered {response.status_code}")
        return elapsed

    return _figures(*asyncio.run(_run(clients, invitation_ids, submit)))


def run(
    employees: int,
    departments: int,
    submissions: int,
    clients: int,
    workers: int,
    database_url: str | None,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(TestingConfig(workdir, environ={"CXCULTURE_TEST_DATABASE_URL": url}))
    survey_id, emails, invitation_ids = prepare(app, employees, departments, submissions)
    items = app.config["BENCH_ITEMS"]
    with app.app_context():
        db.engine.dispose()
    environ = {
        "CXCULTURE_CONFIG": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": os.urandom(32).hex(),
        "SESSION_COOKIE_SECURE": "false",
        "BENCH_DATABASE_URL": url,
    }
    with gunicorn("cxculture.wsgi:app", workers, environ) as base:
        ours = bench_app(base, survey_id, emails, items, clients)
    with gunicorn("bench.bare_app:app", workers, environ) as base:
        bare = bench_bare(base, survey_id, invitation_ids, items, clients)
    return {
        "database": url.split(":", 1)[0],
        "employees": employees,
        "clients": clients,
        "gunicorn_workers": workers,
        "submissions": ours,
        "bare_endpoint": bare,
        "throughput_ratio": ours["throughput_per_s"] / bare["throughput_per_s"],
    }


def report(summary: dict) -> None:
    ours, bare = summary["submissions"], summary["bare_endpoint"]
    print(
        f"database: {summary['database']}, {summary['employees']} employees, gunicorn with"
        f" {summary['gunicorn_workers']} workers, {summary['clients']} concurrent clients"
    )
    print(f"{'':<34}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for label, figures in (
        ("survey submissions (the app)", ours),
        ("bare endpoint (ceiling)", bare),
    ):
        print(
            f"{label:<34}{figures['throughput_per_s']:>9.0f}{figures['p50_ms']:>9.1f}"
            f"{figures['p95_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
        )
    print(f"throughput: {summary['throughput_ratio']:.0%} of the ceiling")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    summary = run(
        args.employees,
        args.departments,
        args.submissions,
        args.clients,
        args.workers,
        args.database_url,
    )
    report(summary)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["http"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
