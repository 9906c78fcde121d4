"""Dashboard benchmarks: a department head's results page, chart renders, and memory over renders.

- head page: the results page of a head of a division (ten teams rolled up), through the whole
  Flask stack (session, template), first request and then warm; paired with the same data
  gathered without HTTP or template (the service call alone);
- charts: cold renders (the cache bypassed) of the dimension bars, the 25-item answer bars and a
  20-department heatmap, paired with an empty figure saved as PNG (matplotlib's floor);
- memory: resident memory after 50 and after 500 renders, uncached and through the caches.

Usage: python -m bench.bench_dashboards [--responses 20000] [--departments 200] [--requests 60]
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
from datetime import timedelta
from pathlib import Path

from matplotlib.figure import Figure
from sqlalchemy import select

from bench.bench_surveys import (
    PASSWORD,
    RESULTS,
    _token,
    build_company,
    new_survey,
    store_responses,
)
from config import TestingConfig
from cxculture import charts, create_app
from cxculture.extensions import db
from cxculture.models import Department, Survey, User, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import surveys
from cxculture.services.results import dashboards, homes
from cxculture.services.surveys import questionnaires

RENDERS = 500
SAMPLES = 40  # cold renders timed per chart


def rss_mb() -> float:
    """Resident memory of this process (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(timings: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(timings, n=20)
    return {"median_ms": statistics.median(timings) * 1000, "p95_ms": cuts[18] * 1000}


def timed_calls(action: Callable[[int], object], count: int) -> list[float]:
    timings = []
    for number in range(count):
        started = time.perf_counter()
        action(number)
        timings.append(time.perf_counter() - started)
    return timings


def build_waves(responses: int, departments: int) -> tuple[int, int, str]:
    """Two closed waves of ``responses`` each (results are released at closing; the first
    request of the second wave's page releases it); (second wave id, head id, path)."""
    build_company(responses, departments)
    actor = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
    questionnaires.copy_instrument(
        questionnaires.load_instrument()[0], actor
    )  # a realistic catalogue
    now = utcnow()
    ids = []
    for name in ("Dashboard benchmark, first wave", "Dashboard benchmark, second wave"):
        survey = new_survey(name, actor)
        surveys.launch_survey(survey, actor, now)
        store_responses(survey, responses)
        ids.append(survey.id)
    first = db.session.get(Survey, ids[0])
    first.opens_at, first.closes_at = now - timedelta(days=60), now - timedelta(days=30)
    db.session.get(Survey, ids[1]).closed_at = now
    division = (
        db.session.execute(
            select(Department).where(Department.parent_id.is_(None)).order_by(Department.path)
        )
        .scalars()
        .first()
    )
    head = db.session.execute(select(User).where(User.is_hr_admin.is_(False))).scalars().first()
    head.headed_departments.append(division)
    db.session.commit()
    return ids[1], head.id, division.path


def bench_page(
    app, email: str, url: str, data: Callable[[], object], requests: int
) -> dict[str, object]:
    """``url`` as ``email`` sees it: the first request, then ``requests`` warm ones, beside
    ``data`` (what the page shows, worked out without a request or a template) as often."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    client.post(
        "/auth/login", data={"csrf_token": _token(page), "email": email, "password": PASSWORD}
    )

    def get(_number: int) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    first = timed_calls(get, 1)[0]
    warm = timed_calls(get, requests)
    with app.test_request_context():
        alone = timed_calls(lambda _n: data(), requests)
    return {
        "requests": requests,
        "first_ms": first * 1000,
        "page": percentiles(warm),
        "data_only": percentiles(alone),
    }


PAGES = (
    ("head_page", "head's results page"),
    ("head_home", "head's home"),
    ("hr_home", "HR's home"),
)


def bench_pages(app, survey_id: int, head_id: int, requests: int) -> dict[str, dict]:
    """The head's results page and home, and HR's home, each beside its data alone."""
    with app.app_context():
        head = db.session.get(User, head_id)
        hr = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one()
        emails = head.email, hr.email
    now = utcnow()

    def with_objects(work):
        # The objects are read in the request context that times the data alone.
        return lambda: work(
            db.session.get(User, head_id),
            db.session.get(Survey, survey_id),
            db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalar_one(),
        )

    return {
        "head_page": bench_page(
            app,
            emails[0],
            f"/dashboards/results?survey={survey_id}",
            with_objects(lambda h, s, _hr: dashboards.department_dashboard(h, s, None, now)),
            requests,
        ),
        "head_home": bench_page(
            app,
            emails[0],
            "/dashboards/",
            with_objects(lambda h, _s, _hr: homes.head_home(h, now, "en")),
            requests,
        ),
        "hr_home": bench_page(
            app,
            emails[1],
            "/hr/",
            with_objects(lambda _h, _s, hr: homes.hr_home(hr, now, "en")),
            requests,
        ),
    }


def _labels() -> tuple[str, ...]:
    return tuple(dimension.replace("_", " ").capitalize() for dimension in DIMENSIONS)


def _dimension_args(number: int) -> tuple:
    values = tuple(float((number * 7 + 11 * i) % 100) for i in range(len(DIMENSIONS)))
    company = tuple(float((number * 3 + 5 * i) % 100) for i in range(len(DIMENSIONS)))
    return _labels(), values, company, f"Team {number:03d}", "Company"


def _answer_args(number: int) -> tuple:
    shares = tuple(
        ((number + i) % 10 / 20, 0.25, 1 - (number + i) % 10 / 20 - 0.25) for i in range(25)
    )
    return tuple(str(i + 1) for i in range(25)), shares, ("Favorable", "Neutral", "Unfavorable")


def _heatmap_args(number: int) -> tuple:
    rows = tuple(f"Division {number % 7}/Team {row:03d}" for row in range(20))
    values = tuple(
        tuple(
            None if (row + number) % 9 == 0 else float((row * 13 + c * 7 + number) % 100)
            for c in range(len(DIMENSIONS))
        )
        for row in range(20)
    )
    return rows, _labels(), values, "< 5"


def _empty_png(_number: int) -> bytes:
    return charts._png(Figure(figsize=(6.4, 4.3)))


def bench_charts() -> dict:
    figures = {}
    for name, render, arguments in (
        ("dimension_bars", charts.dimension_bars.__wrapped__, _dimension_args),
        ("answer_bars", charts.answer_bars.__wrapped__, _answer_args),
        ("heatmap", charts.heatmap.__wrapped__, _heatmap_args),
    ):
        render(*arguments(-1))  # import-time work (fonts) out of the figures
        figures[name] = percentiles(timed_calls(lambda n, r=render, a=arguments: r(*a(n)), SAMPLES))
    figures["empty_figure"] = percentiles(timed_calls(_empty_png, SAMPLES))
    return figures


def bench_memory(renders: int = RENDERS) -> dict:
    """RSS after 50 and after ``renders`` renders of changing data: uncached, then cached."""
    found = {}
    for name, render in (
        ("uncached", charts.dimension_bars.__wrapped__),
        ("cached", charts.dimension_bars),
    ):
        charts.dimension_bars.cache_clear()
        samples = {}
        for number in range(renders):
            render(*_dimension_args(number + 1000 * len(found)))
            if number + 1 in (50, renders):
                samples[number + 1] = rss_mb()
        found[name] = {
            "renders": renders,
            "rss_after_50_mb": samples[50],
            "rss_at_end_mb": samples[renders],
            "change": samples[renders] / samples[50] - 1,
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000, help="per wave")
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--renders", type=int, default=RENDERS, help="for the memory figure")
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxculture-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(TestingConfig(workdir, environ={"CXCULTURE_TEST_DATABASE_URL": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        survey_id, head_id, division = build_waves(args.responses, args.departments)
    pages = bench_pages(app, survey_id, head_id, args.requests)
    chart_figures = bench_charts()
    memory = bench_memory(max(args.renders, 51))

    summary = {
        "database": url.split(":", 1)[0],
        "responses_per_wave": args.responses,
        "departments": args.departments,
        "head_of": division,
        **pages,
        "charts": chart_figures,
        "memory": memory,
    }
    print(
        f"database: {summary['database']}, two waves of {args.responses} responses, "
        f"{args.departments} departments; the head leads {division} and the teams below it"
    )
    print(f"{'measure':<52}{'median':>9}{'p95':>9}   ceiling (median, p95)")
    rows = [
        *(
            (f"{label}, warm (ms)", pages[key]["page"], pages[key]["data_only"], "data alone")
            for key, label in PAGES
        ),
        ("dimension bars, cold render (ms)", chart_figures["dimension_bars"], None, ""),
        ("answer bars for 25 items, cold render (ms)", chart_figures["answer_bars"], None, ""),
        ("heatmap 20 x 6, cold render (ms)", chart_figures["heatmap"], None, ""),
    ]
    floor = chart_figures["empty_figure"]
    for label, ours, ceiling, name in rows:
        ceiling = ceiling or floor
        name = name or "empty figure"
        print(
            f"{label:<52}{ours['median_ms']:>9.1f}{ours['p95_ms']:>9.1f}   {name} "
            f"{ceiling['median_ms']:.1f}, {ceiling['p95_ms']:.1f}"
        )
    for key, label in PAGES:
        print(f"{label}, first request: {pages[key]['first_ms']:.0f} ms")
    for name, figures in memory.items():
        print(
            f"memory over {figures['renders']} renders, {name}: {figures['rss_after_50_mb']:.1f} MB"
            f" after 50, {figures['rss_at_end_mb']:.1f} MB at the end"
            f" ({figures['change']:+.1%})"
        )
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["dashboards"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
