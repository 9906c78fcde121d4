"""Roster import benchmark: a 50,000-person HR export read, checked, planned and applied.

- create: the file into an empty database (departments, people, managers, heads, and a
  set-password email for everyone), paired with a raw ``executemany`` of the same people rows
  (no checks, no departments, no emails: the database's floor);
- re-import: the same file again, which must change nothing, paired with reading the file
  alone (decode, CSV, row checks).

Usage: python -m bench.bench_roster [--people 50000] [--departments 200]
Builds a fresh SQLite database in a temporary folder unless --database-url is given. Results are
printed and merged into bench/results.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from bench.bench_surveys import RESULTS
from config import TestingConfig
from cxculture import create_app
from cxculture.extensions import db
from cxculture.models import OutboxMessage, User, utcnow
from cxculture.services.org import roster
from cxculture.services.org.roster import reading


def roster_file(
    people: int,
    departments: int,
    paths: Sequence[str] | None = None,
    team_of: Callable[[int], int] | None = None,
) -> bytes:
    """A semicolon-separated Portuguese export with managers and heads, as Excel saves it.

    By default teams of ten per division and people dealt round the teams; ``paths`` and
    ``team_of`` give another tree and another spread (``team_of(n)`` must be ``n`` for the
    first ``departments`` people: the first person of each team leads it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["Matrícula", "Nome", "E-mail", "Departamento", "Responsável por", "E-mail do gestor"]
    )
    if paths is None:
        paths = [f"Divisão {d // 10:02d}/Equipe {d:03d}" for d in range(departments)]
    for n in range(people):
        team = team_of(n) if team_of is not None else n % departments
        lead = team  # the first person of each team leads it
        is_lead = n == lead
        writer.writerow(
            [
                f"M{n:06d}",
                f"Pessoa {n}",
                f"pessoa{n}@empresa.test",
                paths[team],
                paths[team] if is_lead else "",
                "" if is_lead else f"pessoa{lead}@empresa.test",
            ]
        )
    return out.getvalue().encode("utf-8")


T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(TestingConfig(workdir, environ={"CXCULTURE_TEST_DATABASE_URL": url}))
    data = roster_file(args.people, args.departments)
    with app.app_context():
        db.drop_all()
        db.create_all()

        def apply():
            reading._email.cache_clear()  # no help from an earlier run in this process
            return roster.apply_roster(
                roster.read_roster(data), deactivate_missing=True, actor=None, now=utcnow()
            )

        create_s, created = timed(apply)
        emails = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
        reimport_s, again = timed(apply)
        reading._email.cache_clear()
        read_s, _parsed = timed(lambda: roster.read_roster(data))

        # Floor: the same people rows with a raw executemany, into a copy of the table (a copy
        # made with CREATE TABLE AS has no indexes: the database's bare insert speed).
        rows = db.session.execute(
            select(User.employee_number, User.name, User.email, User.department_id)
        ).all()
        connection = db.session.connection()
        connection.exec_driver_sql("CREATE TEMPORARY TABLE people_copy AS SELECT * FROM users")
        connection.exec_driver_sql("DELETE FROM people_copy")
        marker = "?" if db.engine.dialect.name == "sqlite" else "%s"
        values = ", ".join([marker] * 4)
        # S608 is safe here: only placeholders are formatted in, the data goes as parameters.
        statement = (
            "INSERT INTO people_copy (employee_number, name, email, department_id, "  # noqa: S608
            f"is_active, is_hr_admin, session_version) VALUES ({values}, true, false, 0)"
        )
        raw_s, _ = timed(
            lambda: connection.exec_driver_sql(statement, [tuple(row) for row in rows])
        )
        db.session.rollback()

    summary = {
        "database": url.split(":", 1)[0],
        "people": args.people,
        "departments": args.departments,
        "file_mb": len(data) / 1024 / 1024,
        "create": {"seconds": create_s, **created.counts(), "emails_queued": emails},
        "reimport": {"seconds": reimport_s, **again.counts()},
        "read_only_s": read_s,
        "raw_executemany_s": raw_s,
    }
    print(
        f"database: {summary['database']}, {args.people} people in {args.departments} teams,"
        f" file {summary['file_mb']:.1f} MB"
    )
    print(f"{'measure':<58}{'seconds':>9}   ceiling")
    print(
        f"{'import, creating everyone (target ≤ 15 s)':<58}{create_s:>9.2f}"
        f"   raw executemany of the people rows {raw_s:.2f} s"
    )
    print(
        f"{'the same file again, nothing to change (target ≤ 10 s)':<58}{reimport_s:>9.2f}"
        f"   reading and checking the file alone {read_s:.2f} s"
    )
    print(f"created {created.counts()}, emails {emails}; again {again.counts()}")
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["roster"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
