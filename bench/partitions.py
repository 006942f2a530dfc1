"""Grid cases partitioned by year at scale (PostgreSQL): a month of indicators for one 街道 and for the whole
tree, and the plan of a one-month read showing partition pruning.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench_part .venv/bin/python bench/partitions.py \
        --rows 1000000 [--repeat 20]

The database is created if missing and migrated (so grid_case is partitioned by the migration, as in production);
then N grid cases are spread over the years since 2024 by the dataset builder (`dataset.build_grid`: the district
tree, the summary tables rebuilt) and the planner statistics refreshed. A second run only adds what is missing.
Prints the figures and writes bench/results/partitions-<rows>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import district  # noqa: E402  (sets up sys.path and the settings module)


def _create_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                         password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def _timed(fn, repeat: int) -> dict:
    first = time.perf_counter()
    fn()
    cold = (time.perf_counter() - first) * 1000
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return {"first_ms": round(cold, 1), "p50_ms": round(statistics.median(runs), 1),
            "p95_ms": round(district.percentile(runs, 95), 1), "runs": repeat}


def _scanned(plan: str) -> list[str]:
    return sorted(set(re.findall(r"\bon (grid_case_(?:y\d{4}|default))\b", plan)))


def scans_of(fn, keep) -> list[list[str]]:
    """Run `fn`; EXPLAIN each SELECT it sent that `keep(sql)` accepts; return the grid_case partitions each one
    scans, in order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    scans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT") and keep(sql):
                cursor.execute("EXPLAIN " + sql)
                scans.append(_scanned("\n".join(r[0] for r in cursor.fetchall())))
    return scans


def save(name: str, figures: dict, plan: str) -> None:
    """Write bench/results/<name>.json (with the machine's facts) and print the figures, then the plan."""
    out = BENCH / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": district.machine(), **figures}, ensure_ascii=False, indent=1))
    for key, value in figures.items():
        if key != "month_read_plan":
            print(f"{key}: {value}")
    print(plan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    _create_database(url)
    district.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    import dataset
    from shequ.core.models import Node
    from shequ.core.partitions import partition_report
    from shequ.grid import stats
    from shequ.grid.models import Case

    call_command("migrate", verbosity=0)
    world = dataset.ensure_world()
    dataset.build_grid(args.rows, world)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) grid_case")

    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)  # the last full month
    start = end.replace(day=1)
    sub = Node.objects.get(code="310110015000")
    committees = list(Node.objects.filter(parent=sub).values_list("id", flat=True))
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    month_read = Case.objects.filter(reported_at__gte=lo, reported_at__lt=hi, committee_id__in=committees)

    figures = {
        "rows": Case.objects.count(),
        "month": f"{start:%Y-%m}",
        "partitions": [{"name": p["name"], "rows": p["rows"]} for row in partition_report()
                       if row["table"] == "grid_case" for p in row["partitions"]],
        "indicators_subdistrict_month": _timed(
            lambda: stats.indicators(start=start, end=end, by="committee", node_ids=committees), args.repeat),
        "indicators_city_month": _timed(lambda: stats.indicators(start=start, end=end, by="total"), args.repeat),
        "cases_subdistrict_month_count": _timed(lambda: month_read.count(), args.repeat),
    }
    plan = month_read.explain(analyze=True)
    figures["month_read_plan_scans"] = _scanned(plan)
    figures["month_read_plan"] = plan
    # The closing cohort's statements on grid_case (along a deadline or closing-time range) and the partitions
    # each one scans: the month by unit (counted live from the cases), a few days (the late closings live) and
    # this month to date (today live). A month by committee or in total reads the cohort rows, not grid_case.
    ranges = ('"grid_case"."deadline" >=', '"grid_case"."closed_at" >=')

    def cohort_reads():
        stats.indicators(start=start, end=end, by="unit")
        stats.indicators(start=start, end=start + dt.timedelta(days=4))
        stats.indicators(start=today.replace(day=1), end=today)

    scans = scans_of(cohort_reads, lambda sql: any(r in sql.partition(" WHERE ")[2] for r in ranges))
    figures["cohort_queries_on_grid_case"] = scans
    figures["indicators_by_unit_month"] = _timed(lambda: stats.indicators(start=start, end=end, by="unit"),
                                                 args.repeat)

    save(f"partitions-{args.rows}", figures, plan)


if __name__ == "__main__":
    main()
