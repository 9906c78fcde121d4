"""Every benchmark in one run, each figure beside its ceiling measured on the same data.

    python -m bench.run            # 20,000 employees in 200 departments (make bench)
    python -m bench.run --quick    # 2,000 in 20, a smoke test (make bench-quick)
    python -m bench.run --scale --database-url postgresql://.../cxculture_bench_scale
                                   # 2,000, 20,000 and 100,000 people (make bench-scale)

Each benchmark builds its own fresh database: SQLite files in a temporary folder, or the
PostgreSQL database named by --database-url (or DATABASE_URL when it is a PostgreSQL URL), whose
tables are dropped and rebuilt, so its name must contain "bench". The benchmarks print their own
tables as they go, and merge their figures into bench/results.json; the summary below is read
back from it.

The large-company benchmark (``bench_scale``: how each cost grows from 2,000 to 100,000 people)
runs on PostgreSQL only: alone with --scale, and after the others in a full run given a
PostgreSQL database. The quick run measures it once at 500 people in the same database as the
others (SQLite by default), a few seconds that keep its code running in CI; it writes no plot.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy.engine import make_url

from bench.bench_scale import DEFAULT_SIZES, MEASURES, flat
from bench.bench_surveys import RESULTS
from cxculture.services.mail.delivery import QUEUE_NAME

SIZES = {
    # employees, departments, submissions timed in-process, HTTP submissions, roster people,
    # chart renders for the memory figure
    "full": (20_000, 200, 200, 2_000, 50_000, 500),
    "quick": (2_000, 20, 50, 200, 5_000, 60),
}


def _scale_command(
    size: str, database_url: str | None, redis_url: str | None, sizes: str | None
) -> list[list[str]]:
    """bench_scale: once at 500 people in a quick run; at every size given PostgreSQL; else
    not at all (on SQLite, 100,000 people would say little about production)."""
    command = ["bench.bench_scale"]
    if database_url:
        command += ["--database-url", database_url]
    if redis_url:
        command += ["--redis-url", redis_url]
    if size == "quick":
        return [[*command, "--quick"]]
    if not (database_url or "").startswith("postgresql"):
        return []
    return [[*command, "--sizes", sizes or _sizes_text(DEFAULT_SIZES)]]


def _sizes_text(sizes) -> str:
    return ",".join(f"{people}:{departments}" for people, departments in sizes)


def _commands(size: str, database_url: str | None, redis_url: str | None) -> list[list[str]]:
    employees, departments, submissions, http_submissions, people, renders = SIZES[size]
    common = ["--database-url", database_url] if database_url else []
    surveys = ["--employees", str(employees), "--departments", str(departments)]
    surveys += ["--submissions", str(submissions)]
    if redis_url:
        surveys += ["--redis-url", redis_url]  # emails go to the workers, as in production
    return [
        ["bench.bench_surveys", *surveys, *common],
        ["bench.bench_results", "--responses", str(employees), "--departments", str(departments)]
        + common,
        ["bench.bench_dashboards", "--responses", str(employees)]
        + ["--departments", str(departments), "--renders", str(renders), *common],
        ["bench.bench_http", "--employees", str(employees), "--departments", str(departments)]
        + ["--submissions", str(http_submissions), *common],
        ["bench.bench_roster", "--people", str(people), *common],
    ]


def _ratio(value: float, ceiling: float) -> str:
    return f"{value / ceiling:.2f}" if ceiling else "—"


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(measure, cxculture, ceiling, ratio) for every figure with a ceiling."""
    rows = []
    if "surveys" in results:
        launch = results["surveys"]["launch"]
        rows.append(
            (
                "launch to everyone (s) vs raw executemany",
                f"{launch['launch_s']:.2f}",
                f"{launch['raw_executemany_s']:.2f}",
                _ratio(launch["launch_s"], launch["raw_executemany_s"]),
            )
        )
        submit = results["surveys"]["submit"]
        rows.append(
            (
                "submit, median server time (ms) vs raw SQL",
                f"{submit['median_ms']:.1f}",
                f"{submit['raw_sql_median_ms']:.1f}",
                _ratio(submit["median_ms"], submit["raw_sql_median_ms"]),
            )
        )
    if "http" in results:
        ours, bare = results["http"]["submissions"], results["http"]["bare_endpoint"]
        rows.append(
            (
                f"HTTP submissions per s, {results['http']['clients']} clients vs bare endpoint",
                f"{ours['throughput_per_s']:.0f}",
                f"{bare['throughput_per_s']:.0f}",
                _ratio(ours["throughput_per_s"], bare["throughput_per_s"]),
            )
        )
        for cut in ("p50", "p95", "p99"):
            rows.append(
                (
                    f"HTTP submission {cut} (ms) vs bare endpoint",
                    f"{ours[f'{cut}_ms']:.0f}",
                    f"{bare[f'{cut}_ms']:.0f}",
                    _ratio(ours[f"{cut}_ms"], bare[f"{cut}_ms"]),
                )
            )
    if "results" in results:
        ms = results["results"]["ms"]
        for name, label in (
            ("release", "releasing a closed survey (ms) vs bare GROUP BY"),
            ("heatmap", "all-department results as released (ms) vs bare GROUP BY"),
            ("department_items", "one department's items (ms) vs bare GROUP BY"),
        ):
            ours, bare = ms[name]["median"], ms[f"{name}_bare_sql"]["median"]
            rows.append((label, f"{ours:.1f}", f"{bare:.1f}", _ratio(ours, bare)))
    if "dashboards" in results:
        for key, label in (
            ("head_page", "head's dashboard"),
            ("head_home", "head's home"),
            ("hr_home", "HR's home"),
        ):
            page = results["dashboards"].get(key)
            if page is None:
                continue
            rows.append(
                (
                    f"{label} p95, warm (ms) vs its data alone",
                    f"{page['page']['p95_ms']:.0f}",
                    f"{page['data_only']['p95_ms']:.0f}",
                    _ratio(page["page"]["p95_ms"], page["data_only"]["p95_ms"]),
                )
            )
            rows.append((f"{label}, cold first request (ms)", f"{page['first_ms']:.0f}", "", ""))
        charts = results["dashboards"]["charts"]
        for name in ("dimension_bars", "answer_bars", "heatmap", "trend_line"):
            for cut in ("median", "p95"):
                ours = charts[name][f"{cut}_ms"]
                floor = charts["empty_figure"][f"{cut}_ms"]
                rows.append(
                    (
                        f"{name} cold render, {cut} (ms) vs empty figure",
                        f"{ours:.0f}",
                        f"{floor:.0f}",
                        _ratio(ours, floor),
                    )
                )
        memory = results["dashboards"]["memory"]
        for name, figures in memory.items():
            label = f"memory over {figures['renders']} renders, {name}"
            rows.append((label, f"{figures['change']:+.1%}", "", ""))
    if "roster" in results:
        roster = results["roster"]
        rows.append(
            (
                f"roster import of {roster['people']:,} (s) vs raw executemany",
                f"{roster['create']['seconds']:.1f}",
                f"{roster['raw_executemany_s']:.2f}",
                _ratio(roster["create"]["seconds"], roster["raw_executemany_s"]),
            )
        )
        rows.append(
            (
                "roster re-import, nothing changes (s) vs reading the file",
                f"{roster['reimport']['seconds']:.1f}",
                f"{roster['read_only_s']:.1f}",
                _ratio(roster["reimport"]["seconds"], roster["read_only_s"]),
            )
        )
    if "scale" in results:
        rows += scale_rows(results["scale"])
    return rows


def scale_rows(scale: dict) -> list[tuple[str, str, str, str]]:
    """The large-company figures at the largest size measured, and each one's growth."""
    largest = scale["sizes"][-1]
    figures = flat(largest)
    rows = []
    for key, label, ceiling, unit in MEASURES:
        fitted = scale["growth"][key]["slope"]
        growth = f", slope {fitted:.2f}" if fitted is not None else ""
        ours = figures[key]
        bound = figures[ceiling] if ceiling else None
        number = "{:.2f}" if unit == "s" else "{:.0f}"
        rows.append(
            (
                f"{largest['people']:,} people: {label}{growth}",
                number.format(ours),
                number.format(bound) if bound is not None else "",
                _ratio(ours, bound) if bound is not None else "",
            )
        )
    return rows


LOCAL_REDIS = "redis://127.0.0.1:6379/14"


def _redis(url: str | None) -> str | None:
    """The Redis to queue emails on: the one given, else a local one if it answers (launching
    hands the emails to workers, as in production), else None (delivered inline)."""
    if url:
        return url
    try:
        Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1).ping()
    except RedisError:
        return None
    return LOCAL_REDIS


def _checked_url(url: str | None) -> str | None:
    if not url:
        return None
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(
            f"Refusing to benchmark on database {parsed.database!r}: its tables are dropped. "
            "Use a database whose name contains 'bench' (e.g. cxculture_bench)."
        )
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 employees: a smoke test")
    parser.add_argument("--database-url", help="a PostgreSQL database named *bench*")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument(
        "--scale",
        action="store_true",
        help="only the large-company benchmark (2,000 to 100,000 people), on PostgreSQL",
    )
    parser.add_argument("--scale-sizes", help="people:teams,... for --scale (2000:20,...)")
    args = parser.parse_args()
    url = args.database_url
    if url is None and os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        url = os.environ["DATABASE_URL"]
    url = _checked_url(url)
    size = "quick" if args.quick else "full"
    if args.scale and not (url or "").startswith("postgresql"):
        raise SystemExit(
            "--scale runs on PostgreSQL: give --database-url (or DATABASE_URL) naming a "
            "database whose name contains 'bench', e.g. cxculture_bench_scale."
        )
    redis_url = _redis(args.redis_url)
    RESULTS.unlink(missing_ok=True)  # figures of this run only
    started = time.perf_counter()
    commands = [] if args.scale else _commands(size, url, redis_url)
    commands += _scale_command(size, url, redis_url, args.scale_sizes)
    for command in commands:
        print(f"\n== {command[0]} ==", flush=True)
        # S603 is safe here: our own interpreter running our own benchmark modules, no shell.
        subprocess.run([sys.executable, "-m", *command], check=True)  # noqa: S603
    if redis_url:
        Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).empty()  # no worker ran them
    results = json.loads(Path(RESULTS).read_text())
    kind = "scale" if args.scale else size
    print(
        f"\n== summary: {kind} run on {url.split(':')[0] if url else 'sqlite'}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"emails {'queued on Redis' if redis_url else 'delivered inline'}, "
        f"{time.perf_counter() - started:.0f} s =="
    )
    rows = summary_rows(results)
    width = max(len(row[0]) for row in rows) + 2
    print(f"{'measure':<{width}}{'cxculture':>11}{'ceiling':>10}{'ratio':>8}")
    for measure, ours, ceiling, ratio in rows:
        print(f"{measure:<{width}}{ours:>11}{ceiling:>10}{ratio:>8}")


if __name__ == "__main__":
    main()
