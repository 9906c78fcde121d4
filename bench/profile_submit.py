"""Where a survey submission spends its time: cProfile over the answer POST, the top entries.

- inprocess: the POST through the test client (session, CSRF, form, service, redirect), as
  bench_surveys times it; only the POSTs are profiled.
- http: the production configuration behind a real HTTP server on loopback (one thread), as
  bench_http drives it; the profiler wraps the WSGI application, so it sees the whole request
  from the parsed environ to the last byte of the answer.

Usage: python -m bench.profile_submit [--mode inprocess|http] [--employees 2000]
       [--departments 20] [--submissions 50] [--top 25] [--sort tottime|cumulative]
A fresh SQLite database in a temporary folder; nothing is written to bench/results.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import tempfile
import threading
from pathlib import Path

import httpx
from sqlalchemy import select
from werkzeug.serving import make_server

from bench.bench_http import STATEMENT, _free_port
from bench.bench_surveys import PASSWORD, _token, build_company, new_survey, store_responses
from config import ProductionConfig, TestingConfig
from cxculture import create_app
from cxculture.extensions import db
from cxculture.models import Invitation, Survey, User, utcnow
from cxculture.services import surveys


def prepare(app, employees: int, departments: int, submissions: int) -> tuple[int, list, list]:
    """A launched survey, mostly answered; (survey id, item ids, emails of people to submit)."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_company(employees, departments)
        actor = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
        survey = new_survey("Profile", actor)
        surveys.launch_survey(survey, actor, utcnow())
        store_responses(survey, max(0, employees - 2 * submissions))
        items = [item.id for item in db.session.get_one(Survey, survey.id).instrument.items]
        emails = (
            db.session.execute(
                select(User.email)
                .join(Invitation, Invitation.user_id == User.id)
                .where(Invitation.survey_id == survey.id, Invitation.submitted_at.is_(None))
                .order_by(Invitation.id)
                .limit(submissions)
            )
            .scalars()
            .all()
        )
        return survey.id, items, list(emails)


def _form(items: list[int], number: int) -> dict[str, str]:
    form = {f"item_{item}": str(1 + (number + index) % 5) for index, item in enumerate(items)}
    form.update(role_statement=STATEMENT, submit="1")
    return form


def profile_inprocess(app, survey_id: int, items: list[int], emails: list[str]) -> cProfile.Profile:
    profiler = cProfile.Profile()
    for number, email in enumerate(emails):
        client = app.test_client()
        is_warm_up = number == 0  # loading what every process loads once (lexicons) is not it
        page = client.get("/auth/login").get_data(as_text=True)
        client.post(
            "/auth/login", data={"csrf_token": _token(page), "email": email, "password": PASSWORD}
        )
        page = client.get(f"/surveys/{survey_id}").get_data(as_text=True)
        data = {**_form(items, number), "csrf_token": _token(page)}
        if not is_warm_up:
            profiler.enable()
        response = client.post(f"/surveys/{survey_id}", data=data)
        profiler.disable()
        if response.status_code != 302:
            raise SystemExit(f"a submission answered {response.status_code}")
    return profiler


class _Profiled:
    """WSGI middleware: profile only the answer POSTs, body included."""

    def __init__(self, wsgi_app, profiler: cProfile.Profile):
        self.wsgi_app = wsgi_app
        self.profiler = profiler
        self.seen = 0

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "POST" or not environ["PATH_INFO"].startswith("/surveys/"):
            return self.wsgi_app(environ, start_response)
        self.seen += 1
        if self.seen == 1:  # the warm-up: what every process loads once (lexicons)
            return list(self.wsgi_app(environ, start_response))
        self.profiler.enable()
        try:
            body = list(self.wsgi_app(environ, start_response))
        finally:
            self.profiler.disable()
        return body


def profile_http(workdir: Path, url: str, survey_id: int, items: list[int], emails: list[str]):
    environ = {"DATABASE_URL": url, "SECRET_KEY": os.urandom(32).hex()}
    environ["SESSION_COOKIE_SECURE"] = "false"
    app = create_app(ProductionConfig(workdir / "production", environ=environ))
    profiler = cProfile.Profile()
    app.wsgi_app = _Profiled(app.wsgi_app, profiler)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for number, email in enumerate(emails):
            with httpx.Client(base_url=base, timeout=30) as client:
                page = client.get("/auth/login").text
                client.post(
                    "/auth/login",
                    data={"csrf_token": _token(page), "email": email, "password": PASSWORD},
                )
                page = client.get(f"/surveys/{survey_id}").text
                data = {**_form(items, number), "csrf_token": _token(page)}
                response = client.post(f"/surveys/{survey_id}", data=data)
                if response.status_code != 302:
                    raise SystemExit(f"a submission answered {response.status_code}")
    finally:
        server.shutdown()
        thread.join()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("inprocess", "http"), default="inprocess")
    parser.add_argument("--employees", type=int, default=2_000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", choices=("tottime", "cumulative"), default="tottime")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxculture-profile-"))
    url = f"sqlite:///{workdir / 'profile.db'}"
    app = create_app(TestingConfig(workdir, environ={"CXCULTURE_TEST_DATABASE_URL": url}))
    survey_id, items, emails = prepare(app, args.employees, args.departments, args.submissions)
    if args.mode == "inprocess":
        profiler = profile_inprocess(app, survey_id, items, emails)
    else:
        with app.app_context():
            db.engine.dispose()
        profiler = profile_http(workdir, url, survey_id, items, emails)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(f"{len(emails) - 1} submissions after one warm-up ({args.mode}), by {args.sort}")
    print(out.getvalue())


if __name__ == "__main__":
    main()
