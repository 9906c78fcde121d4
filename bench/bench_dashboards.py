"""Dashboard benchmarks: a department head's results page, chart renders, and memory over renders.

- head page: the results page of a head of a division (ten teams rolled up), through the whole
  Flask stack (session, template), first request and then warm; paired with the same data
  gathered without HTTP or template (the service call alone);
- charts: cold renders (the cache of PNGs bypassed) of every chart the pages draw: the dimension
  bars, the answer bars of 25 items (the questionnaire's own statements), a 20-department heatmap
  and an 8-wave trend, each median and 95th percentile beside an empty figure saved as PNG
  (matplotlib's floor) measured in the same rounds, and against the 150 ms target at p95; then
  the same chart again, which must come from the cache;
- memory: resident memory and live Python objects after 50 and after 500 renders, every chart
  in turn uncached, and the dimension bars through their cache.

Usage: python -m bench.bench_dashboards [--responses 20000] [--departments 200] [--requests 60]
Builds a fresh SQLite database in a temporary folder unless --database-url is given. Results are
printed and merged into bench/results.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml
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
SAMPLES = 60  # cold renders timed per chart


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
    return _labels(), values, company, f"Team {number:03d}", "Company", charts.WIDE, "50 = neutral"


ITEMS = 25


@cache
def _item_texts() -> tuple[str, ...]:
    """The shipped questionnaire's statements as the item chart prints them ("3. Its text"),
    in Portuguese (its longest wording), repeated up to ``ITEMS`` as a longer survey would."""
    items = yaml.safe_load(questionnaires.SHIPPED_INSTRUMENT.read_text(encoding="utf-8"))["items"]
    return tuple(
        f"{number}. {items[(number - 1) % len(items)]['text']['pt_BR']}"
        for number in range(1, ITEMS + 1)
    )


def _answer_args(number: int) -> tuple:
    shares = tuple(
        ((number + i) % 10 / 20, 0.25, 1 - (number + i) % 10 / 20 - 0.25) for i in range(ITEMS)
    )
    return _item_texts(), shares, ("Favorable", "Neutral", "Unfavorable")


def _heatmap_args(number: int) -> tuple:
    rows = tuple(f"Division {number % 7}/Team {row:03d}" for row in range(20))
    values = tuple(
        tuple(
            None if (row + number) % 9 == 0 else float((row * 13 + c * 7 + number) % 100)
            for c in range(len(DIMENSIONS))
        )
        for row in range(20)
    )
    scale = "Scores from 0 to 100: orange below the neutral middle (50), purple above"
    return rows, _labels(), values, "Hidden: fewer than 5 answers", charts.WIDE, None, scale


def _trend_args(number: int) -> tuple:
    """Eight waves, one hidden and the last still open."""
    waves = tuple(f"Pesquisa {2020 + wave // 2}, {wave % 2 + 1}º semestre" for wave in range(8))
    values = tuple(None if wave == 3 else float((number + 9 * wave) % 100) for wave in range(8))
    still_open = (False,) * 7 + (True,)
    return waves, values, "Company", still_open, "still open", charts.WIDE, "50 = neutral"


def _empty_png(_number: int) -> bytes:
    return charts._png(Figure(figsize=(6.4, 4.3)))


# Every chart the pages draw, uncached (``__wrapped__`` skips the cache of PNGs by their data).
CHARTS = (
    ("dimension_bars", "dimension bars", charts.dimension_bars.__wrapped__, _dimension_args),
    ("answer_bars", f"answer bars for {ITEMS} items", charts.answer_bars.__wrapped__, _answer_args),
    ("heatmap", "heatmap 20 x 6", charts.heatmap.__wrapped__, _heatmap_args),
    ("trend_line", "trend over 8 waves", charts.trend_line.__wrapped__, _trend_args),
)
CACHES = (charts.dimension_bars, charts.answer_bars, charts.heatmap, charts.trend_line)
TARGET_P95_MS = 150.0  # every chart's cold render, at the 95th percentile


def _seconds(render: Callable[..., object], arguments: tuple) -> float:
    started = time.perf_counter()
    render(*arguments)
    return time.perf_counter() - started


def bench_charts(samples: int = SAMPLES) -> dict:
    """Cold renders of every chart beside an empty figure saved as PNG (matplotlib's floor),
    taken in turns so that each round meets the machine in the same state; then the same
    chart asked for again, which the cache answers."""
    timings: dict[str, list[float]] = {name: [] for name, *_rest in CHARTS}
    timings["empty_figure"] = []
    for _name, _label, render, arguments in CHARTS:
        render(*arguments(-1))  # import-time work (fonts) out of the figures
    _empty_png(-1)
    for number in range(samples):
        for name, _label, render, arguments in CHARTS:
            timings[name].append(_seconds(render, arguments(number)))
        timings["empty_figure"].append(_seconds(_empty_png, (number,)))
    figures = {name: percentiles(found) for name, found in timings.items()}
    for (name, _label, _render, arguments), cached in zip(CHARTS, CACHES, strict=True):
        cached(*arguments(-2))
        hits = cached.cache_info().hits
        figures[name]["repeat_ms"] = _seconds(cached, arguments(-2)) * 1000
        if cached.cache_info().hits != hits + 1:
            raise SystemExit(f"{name}: the same chart was drawn again instead of served")
    return figures


def _python_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


def bench_memory(renders: int = RENDERS) -> dict:
    """Resident memory and live Python objects after 50 and after ``renders`` renders of
    changing data: every chart in turn uncached, then the dimension bars through their cache
    (which keeps up to ``charts.CACHED_CHARTS`` PNGs)."""
    found = {}
    runs = (
        ("uncached", [(render, arguments) for _n, _l, render, arguments in CHARTS]),
        ("cached", [(charts.dimension_bars, _dimension_args)]),
    )
    for name, kinds in runs:
        for cached in CACHES:
            cached.cache_clear()
        samples = {}
        for number in range(renders):
            render, arguments = kinds[number % len(kinds)]
            render(*arguments(number + 1000 * len(found)))
            if number + 1 in (50, renders):
                samples[number + 1] = (rss_mb(), _python_objects())
        found[name] = {
            "renders": renders,
            "charts": len(kinds),
            "rss_after_50_mb": samples[50][0],
            "rss_at_end_mb": samples[renders][0],
            "change": samples[renders][0] / samples[50][0] - 1,
            "objects_after_50": samples[50][1],
            "objects_at_end": samples[renders][1],
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
        *(
            (f"{label}, cold render (ms)", chart_figures[name], None, "")
            for name, label, _render, _arguments in CHARTS
        ),
    ]
    floor = chart_figures["empty_figure"]
    for label, ours, ceiling, name in rows:
        ceiling = ceiling or floor
        name = name or "empty figure"
        print(
            f"{label:<52}{ours['median_ms']:>9.1f}{ours['p95_ms']:>9.1f}   {name} "
            f"{ceiling['median_ms']:.1f}, {ceiling['p95_ms']:.1f}"
        )
    slowest = max(chart_figures[name]["p95_ms"] for name, *_rest in CHARTS)
    verdict = "met" if slowest <= TARGET_P95_MS else "MISSED"
    print(f"slowest chart p95 {slowest:.1f} ms: target {TARGET_P95_MS:.0f} ms {verdict}")
    repeat = max(chart_figures[name]["repeat_ms"] for name, *_rest in CHARTS)
    print(f"the same chart again: served from the cache in {repeat:.2f} ms at most")
    for key, label in PAGES:
        print(f"{label}, first request: {pages[key]['first_ms']:.0f} ms")
    for name, figures in memory.items():
        print(
            f"memory over {figures['renders']} renders, {name}: {figures['rss_after_50_mb']:.1f} MB"
            f" after 50, {figures['rss_at_end_mb']:.1f} MB at the end"
            f" ({figures['change']:+.1%}); Python objects {figures['objects_after_50']:,}"
            f" then {figures['objects_at_end']:,}"
        )
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["dashboards"] = summary
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
