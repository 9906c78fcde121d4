"""Results benchmarks: released department results next to the bare SQL GROUP BY on the same data.

- release: measuring a closed survey, the release guard over the whole tree and storing the
  snapshot (once per closing), versus a bare join-and-group of the raw answers by department
  and item;
- heatmap: the dimension results of every department as released (what pages read) versus the
  same bare GROUP BY;
- one department: its released item-level results versus the bare GROUP BY for that department.

Usage: python -m bench.bench_results [--responses 20000] [--departments 200] [--extra-items 5]
Builds a fresh SQLite database in a temporary folder unless --database-url is given. Results are
printed and merged into bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, func, select, text

from bench.bench_surveys import RESULTS, build_company, new_survey, store_responses
from config import TestingConfig
from cxculture import create_app, disclosure
from cxculture.extensions import db
from cxculture.models import Answer, ReleasedGroup, Response, ResultSnapshot, User, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import surveys
from cxculture.services.surveys import questionnaires

RUNS = 15


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """(first run, median of the following runs) in milliseconds."""
    started = time.perf_counter()
    action()
    first = (time.perf_counter() - started) * 1000
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        runs.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--extra-items", type=int, default=5, help="items added to the 20")
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(TestingConfig(workdir, environ={"CXCULTURE_TEST_DATABASE_URL": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_company(args.responses, args.departments)
        actor = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
        shipped, _ = questionnaires.load_instrument()
        instrument = questionnaires.copy_instrument(shipped, actor)
        for number in range(args.extra_items):
            dimension = DIMENSIONS[number % len(DIMENSIONS)]
            text_ = f"Benchmark statement {number}"
            questionnaires.add_item(
                instrument, dimension, False, {"en": text_, "pt_BR": text_, "es": text_}, actor
            )
        survey = new_survey("Results benchmark", actor)
        survey.instrument_id = instrument.id
        db.session.commit()
        surveys.launch_survey(survey, actor, utcnow())
        store_responses(survey, args.responses)
        stored = db.session.execute(select(func.count(Response.id))).scalar_one()
        answers = db.session.execute(select(func.count()).select_from(Answer)).scalar_one()
        items = len(survey.instrument.items)
        busiest = db.session.execute(
            select(Response.department_path, func.count())
            .group_by(Response.department_path)
            .order_by(func.count().desc())
            .limit(1)
        ).first()[0]
        bare_all = text(
            "SELECT r.department_path, a.item_id, AVG(a.value), COUNT(*) FROM answers a "
            "JOIN responses r ON r.id = a.response_id WHERE r.survey_id = :survey "
            "GROUP BY r.department_path, a.item_id"
        )
        bare_one = text(
            "SELECT a.item_id, a.value, COUNT(*) FROM answers a "
            "JOIN responses r ON r.id = a.response_id WHERE r.survey_id = :survey "
            "AND r.department_path = :path GROUP BY a.item_id, a.value"
        )

        survey.closed_at = utcnow()
        db.session.commit()

        def release():
            db.session.execute(delete(ReleasedGroup))
            db.session.execute(delete(ResultSnapshot))
            db.session.commit()
            return disclosure.release_of(survey, utcnow())

        def heatmap():
            found = disclosure.release_of(survey, utcnow())
            return [group.dimensions for group in found.departments()]

        def one_department():
            return disclosure.answer_distributions(disclosure.release_of(survey, utcnow()), busiest)

        release_ms = timed(release)
        figures = {
            "release": release_ms,
            "release_bare_sql": timed(
                lambda: db.session.execute(bare_all, {"survey": survey.id}).all()
            ),
            "heatmap": timed(heatmap),
            "heatmap_bare_sql": timed(
                lambda: db.session.execute(bare_all, {"survey": survey.id}).all()
            ),
            "department_items": timed(one_department),
            "department_items_bare_sql": timed(
                lambda: db.session.execute(bare_one, {"survey": survey.id, "path": busiest}).all()
            ),
        }
        db.session.rollback()

    summary = {
        "database": url.split(":", 1)[0],
        "responses": stored,
        "answers": answers,
        "items": items,
        "departments": args.departments,
        "department": busiest,
        "ms": {
            name: {"first": first, "median": median} for name, (first, median) in figures.items()
        },
    }
    print(
        f"database: {summary['database']}, {stored} responses, {answers} answers, {items} items,"
        f" {args.departments} departments (medians of {RUNS} runs after a first one)"
    )
    print(f"{'measure':<46}{'cxculture':>11}{'bare SQL':>10}{'ratio':>7}")
    for name, label in (
        ("release", "releasing the closed survey (ms)"),
        ("heatmap", "every department's dimensions (ms)"),
        ("department_items", f"items of {busiest} (ms)"),
    ):
        ours, bare = figures[name][1], figures[f"{name}_bare_sql"][1]
        print(f"{label:<46}{ours:>11.1f}{bare:>10.1f}{ours / bare:>7.2f}")
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["results"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
