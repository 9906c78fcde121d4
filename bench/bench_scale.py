"""How each cost grows with the company: 2,000, 20,000 and 100,000 people, each beside its ceiling.

For every size, in a fresh database (PostgreSQL in earnest: --database-url, a database named
*bench*, created when missing):

- roster import: the HR export of everyone (the app's importer: read, check, plan, write, one
  set-password email each) vs a raw ``COPY`` / ``executemany`` of the same people rows into an
  index-free copy of the table (the database's floor);
- launch: a survey launched to everyone (invitations and queued emails) vs a raw ``COPY`` /
  ``executemany`` of the same invitation rows into the same table;
- responses: everyone answers. All but a few hundred are stored through the benchmarks' bulk
  path (each response scored by the app's scoring, then one multi-row INSERT per table: the
  app's own submission commits once per response, minutes at this size), vs a raw ``COPY`` /
  ``executemany`` of the same rows; a sample goes through the app's submission service, one
  transaction each, beside the same writes in raw SQL (``bench_surveys``);
- release at closing: measuring the closed survey, the release guard over the whole tree and
  storing the snapshot, vs the bare ``GROUP BY`` of the raw answers by department and item;
- company heatmap: the teams' dimension results as released, with their guarded counts (what
  HR's overview and its heatmap read for the level of the teams) vs the bare ``GROUP BY`` of
  the stored scores by department; every group of the release read whole is recorded beside;
- release guard alone (``cxculture.scoring.releases.next_snapshot``, which runs the tree guard
  and ``number_leak``) over the whole tree, at the first release and at a second one over it;
- a head's results page: the head of a division of 100 teams, through the whole Flask stack,
  warm p95 beside the same data worked out without HTTP or template.

The tree: teams of about 100 people (one in twenty is a team of three, under the minimum), one
division holding 100 teams (half the teams at the smallest size) for the head, the rest in
divisions of ten. Figures go to bench/results.json under "scale"; the log-log slope of each
cost between the sizes is fitted, and a slope above 1.15 is flagged as growing faster than
linearly; with two sizes or more a log-log plot is written (bench/scale.png).

Usage: python -m bench.bench_scale --database-url postgresql://.../cxculture_bench_scale
       [--sizes 2000:20,20000:200,100000:1000] [--plot bench/scale.png]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter
from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bench.bench_dashboards import bench_page, percentiles, timed_calls
from bench.bench_roster import roster_file
from bench.bench_roster import timed as timed_once
from bench.bench_surveys import (
    PASSWORD,
    RESULTS,
    bench_launch,
    bench_raw_submit,
    new_survey,
    store_responses,
)
from config import TestingConfig
from cxculture import create_app, disclosure
from cxculture.disclosure.measures import minimums, response_counts
from cxculture.extensions import db
from cxculture.models import (
    Answer,
    Department,
    Invitation,
    ReleasedGroup,
    Response,
    ResultSnapshot,
    Survey,
    User,
    utcnow,
)
from cxculture.scoring import releases
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services.org import roster
from cxculture.services.org.roster import reading
from cxculture.services.results import dashboards
from cxculture.services.surveys import responses

DEFAULT_SIZES = ((2_000, 20), (20_000, 200), (100_000, 1_000))
QUICK_SIZES = ((500, 10),)  # the CI smoke test: the code runs, the figures mean little
HEAD_TEAMS = 100  # teams in the head's division
TEAM_LEVEL = 2  # divisions, then their teams
TINY_EVERY = 20  # one team in twenty has three people, under the minimum of five
TINY_PEOPLE = 3
FASTER_THAN_LINEAR = 1.15  # a fitted log-log slope above this is flagged
PLOT = Path(__file__).with_name("scale.png")

# (key, label, the ceiling's key, unit of the figure): the order of the table and the plot.
MEASURES = (
    ("roster_s", "roster import (s)", "roster_raw_s", "s"),
    ("launch_s", "launch to everyone (s)", "launch_raw_s", "s"),
    ("store_s", "store the responses, bulk (s)", "store_raw_s", "s"),
    ("submit_ms", "one submission, service, median (ms)", "submit_raw_ms", "ms"),
    ("release_ms", "release at closing (ms)", "release_bare_ms", "ms"),
    ("heatmap_ms", "company heatmap as released (ms)", "heatmap_bare_ms", "ms"),
    ("guard_ms", "release guard, first release (ms)", None, "ms"),
    ("guard_second_ms", "release guard, second release (ms)", None, "ms"),
    ("head_p95_ms", "head's page p95, warm (ms)", "head_data_p95_ms", "ms"),
)
CEILINGS = {
    "roster_raw_s": "raw people rows",
    "launch_raw_s": "raw invitation rows",
    "store_raw_s": "raw response and answer rows",
    "submit_raw_ms": "the same writes in raw SQL",
    "release_bare_ms": "bare GROUP BY of the answers",
    "heatmap_bare_ms": "bare GROUP BY of the scores",
    "head_data_p95_ms": "its data alone",
}
TARGETS = {
    "launch_s": "≤ 3× raw insert",
    "heatmap_ms": "≤ 1× bare GROUP BY",
    "head_p95_ms": "≤ 300 ms",
    "guard_ms": "≤ 100 ms at 1,000 teams",
}


# The company


def tree(departments: int) -> list[str]:
    """Team paths: the head's division first (100 teams, or half of them in a small company),
    then divisions of ten."""
    head_teams = min(HEAD_TEAMS, departments // 2)
    paths = [f"Divisão 00/Equipe {team:04d}" for team in range(head_teams)]
    paths += [
        f"Divisão {1 + (team - head_teams) // 10:02d}/Equipe {team:04d}"
        for team in range(head_teams, departments)
    ]
    return paths


def spread(people: int, departments: int) -> Callable[[int], int]:
    """Which team person ``n`` is in: the first ``departments`` people lead a team each, one
    team in twenty stays at three people, the others share the rest evenly."""
    tiny = [team for team in range(departments) if team % TINY_EVERY == TINY_EVERY - 1]
    regular = [team for team in range(departments) if team % TINY_EVERY != TINY_EVERY - 1]
    tiny_places = (TINY_PEOPLE - 1) * len(tiny)
    if people < departments + tiny_places:
        raise SystemExit(f"{people} people are too few for {departments} teams")

    def team_of(n: int) -> int:
        if n < departments:
            return n
        extra = n - departments
        if extra < tiny_places:
            return tiny[extra // (TINY_PEOPLE - 1)]
        return regular[(extra - tiny_places) % len(regular)]

    return team_of


# Raw inserts: the database's floor


def _placeholders(count: int) -> str:
    marker = "?" if db.engine.dialect.name == "sqlite" else "%s"
    return ", ".join([marker] * count)


def raw_inserts(table: str, columns: Sequence[str], rows: list[tuple]) -> dict[str, float]:
    """Seconds to write ``rows`` into ``table`` with a raw ``executemany`` and (PostgreSQL) a
    raw ``COPY``, each in a transaction of its own that is then rolled back."""
    found: dict[str, float] = {}
    names = ", ".join(columns)
    # S608 is safe here: only our own table and column names are formatted in.
    statement = f"INSERT INTO {table} ({names}) VALUES ({_placeholders(len(columns))})"  # noqa: S608
    connection = db.session.connection()
    found["executemany_s"], _ = timed_once(lambda: connection.exec_driver_sql(statement, rows))
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        found["copy_s"], _ = timed_once(lambda: copy_rows(f"{table} ({names})", rows))
        db.session.rollback()
    return found


def copy_rows(target: str, rows: Sequence[Sequence[Any]]) -> None:
    """``COPY target FROM STDIN`` of ``rows``, on the session's connection (PostgreSQL)."""
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fastest(raw: dict[str, float]) -> float:
    return min(raw.values())


# The steps


def import_roster(data: bytes) -> tuple[float, dict]:
    """The importer over an empty database; its floor: the same people rows, raw."""

    def apply():
        reading._email.cache_clear()  # no help from an earlier size in this process
        return roster.apply_roster(
            roster.read_roster(data), deactivate_missing=True, actor=None, now=utcnow()
        )

    seconds, plan = timed_once(apply)
    columns = ("employee_number", "name", "email", "department_id")
    rows = [tuple(row) for row in db.session.execute(select(*(getattr(User, c) for c in columns)))]
    # A copy made with CREATE TABLE AS has no indexes: the database's bare insert speed.
    db.session.execute(text("CREATE TABLE people_copy AS SELECT * FROM users WHERE 1 = 0"))
    db.session.commit()
    extra = ("is_active", "is_hr_admin", "session_version")
    fixed = (True, False, 0)
    raw = raw_inserts("people_copy", (*columns, *extra), [(*row, *fixed) for row in rows])
    db.session.execute(text("DROP TABLE people_copy"))
    db.session.commit()
    return seconds, {"counts": plan.counts(), **raw}


def launch(actor: User) -> tuple[Survey, dict]:
    """``bench_surveys``' launch beside its raw executemany, and a raw COPY of the same rows."""
    found = bench_launch(actor)
    survey = db.session.execute(
        select(Survey).where(Survey.name == "Launch benchmark")  # the survey bench_launch made
    ).scalar_one()
    rows = [
        tuple(row)
        for row in db.session.execute(
            select(
                Invitation.user_id,
                Invitation.department_id,
                Invitation.department_path,
                Invitation.invited_at,
            ).where(Invitation.survey_id == survey.id)
        )
    ]
    twin = new_survey("Launch ceiling, COPY", actor)
    columns = ("survey_id", "user_id", "department_id", "department_path", "invited_at")
    raw = {"executemany_s": found["raw_executemany_s"]}
    if db.engine.dialect.name == "postgresql":
        raw["copy_s"], _ = timed_once(
            lambda: copy_rows(
                f"invitations ({', '.join(columns)}, reminders_sent)",
                [(twin.id, *row, 0) for row in rows],
            )
        )
        db.session.rollback()
    return survey, {"invited": found["invited"], "seconds": found["launch_s"], **raw}


def _copyable(table: Table, leave_out: set[str]) -> list[str]:
    return [column.name for column in table.columns if column.name not in leave_out]


def store(survey: Survey, count: int, actor: User) -> dict:
    """``count`` responses through the bulk path, then the same rows raw, to a twin survey."""
    seconds, _ = timed_once(lambda: store_responses(survey, count))
    # The rows just stored, given new ids and a survey of their own (and no invitation: one
    # invitation has one response).
    table = Response.__table__
    columns = _copyable(table, {"id", "survey_id", "invitation_id", "user_id"})
    stored = db.session.execute(
        select(table.c.id, *(table.c[name] for name in columns)).where(
            table.c.survey_id == survey.id
        )
    ).all()
    twin = new_survey("Response ceiling", actor)
    # Raw SQL on SQLite takes a UUID as the 32 hex digits the app's column type stores.
    is_sqlite = db.engine.dialect.name == "sqlite"
    new_ids = {row[0]: uuid.uuid4().hex if is_sqlite else uuid.uuid4() for row in stored}
    response_rows = [(new_ids[row[0]], twin.id, *row[1:]) for row in stored]
    answer_rows = [
        (new_ids[response_id], item_id, value)
        for response_id, item_id, value in db.session.execute(
            select(Answer.response_id, Answer.item_id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey.id)
        )
    ]
    del stored, new_ids
    response_columns = ("id", "survey_id", *columns)
    answer_columns = ("response_id", "item_id", "value")
    raw: dict[str, float] = {}
    connection = db.session.connection()
    marker_responses = _placeholders(len(response_columns))
    marker_answers = _placeholders(len(answer_columns))
    # S608 is safe here: only our own table and column names are formatted in.
    insert_responses = (
        f"INSERT INTO responses ({', '.join(response_columns)}) "  # noqa: S608 - the bench's own column names
        f"VALUES ({marker_responses})"
    )
    insert_answers = (
        f"INSERT INTO answers ({', '.join(answer_columns)}) "  # noqa: S608 - the bench's own column names
        f"VALUES ({marker_answers})"
    )
    if db.engine.dialect.name == "postgresql":
        # COPY is the floor here; a raw executemany of millions of answers would take minutes.

        def copy_both():
            copy_rows(f"responses ({', '.join(response_columns)})", response_rows)
            copy_rows(f"answers ({', '.join(answer_columns)})", answer_rows)

        raw["copy_s"], _ = timed_once(copy_both)
    else:

        def executemany_both():
            connection.exec_driver_sql(insert_responses, response_rows)
            connection.exec_driver_sql(insert_answers, answer_rows)

        raw["executemany_s"], _ = timed_once(executemany_both)
    db.session.rollback()
    return {
        "responses": len(response_rows),
        "answers": len(answer_rows),
        "seconds": seconds,
        **raw,
    }


def submit_sample(app, survey_id: int, samples: int) -> list[float]:
    """Seconds of the app's submission service, one response at a time (a transaction each),
    for ``samples`` people who have not answered yet."""
    with app.app_context():
        survey = db.session.get_one(Survey, survey_id)
        items = [item.id for item in survey.instrument.items]
        fields: dict[str, Any] = {
            "values": {item: 1 + item % 5 for item in items},
            "role_statement": "I keep the stock right so customers get their orders.",
        }
        if getattr(survey.instrument, "outcome_question", None) is not None:
            fields["advocacy"] = 8  # questionnaires that ask the outcome question need it
        people = list(
            db.session.execute(
                select(Invitation.user_id)
                .where(Invitation.survey_id == survey_id, Invitation.submitted_at.is_(None))
                .order_by(Invitation.id.desc())
                .limit(samples)
            ).scalars()
        )
        timings = []
        for person_id in people:
            started = time.perf_counter()
            person = db.session.get_one(User, person_id)  # as a request loads its user
            invitation = responses.invitation_for(person, survey_id)
            responses.submit_response(invitation, responses.AnswerSet(**fields), "en", utcnow())
            timings.append(time.perf_counter() - started)
    return timings


def vacuum() -> None:
    """What autovacuum does after a bulk load (PostgreSQL): the planner's statistics, and the
    rolled-back raw rows cleared."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def medians(action: Callable[[], object], runs: int) -> dict[str, float]:
    """The first run, then the median of ``runs`` more, in milliseconds."""
    first = timed_calls(lambda _n: action(), 1)[0]
    again = timed_calls(lambda _n: action(), runs)
    return {"first_ms": first * 1000, "median_ms": statistics.median(again) * 1000}


BARE_ANSWERS = text(
    "SELECT r.department_path, a.item_id, AVG(a.value), COUNT(*) FROM answers a "
    "JOIN responses r ON r.id = a.response_id WHERE r.survey_id = :survey "
    "GROUP BY r.department_path, a.item_id"
)
BARE_SCORES = text(
    "SELECT department_path, COUNT(*), "  # noqa: S608 (dimension names are ours)
    + ", ".join(f"AVG(score_{dimension})" for dimension in DIMENSIONS)
    + " FROM responses WHERE survey_id = :survey GROUP BY department_path"
)


def results(survey: Survey, runs: int) -> dict:
    """Release at closing, the heatmap as released, and their bare GROUP BYs."""

    def release():
        db.session.execute(delete(ReleasedGroup))
        db.session.execute(delete(ResultSnapshot))
        db.session.commit()
        return disclosure.release_of(survey, utcnow())

    def heatmap():
        # What HR's overview and its heatmap read for the level of the teams: the same rows as
        # the bare GROUP BY (one per team), with their guarded counts.
        view = dashboards.company_overview(survey, TEAM_LEVEL, utcnow(), with_trend=False)
        return [row.group.dimensions for row in view.rows]

    def whole_release():
        found = disclosure.release_of(survey, utcnow())
        return [group.dimensions for group in found.departments()]

    figures = {
        "release": medians(release, runs),
        "release_bare": medians(
            lambda: db.session.execute(BARE_ANSWERS, {"survey": survey.id}).all(), runs
        ),
        "heatmap": medians(heatmap, runs),
        "whole_release": medians(whole_release, runs),
        "heatmap_bare": medians(
            lambda: db.session.execute(BARE_SCORES, {"survey": survey.id}).all(), runs
        ),
    }
    found = disclosure.release_of(survey, utcnow())
    groups = list(found.groups.values())
    figures["groups"] = {
        "all": len(groups),
        "shown": sum(not group.is_suppressed for group in groups),
    }
    db.session.rollback()
    return figures


def guard(survey: Survey, minimum: int, text_minimum: int, runs: int) -> dict:
    """The release guard alone over the survey's counts per path: the first release, and a
    second over it after a few more responses in one team of ten (a live refresh, or a
    reopened survey closing again)."""
    counts = response_counts(survey)
    first = releases.next_snapshot([], counts, minimum, text_minimum)
    later = {
        path: n + (2 if number % 10 == 0 else 0)
        for number, (path, n) in enumerate(sorted(counts.items(), key=lambda pair: pair[0] or ""))
    }
    second = releases.next_snapshot([first], later, minimum, None)
    return {
        "paths": len(counts),
        "first": medians(lambda: releases.next_snapshot([], counts, minimum, text_minimum), runs),
        "second": medians(lambda: releases.next_snapshot([first], later, minimum, None), runs),
        "published_first": len(first.numbers),
        "published_second": len(second.numbers),
    }


# One size


def measure_size(url: str, redis_url: str | None, people: int, departments: int) -> dict:
    """Every figure for one company size, in a fresh database."""
    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    environ = {"CXCULTURE_TEST_DATABASE_URL": url}
    if redis_url:
        environ["REDIS_URL"] = redis_url
    app = create_app(TestingConfig(workdir, environ=environ))
    small = people <= 5_000
    runs = 9 if people <= 20_000 else 5
    samples = 20 if small else 100  # submissions through the service, and as many raw
    requests = 20 if small else 40
    paths = tree(departments)
    data = roster_file(people, departments, paths, spread(people, departments))
    figures: dict[str, Any] = {"people": people, "departments": departments}
    marks: list[tuple[str, float]] = []

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter()))
        print(f"  {people:,} people: {label}", flush=True)

    mark("start")
    with app.app_context():
        db.drop_all()
        db.create_all()
        seconds, imported = import_roster(data)
        figures["roster"] = {"seconds": seconds, "file_mb": len(data) / 2**20, **imported}
        mark("roster imported")
        cheap_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        first_two = db.session.execute(
            select(User).where(User.employee_number.in_(["M000000", "M000001"]))
        ).scalars()
        hr, head = sorted(first_two, key=lambda user: user.employee_number or "")
        hr.is_hr_admin = True
        division = db.session.execute(
            select(Department).where(Department.path == "Divisão 00")
        ).scalar_one()
        head.headed_departments.append(division)
        db.session.execute(
            update(User).where(User.id.in_([hr.id, head.id])).values(password_hash=cheap_hash)
        )
        db.session.commit()
        head_id, head_email = head.id, head.email
        figures["head_of"] = {
            "division": division.path,
            "teams": sum(path.startswith("Divisão 00/") for path in paths),
        }
        figures["department_nodes"] = db.session.execute(
            select(func.count(Department.id))
        ).scalar_one()

        survey, figures["launch"] = launch(hr)
        survey_id = survey.id
        mark("launched")
        figures["store"] = store(survey, people - 2 * samples, hr)
        mark("responses stored")
    submit = submit_sample(app, survey_id, samples)
    raw_submit = bench_raw_submit(app, survey_id, samples)
    figures["submit"] = {
        "samples": len(submit),
        **percentiles(submit),
        "raw_median_ms": raw_submit["median_ms"],
    }
    mark("submissions")
    with app.app_context():
        survey = db.session.get_one(Survey, survey_id)
        figures["responses"] = db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == survey_id)
        ).scalar_one()
        figures["answers"] = db.session.execute(
            select(func.count()).select_from(Answer)
        ).scalar_one()
        # Closed a while ago: past the minutes in which a late submission may still land, so
        # reads find the closing snapshot settled, as they do on any later day.
        now = utcnow()
        survey.closes_at = survey.closed_at = now - timedelta(minutes=10)
        db.session.commit()
        vacuum()
        mark("closed")
        figures["results"] = results(survey, runs)
        mark("results")
        minimum, text_minimum = minimums(survey)
        figures["guard"] = guard(survey, minimum, text_minimum, runs)
        mark("guard")
    url_path = f"/dashboards/results?survey={survey_id}"

    def head_data():
        return dashboards.department_dashboard(
            db.session.get_one(User, head_id), db.session.get_one(Survey, survey_id), None, now
        )

    figures["head_page"] = bench_page(app, head_email, url_path, head_data, requests)
    mark("head's page")
    figures["phases_s"] = {
        label: round(at - before, 2)
        for (_, before), (label, at) in zip(marks, marks[1:], strict=False)
    }
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return figures


def flat(size: dict) -> dict[str, float]:
    """The figures of one size, by the keys of MEASURES (seconds or milliseconds)."""
    results_ms = size["results"]
    return {
        "roster_s": size["roster"]["seconds"],
        "roster_raw_s": fastest(
            {k: v for k, v in size["roster"].items() if k in ("executemany_s", "copy_s")}
        ),
        "launch_s": size["launch"]["seconds"],
        "launch_raw_s": fastest(
            {k: v for k, v in size["launch"].items() if k in ("executemany_s", "copy_s")}
        ),
        "store_s": size["store"]["seconds"],
        "store_raw_s": fastest(
            {k: v for k, v in size["store"].items() if k in ("executemany_s", "copy_s")}
        ),
        "submit_ms": size["submit"]["median_ms"],
        "submit_raw_ms": size["submit"]["raw_median_ms"],
        "release_ms": results_ms["release"]["median_ms"],
        "release_bare_ms": results_ms["release_bare"]["median_ms"],
        "heatmap_ms": results_ms["heatmap"]["median_ms"],
        "heatmap_bare_ms": results_ms["heatmap_bare"]["median_ms"],
        "guard_ms": size["guard"]["first"]["median_ms"],
        "guard_second_ms": size["guard"]["second"]["median_ms"],
        "head_p95_ms": size["head_page"]["page"]["p95_ms"],
        "head_data_p95_ms": size["head_page"]["data_only"]["p95_ms"],
    }


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of log(cost) on log(people): 1 is linear growth."""
    usable = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(usable) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in usable)
    mean_y = statistics.fmean(y for _, y in usable)
    spread_x = sum((x - mean_x) ** 2 for x, _ in usable)
    return sum((x - mean_x) * (y - mean_y) for x, y in usable) / spread_x if spread_x else None


def growth(sizes: list[dict]) -> dict[str, dict]:
    """Per measure: the fitted slope, the slope between each pair of neighbouring sizes, and
    whether it grows faster than linearly."""
    found = {}
    for key, _label, ceiling, _unit in MEASURES:
        for name in (key, ceiling):
            if name is None:
                continue
            points = [(size["people"], flat(size)[name]) for size in sizes]
            fitted = slope(points)
            steps = [slope(pair) for pair in zip(points, points[1:], strict=False)]
            found[name] = {
                "slope": fitted,
                "steps": steps,
                "faster_than_linear": fitted is not None and fitted > FASTER_THAN_LINEAR,
            }
    return found


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def table(sizes: list[dict], slopes: dict[str, dict]) -> list[str]:
    """The printed table: each measure at each size, its ceiling and the ratio, the slope."""
    lines = []
    header = f"{'measure':<40}{'people':>9}{'cxculture':>11}{'ceiling':>11}{'ratio':>7}"
    lines.append(header + "   slope")
    for key, label, ceiling, unit in MEASURES:
        for number, size in enumerate(sizes):
            figures = flat(size)
            ours = figures[key]
            bound = figures[ceiling] if ceiling else None
            ratio = f"{ours / bound:.2f}" if bound else ""
            bound_text = _number(bound, unit) if bound is not None else ""
            fitted = slopes[key]["slope"] if number == len(sizes) - 1 else None
            flag = ""
            if fitted is not None:
                flag = f"{fitted:.2f}" + (
                    " faster than linear" if fitted > FASTER_THAN_LINEAR else ""
                )
            lines.append(
                f"{label if number == 0 else '':<40}{size['people']:>9,}"
                f"{_number(ours, unit):>11}{bound_text:>11}{ratio:>7}   {flag}"
            )
    return lines


def plot(sizes: list[dict], slopes: dict[str, dict], path: Path) -> None:
    """Every cost against the number of people, log-log, each ceiling dashed in its colour."""
    figure = Figure(figsize=(14, 6.5), layout="constrained")
    axes = figure.add_subplot()
    people = [size["people"] for size in sizes]
    colours = [f"C{number}" for number in range(10)]
    for number, (key, label, ceiling, unit) in enumerate(MEASURES):
        scale = 1.0 if unit == "s" else 1 / 1000
        colour = colours[number % len(colours)]
        values = [flat(size)[key] * scale for size in sizes]
        fitted = slopes[key]["slope"]
        name = label.replace(" (ms)", "").replace(" (s)", "")
        slope_text = f", slope {fitted:.2f}" if fitted is not None else ""
        axes.plot(people, values, "o-", color=colour, label=f"{name}{slope_text}")
        if ceiling:
            bound = [flat(size)[ceiling] * scale for size in sizes]
            axes.plot(people, bound, "x--", color=colour, alpha=0.6, linewidth=1)
    low = min(people)
    axes.plot(
        [low, max(people)],
        [1e-3, 1e-3 * max(people) / low],
        ":",
        color="grey",
        label="linear growth (slope 1), for reference",
    )
    axes.set_xscale("log")
    axes.set_yscale("log")
    # Plain numbers on the axes (the app's chart settings turn math text off).
    axes.set_xticks(people, [f"{count:,}" for count in people])
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:g}"))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("people in the company")
    axes.set_ylabel("seconds (dashed: the ceiling of the same colour)")
    axes.set_title("How each cost grows with the company")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    path.write_bytes(buffer.getvalue())


def parse_sizes(text_: str) -> list[tuple[int, int]]:
    """``2000:20,20000:200``: people and teams per size."""
    sizes = []
    for part in text_.split(","):
        people, _, departments = part.partition(":")
        sizes.append((int(people), int(departments or max(1, int(people) // 100))))
    return sizes


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named by ``url`` when it does not exist yet."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        return
    import psycopg
    from psycopg import sql

    maintenance = parsed.set(drivername="postgresql", database="postgres")
    conninfo = maintenance.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, help="people:teams,... (2000:20,...)")
    parser.add_argument("--quick", action="store_true", help="one tiny company: a smoke test")
    parser.add_argument("--database-url", help="a PostgreSQL database named *bench*")
    parser.add_argument("--redis-url", help="queue the emails on Redis instead of sending inline")
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args()
    sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)

    url = args.database_url
    if url:
        if "bench" not in (make_url(url).database or ""):
            raise SystemExit(
                "Refusing a database whose name lacks 'bench': its tables are dropped."
            )
        ensure_database(url)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='cxculture-bench-')) / 'bench.db'}"
    started = time.perf_counter()
    measured = []
    for people, departments in sizes:
        print(f"\n-- {people:,} people in {departments:,} teams --", flush=True)
        measured.append(measure_size(url, args.redis_url, people, departments))
    slopes = growth(measured)
    faster = [
        label for key, label, _ceiling, _unit in MEASURES if slopes[key]["faster_than_linear"]
    ]
    summary = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores",
        "database": url.split(":", 1)[0],
        "emails": "queued on Redis" if args.redis_url else "delivered inline (no mail server)",
        "seconds": time.perf_counter() - started,
        "sizes": measured,
        "figures": [flat(size) for size in measured],
        "growth": slopes,
        "faster_than_linear": faster,
    }
    print(
        f"\ndatabase: {summary['database']}, emails {summary['emails']} ({summary['machine']}),"
        f" {summary['seconds']:.0f} s"
    )
    for line in table(measured, slopes):
        print(line)
    for key, label, _ceiling, _unit in MEASURES:
        steps = slopes[key]["steps"]
        if steps:
            between = ", ".join(
                f"{a['people']:,}→{b['people']:,}: {step:.2f}"
                for a, b, step in zip(measured, measured[1:], steps, strict=False)
                if step is not None
            )
            print(f"slope of {label}: {between}")
    if len(measured) > 1:
        print("grows faster than linearly: " + (", ".join(faster) if faster else "nothing"))
        plot(measured, slopes, args.plot)
        print(f"plot: {args.plot}")
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["scale"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
