"""Survey benchmarks, each next to its ceiling measured in the same run on the same data.

- launch: launching a survey to every employee (invitations and queued emails) versus a raw
  ``executemany`` of the same invitation rows;
- submit: one response posted through the whole Flask stack (session, CSRF, form, service,
  redirect) with many responses already stored, versus the same writes in raw SQL: the median
  server time, from the WSGI environ the test client hands the application to the last byte of
  its answer (the client's own work of encoding the form and reading the answer is not the
  server's), and beside it the median CPU time of this process, which a busy machine or a slow
  disk disturbs less.

Usage: python -m bench.bench_surveys [--employees 20000] [--departments 200] [--submissions 200]
A fresh SQLite database is built in a temporary folder unless --database-url is given (then
that database is emptied first). Results are printed and merged into bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from werkzeug.security import generate_password_hash

from config import TestingConfig
from cxculture import create_app
from cxculture.extensions import db
from cxculture.models import (
    Answer,
    Department,
    Invitation,
    PrivacyMode,
    Response,
    Survey,
    User,
    utcnow,
)
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.scores import ItemKey, dimension_scores
from cxculture.services import surveys
from cxculture.services.surveys import questionnaires

RESULTS = Path(__file__).with_name("results.json")
PASSWORD = "bench-password-not-secret"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def build_company(employees: int, departments: int) -> None:
    """Departments and people in bulk; one cheap shared hash (benchmarks are not about login)."""
    paths = [f"Division {d // 10:02d}/Team {d:03d}" for d in range(departments)]
    for parent in sorted({path.split("/")[0] for path in paths}):
        db.session.add(Department(name=parent, path=parent))
    db.session.flush()
    parents = dict(db.session.execute(select(Department.path, Department.id)).all())
    db.session.execute(
        insert(Department),
        [
            {"name": path.split("/")[1], "path": path, "parent_id": parents[path.split("/")[0]]}
            for path in paths
        ],
    )
    ids = list(
        db.session.execute(select(Department.id).where(Department.parent_id.is_not(None))).scalars()
    )
    cheap_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    db.session.execute(
        insert(User),
        [
            {
                "email": f"person{n}@bench.test",
                "name": f"Person {n}",
                "employee_number": f"B{n:06d}",
                "department_id": ids[n % len(ids)],
                "locale": ("en", "pt_BR", "es")[n % 3],
                "password_hash": cheap_hash,
                "is_hr_admin": n == 0,
            }
            for n in range(employees)
        ],
    )
    db.session.commit()


def new_survey(name: str, actor: User) -> Survey:
    now = utcnow()
    instrument, _ = questionnaires.load_instrument()
    spec = surveys.SurveySpec(
        name,
        instrument.id,
        PrivacyMode.CONFIDENTIAL,
        now - timedelta(hours=1),
        now + timedelta(days=7),
    )
    return surveys.create_survey(spec, actor, now)


def bench_launch(actor: User) -> dict:
    survey = new_survey("Launch benchmark", actor)
    started = time.perf_counter()
    invited = surveys.launch_survey(survey, actor, utcnow())
    launch_s = time.perf_counter() - started

    # Ceiling: the same invitation rows with a raw executemany (to a twin survey), rolled back.
    twin = new_survey("Launch ceiling", actor)
    user_rows = db.session.execute(
        select(User.id, User.department_id, Department.path)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.is_active.is_(True))
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    connection = db.session.connection()
    started = time.perf_counter()
    connection.exec_driver_sql(
        "INSERT INTO invitations (survey_id, user_id, department_id, department_path,"
        " invited_at, reminders_sent) VALUES (?, ?, ?, ?, ?, 0)"
        if db.engine.dialect.name == "sqlite"
        else "INSERT INTO invitations (survey_id, user_id, department_id, department_path,"
        " invited_at, reminders_sent) VALUES (%s, %s, %s, %s, %s, 0)",
        [(twin.id, uid, did, path, now) for uid, did, path in user_rows],
    )
    raw_s = time.perf_counter() - started
    db.session.rollback()
    return {"invited": invited, "launch_s": launch_s, "raw_executemany_s": raw_s}


def store_responses(survey: Survey, count: int) -> None:
    """``count`` scored responses with every answer, stored in bulk, to load the tables."""
    items = survey.instrument.items
    keys = {item.id: ItemKey(item.dimension, item.is_reverse_keyed) for item in items}
    invitations = db.session.execute(
        select(Invitation.id, User.department_id, Department.path)
        .join(User, User.id == Invitation.user_id)
        .join(Department, Department.id == User.department_id)
        .where(Invitation.survey_id == survey.id)
        .order_by(Invitation.id)
        .limit(count)
    ).all()
    today = utcnow().date()
    categories = ("customer_direct", "customer_indirect", "internal_only", "no_line_of_sight")
    response_rows, answer_rows = [], []
    for n, (invitation_id, department_id, path) in enumerate(invitations):
        response_id = uuid.uuid4()
        # Departments differ: a per-department lean plus per-person spread.
        lean = department_id % 3
        values = {item.id: 1 + (n + i + lean) % 5 for i, item in enumerate(items)}
        scores = dimension_scores(values, keys)
        response_rows.append(
            {
                "id": response_id,
                "survey_id": survey.id,
                "invitation_id": invitation_id,
                "department_id": department_id,
                "department_path": path,
                "locale": "en",
                "role_statement": "I help our customers.",
                "submitted_on": today,
                "role_category": categories[(n + lean) % 4],
                "role_lang": "en",
                "orientation_index": sum(scores.values()) / len(scores),
            }
        )
        answer_rows.extend(
            {"response_id": response_id, "item_id": item_id, "value": value}
            for item_id, value in values.items()
        )
        response_rows[-1].update(
            {f"score_{dimension}": score for dimension, score in scores.items()}
        )
    db.session.execute(insert(Response), response_rows)
    db.session.execute(insert(Answer), answer_rows)
    claimed = [row[0] for row in invitations]
    for start in range(0, len(claimed), 10_000):  # PostgreSQL takes 65,535 parameters at most
        db.session.execute(
            update(Invitation)
            .where(Invitation.id.in_(claimed[start : start + 10_000]))
            .values(submitted_at=utcnow())
        )
    db.session.commit()


def _token(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) or match.group(2)


class ServerTime:
    """WSGI middleware: the wall and CPU time of each request, its whole answer included."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.last: tuple[float, float] = (0.0, 0.0)

    def __call__(self, environ, start_response):
        started, started_cpu = time.perf_counter(), time.process_time()
        body = list(self.wsgi_app(environ, start_response))
        self.last = (time.perf_counter() - started, time.process_time() - started_cpu)
        return body


def bench_submit(app, survey_id: int, samples: int) -> dict:
    """Server time of the answer POST, measured in-process through the full stack."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item.id for item in survey.instrument.items]
        waiting = (
            db.session.execute(
                select(User.email)
                .join(Invitation, Invitation.user_id == User.id)
                .where(Invitation.survey_id == survey_id, Invitation.submitted_at.is_(None))
                .limit(samples)
            )
            .scalars()
            .all()
        )
    form = {f"item_{item}": "4" for item in items}
    form.update(role_statement="I keep the stock right so customers get their orders.", submit="1")
    timings, cpu, through_client = [], [], []
    server = ServerTime(app.wsgi_app)
    app.wsgi_app = server
    for email in waiting:
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        client.post(
            "/auth/login", data={"csrf_token": _token(page), "email": email, "password": PASSWORD}
        )
        page = client.get(f"/surveys/{survey_id}").get_data(as_text=True)
        started = time.perf_counter()
        response = client.post(f"/surveys/{survey_id}", data={**form, "csrf_token": _token(page)})
        through_client.append(time.perf_counter() - started)
        timings.append(server.last[0])
        cpu.append(server.last[1])
        if response.status_code != 302:
            raise SystemExit(f"submission failed with {response.status_code}")
    app.wsgi_app = server.wsgi_app
    return {
        "samples": len(timings),
        "through_test_client_median_ms": statistics.median(through_client) * 1000,
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": statistics.quantiles(timings, n=20)[18] * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
    }


def bench_raw_submit(app, survey_id: int, samples: int) -> dict:
    """Ceiling: the same writes (invitation claim, response, answers, scores) in raw SQL."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item.id for item in survey.instrument.items]
        invitation_ids = (
            db.session.execute(
                select(Invitation.id)
                .where(Invitation.survey_id == survey_id, Invitation.submitted_at.is_(None))
                .limit(samples)
            )
            .scalars()
            .all()
        )
        timings, cpu = [], []
        for invitation_id in invitation_ids:
            started, started_cpu = time.perf_counter(), time.process_time()
            with db.engine.begin() as connection:
                claimed = connection.execute(
                    text(
                        "UPDATE invitations SET submitted_at = :now WHERE id = :id "
                        "AND submitted_at IS NULL"
                    ),
                    {"now": datetime.now(UTC).replace(tzinfo=None), "id": invitation_id},
                ).rowcount
                response_id = uuid.uuid4()
                connection.execute(
                    insert(Response),
                    {
                        "id": response_id,
                        "survey_id": survey_id,
                        "invitation_id": invitation_id,
                        "locale": "en",
                        "role_statement": "raw",
                        "submitted_on": utcnow().date(),
                        "role_category": "customer_direct",
                        "role_lang": "en",
                        "orientation_index": 75.0,
                        **{f"score_{d}": 75.0 for d in DIMENSIONS},
                    },
                )
                connection.execute(
                    insert(Answer),
                    [{"response_id": response_id, "item_id": item, "value": 4} for item in items],
                )
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert claimed == 1
    return {
        "samples": len(timings),
        "median_ms": statistics.median(timings) * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", help="queue the emails on Redis instead of sending inline")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    environ = {"CXCULTURE_TEST_DATABASE_URL": url}
    if args.redis_url:
        environ["REDIS_URL"] = args.redis_url
    app = create_app(TestingConfig(workdir, environ=environ))
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_company(args.employees, args.departments)
        actor = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
        launch = bench_launch(actor)

        loaded = new_survey("Submission benchmark", actor)
        surveys.launch_survey(loaded, actor, utcnow())
        store_responses(loaded, args.employees - 2 * args.submissions)
        stored = db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == loaded.id)
        ).scalar_one()
        survey_id = loaded.id
    submit = bench_submit(app, survey_id, args.submissions)
    raw = bench_raw_submit(app, survey_id, args.submissions)

    results = {
        "machine": f"{platform.machine()}, {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores",
        "database": url.split(":", 1)[0],
        "emails": "queued on Redis" if args.redis_url else "delivered inline (no mail server)",
        "employees": args.employees,
        "launch": launch,
        "submit": {
            **submit,
            "responses_already_stored": stored,
            "raw_sql_median_ms": raw["median_ms"],
            "raw_sql_cpu_median_ms": raw["cpu_median_ms"],
        },
    }
    print(
        f"database: {results['database']}, {args.employees} employees, "
        f"{args.departments} departments, emails {results['emails']} ({results['machine']})"
    )
    print(f"{'measure':<44}{'cxculture':>12}{'ceiling':>12}{'ratio':>8}")
    print(
        f"{'launch to everyone (s)':<44}{launch['launch_s']:>12.3f}"
        f"{launch['raw_executemany_s']:>12.3f}"
        f"{launch['launch_s'] / launch['raw_executemany_s']:>8.1f}"
    )
    print(
        f"{'submit response, median server time (ms)':<44}{submit['median_ms']:>12.2f}"
        f"{raw['median_ms']:>12.2f}{submit['median_ms'] / raw['median_ms']:>8.1f}"
    )
    print(f"{'submit response, p95 server time (ms)':<44}{submit['p95_ms']:>12.2f}")
    # The CPU time spent in this process: what the code costs, less what waiting on the disk
    # and on other programs sharing the machine adds to the server time.
    print(
        f"{'submit response, median CPU time (ms)':<44}{submit['cpu_median_ms']:>12.2f}"
        f"{raw['cpu_median_ms']:>12.2f}{submit['cpu_median_ms'] / raw['cpu_median_ms']:>8.1f}"
    )
    print(f"responses already stored during submissions: {stored}")
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["surveys"] = results
    RESULTS.write_text(json.dumps(existing, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
