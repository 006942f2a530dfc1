"""City scale (PostgreSQL): N grid cases partitioned by year over a city-like tree — 10 districts of 10 街道 with 17
committees each and their grids — and a month of indicators for one 街道 and for the whole city.

    nice -n 10 .venv/bin/python bench/city.py --rows 10000000 [--db-url postgres://…/shequ_city] [--repeat 20]

The database is created if missing and migrated (grid_case is partitioned by year by the migration). The tree is the
district benchmark's (`district.ensure_tree`, the demo plus nine 街道) plus nine more districts of ten 街道 written
in bulk, their grids copied from the demo committees'. On a fresh database the migration makes the partitions of
this year and the next; those of the earlier years the cases cover are made before the cases are written
(`ensure_partitions(years=…)`, as before any load of history), so no case lands in grid_case_default. The cases
are written by SQL, one
`INSERT … SELECT … FROM generate_series` per chunk of a million, spread evenly over 2024-01-01 … now (case i at
the fractional part of i × the golden ratio of the span, so any number of cases, and cases added later, cover it
evenly), with the statuses and the dates the
indicators read consistent with each status (the same rules as `dataset._grid`). The summary rows are then rebuilt
as production does after a bulk load (`stats.rebuild`: CaseStat, the monthly rows and the cohort rows), the planner
statistics refreshed, and the figures measured with bench/partitions.py's timer. A second run with a larger --rows
only adds the missing cases (then rebuilds the summaries). Writes bench/results/city-<rows>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/shequ_city"
DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "闵行区", "宝山区", "浦东新区"]
CHUNK = 1_000_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_city() -> None:
    """Nine more districts of ten 街道 × 17 committees, with the demo committees' grids moved north, in bulk."""
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node
    from shequ.grid import spatial

    have = set(Node.objects.values_list("code", flat=True))
    demo = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015").select_related("parent")
                .order_by("code"))
    created = 0
    for d, dname in enumerate(DISTRICTS, start=1):
        dcode = f"3101{d:02d}000000"
        district = Node.objects.filter(code=dcode).first()
        if district is None:
            district = Node.objects.create(kind=NodeKind.DISTRICT, code=dcode, name=dname, path=f"/{dcode}/",
                                           sort_order=d)
        subs = [Node(kind=NodeKind.SUBDISTRICT, code=f"3101{d:02d}{s:03d}000", name=f"{dname[:2]}第{s}街道",
                     parent=district, path=f"{district.path}3101{d:02d}{s:03d}000/", sort_order=s)
                for s in range(1, 11) if f"3101{d:02d}{s:03d}000" not in have]
        Node.objects.bulk_create(subs)
        subs = list(Node.objects.filter(parent=district, kind=NodeKind.SUBDISTRICT))
        committees = [Node(kind=NodeKind.COMMITTEE, code=f"{sub.code[:9]}{c:03d}", name=f"{sub.name[:-2]}{c}居委会",
                           parent=sub, path=f"{sub.path}{sub.code[:9]}{c:03d}/", sort_order=c)
                      for sub in subs for c in range(1, 18) if f"{sub.code[:9]}{c:03d}" not in have]
        Node.objects.bulk_create(committees, batch_size=1000)
        by_code = {c.code: c for c in Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith=f"3101{d:02d}")}
        grids = []
        for sub_index in range(1, 11):
            dx, dy = 0.035 * (sub_index - 1), 0.05 * d
            for grid in demo:
                committee = by_code.get(f"3101{d:02d}{sub_index:03d}{grid.parent.code[9:12]}")
                code = f"{committee.code}{grid.code[12:]}" if committee else None
                if committee is None or code in have:
                    continue
                ring = [[round(x + dx, 6), round(y + dy, 6)] for x, y in grid.geometry["coordinates"][0]]
                grids.append(Node(kind=NodeKind.GRID, code=code, name=f"{committee.name[:-3]}{grid.name[-4:]}",
                                  parent=committee, path=f"{committee.path}{code}/", sort_order=grid.sort_order,
                                  geometry={"type": "Polygon", "coordinates": [ring]}))
        Node.objects.bulk_create(grids, batch_size=1000)
        created += len(subs) + len(committees) + len(grids)
    if created:
        spatial.touch()


# The status mix by age, as dataset._grid draws it.
def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def fill_cases(total: int) -> list[dict]:
    """Add grid cases up to `total` by SQL, in chunks; returns the timing of each chunk."""
    from django.db import connection
    from django.utils import timezone

    import dataset
    from shequ.core.choices import NodeKind
    from shequ.core.models import Department, Node, User
    from shequ.grid.models import Case, Category

    have = Case.objects.count()
    if have >= total:
        return []
    end = timezone.now().replace(microsecond=0)
    first = dt.datetime.combine(dataset.START, dt.time(0), tzinfo=timezone.get_current_timezone())
    span = (end - first).total_seconds()
    units = list(Department.objects.filter(is_active=True).exclude(kind="office").order_by("code")
                 .values_list("id", flat=True))
    staff = list(User.objects.filter(role__in=["inspector", "patrol", "ops_operator", "shift_leader", "dispatcher"])
                 .order_by("id").values_list("id", flat=True))
    extra = [f for f in Case._meta.concrete_fields if not f.primary_key and f.column not in dataset.GRID_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS city_grids; DROP TABLE IF EXISTS city_cats")
        cursor.execute("CREATE UNLOGGED TABLE city_grids (idx int PRIMARY KEY, gid bigint, committee bigint, "
                       "lat float8, lng float8, prefix text)")
        rows = []
        for idx, (gid, parent, geom, code) in enumerate(Node.objects.filter(kind=NodeKind.GRID).order_by("code")
                                                         .values_list("id", "parent_id", "geometry", "code")):
            ring = geom["coordinates"][0][:-1]
            rows.append((idx, gid, parent, sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring),
                         code[:9]))
        cursor.executemany("INSERT INTO city_grids VALUES (%s,%s,%s,%s,%s,%s)", rows)
        n_grids = len(rows)
        cursor.execute("CREATE UNLOGGED TABLE city_cats (idx int PRIMARY KEY, cid bigint, kind text, dept bigint)")
        cats = list(Category.objects.order_by("code").values_list("id", "main__kind", "department_id"))
        cursor.executemany("INSERT INTO city_cats VALUES (%s,%s,%s,%s)", [(i, *c) for i, c in enumerate(cats)])
        n_cats = len(cats)

    columns = dataset.GRID_COLUMNS + [f.column for f in extra]
    extra_params = [f.get_db_prep_save(f.get_default(), connection) for f in extra]
    new, old, archived = (_sql_array(dataset.STATUS_NEW), _sql_array(dataset.STATUS_OLD),
                          _sql_array(dataset.STATUS_ARCHIVED))
    sources = _sql_array(dataset.SOURCES)

    def pick(array: str, n: int, r: str) -> str:
        return f"({array})[1 + floor({r} * {n})::int]"

    units_a = "ARRAY[" + ",".join(map(str, units)) + "]::bigint[]"
    staff_a = "ARRAY[" + ",".join(map(str, staff)) + "]::bigint[]"
    not_filed = "('reported','verifying','verified','void','merged')"
    # s1: draws; s2: the status from the age; s3: the derived times; then the row.
    sql = f"""
    INSERT INTO grid_case ({", ".join(columns)})
    SELECT 'C' || to_char(s3.rep AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(s3.i::text, 8, '0'),
      c.cid, c.kind, s3.source, s3.urgency, s3.st, g.gid, g.gid, g.committee,
      g.lat + (s3.r1 - 0.5) * 6e-4, g.lng + (s3.r2 - 0.5) * 6e-4, '合成路' || (1 + floor(s3.r3 * 400))::int || '号',
      '批量生成的测试案件', '', s3.reporter, '', '', '',
      CASE WHEN s3.dispatched THEN coalesce(c.dept, s3.unit) END,
      CASE WHEN s3.dispatched THEN s3.lim::float8 END, CASE WHEN s3.dispatched THEN 'work_hours' ELSE '' END,
      s3.rep, CASE WHEN s3.filed THEN s3.rep + interval '30 minutes' END,
      CASE WHEN s3.filed THEN s3.rep + interval '15 minutes' END,
      CASE WHEN s3.filed THEN s3.rep + interval '45 minutes' END,
      s3.disp, s3.disp, CASE WHEN s3.dispatched THEN s3.reporter END, s3.disp + interval '20 minutes',
      s3.disp + make_interval(secs => s3.lim * 2.5 * 3600), s3.disp + make_interval(secs => s3.lim * 2 * 3600),
      CASE WHEN s3.st = 'parked' THEN s3.rep + interval '2 days' END, s3.fb,
      CASE WHEN s3.fb IS NOT NULL AND s3.st <> 'fed_back' THEN s3.fb + interval '1 hour' END, s3.closed_at,
      CASE WHEN s3.closed THEN NOT s3.late END, false, s3.rework, s3.ext, s3.ret, s3.st = 'parked',
      CASE WHEN s3.st = 'evaluated' THEN (ARRAY['satisfied','satisfied','basic'])[1 + floor(s3.r4 * 3)::int]
           ELSE '' END,
      '', '', coalesce(s3.closed_at, s3.rep), 1{", %s" * len(extra)}
    FROM (
      SELECT s2.*,
        CASE WHEN s2.fed_back THEN s2.disp + make_interval(secs => s2.lim * 2.5 * 3600 *
          CASE WHEN s2.late THEN 1.05 + s2.r5 * 0.95 ELSE 0.1 + s2.r5 * 0.8 END) END AS fb,
        CASE WHEN s2.closed THEN s2.disp + make_interval(secs => s2.lim * 2.5 * 3600 *
          CASE WHEN s2.late THEN 1.05 + s2.r5 * 0.95 ELSE 0.1 + s2.r5 * 0.8 END + 1800 + s2.r6 * 12600) END
          AS closed_at,
        CASE WHEN s2.closed AND s2.r7 < 0.06 THEN 1 ELSE 0 END AS rework,
        CASE WHEN s2.filed AND s2.r8 < 0.04 THEN 1 ELSE 0 END AS ext,
        CASE WHEN s2.dispatched AND s2.r9 < 0.02 THEN 1 ELSE 0 END AS ret
      FROM (
        SELECT s1.*, s1.st NOT IN {not_filed} AS filed,
          s1.st NOT IN {not_filed} AND s1.st <> 'filed' AS dispatched,
          s1.st IN ('closed','evaluated') AS closed,
          s1.st IN ('closed','evaluated','fed_back','checked') AS fed_back,
          CASE WHEN s1.st NOT IN {not_filed} AND s1.st <> 'filed'
               THEN s1.rep + make_interval(secs => (20 + floor(s1.rd * 161)) * 60) END AS disp
        FROM (
          SELECT s0.*,
            CASE WHEN %(end)s - s0.rep < interval '14 days' THEN {pick(new, len(dataset.STATUS_NEW), 's0.rs')}
                 WHEN %(end)s - s0.rep < interval '365 days' THEN {pick(old, len(dataset.STATUS_OLD), 's0.rs')}
                 ELSE {pick(archived, len(dataset.STATUS_ARCHIVED), 's0.rs')} END AS st
          FROM (
            SELECT i, %(first)s + make_interval(secs => %(span)s * (i * 0.6180339887498949
                                                                   - floor(i * 0.6180339887498949))
                                          + random() * 30) AS rep,
              random() AS rs, random() AS rd, random() < 0.14 AS late,
              (ARRAY[2,4,8,14,35])[1 + floor(random() * 5)::int] AS lim,
              {pick(sources, len(dataset.SOURCES), 'random()')} AS source,
              CASE WHEN random() < 0.06 THEN 'urgent' ELSE 'normal' END AS urgency,
              {pick(units_a, len(units), 'random()')} AS unit, {pick(staff_a, len(staff), 'random()')} AS reporter,
              random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
              random() AS r7, random() AS r8, random() AS r9, floor(random() * {n_cats})::int AS cat
            FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
          ) s0
        ) s1
      ) s2
    ) s3
    JOIN city_grids g ON g.idx = s3.i %% {n_grids}
    JOIN city_cats c ON c.idx = s3.cat
    """
    # psycopg mixes positional and named parameters badly: name the extra defaults too.
    for k in range(len(extra)):
        sql = sql.replace(", %s", f", %(x{k})s", 1)
    timings = []
    for lo in range(have, total, CHUNK):
        hi = min(lo + CHUNK, total) - 1
        t = time.perf_counter()
        params = {"first": first, "end": end, "span": span, "lo": lo, "hi": hi,
                  **{f"x{k}": v for k, v in enumerate(extra_params)}}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        seconds = time.perf_counter() - t
        timings.append({"from": lo, "to": hi + 1, "seconds": round(seconds, 1)})
        log(f"  cases {lo:,} … {hi + 1:,}: {seconds:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE city_grids; DROP TABLE city_cats")
        # the number sequence the services draw from must not collide (dataset._sync_case_counters)
    dataset._sync_case_counters()
    return timings


def statements_of(fn, repeat: int) -> list[dict]:
    """Run `fn` `repeat` times; each statement it sends (in order), with its p50 and p95 in ms (timed around the
    driver's execute) and the rows each table it reads returned in its plan (`EXPLAIN ANALYZE`), so that the
    growth of a figure can be traced to the statement and the table that grow."""
    import statistics

    from django.db import connection

    runs: list[list[tuple[str, float]]] = []

    def timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            runs[-1].append((connection.ops.last_executed_query(context["cursor"], sql, params),
                             (time.perf_counter() - t) * 1000))

    for _ in range(repeat):
        runs.append([])
        with connection.execute_wrapper(timer):
            fn()
    out = []
    with connection.cursor() as cursor:
        for k, (sql, _) in enumerate(runs[-1]):
            times = sorted(run[k][1] for run in runs if len(run) > k)
            entry = {"sql": sql[:300], "p50_ms": round(statistics.median(times), 3),
                     "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 3)}
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [r[0] for r in cursor.fetchall()]
                entry["plan"] = plan
            out.append(entry)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db-url", default=DEFAULT_URL)
    args = parser.parse_args()
    if not args.db_url.startswith("postgres"):
        sys.exit("--db-url must name a PostgreSQL database")
    os.environ["DATABASE_URL"] = args.db_url
    import partitions  # noqa: E402  (sets up sys.path and the settings module through district)

    import district

    partitions._create_database(args.db_url)
    district.setup()

    from django.db import connection, transaction
    from django.utils import timezone

    import dataset
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node
    from shequ.core.partitions import ensure_partitions, partition_report
    from shequ.grid import stats
    from shequ.grid.models import Case, CaseCohort, CaseStat

    t0 = time.perf_counter()
    dataset.ensure_world()
    ensure_city()
    tree = {kind: Node.objects.filter(kind=kind).count() for kind in NodeKind.values}
    log(f"tree: {tree} ({time.perf_counter() - t0:.0f} s)")

    log(f"partitions made: {ensure_partitions(years=range(dataset.START.year, timezone.localdate().year))}")
    t = time.perf_counter()
    chunks = fill_cases(args.rows)
    fill_seconds = time.perf_counter() - t
    build = {"fill_seconds": round(fill_seconds, 1), "chunks": chunks}
    if chunks or not CaseStat.objects.exists():
        t = time.perf_counter()
        with transaction.atomic():
            stats.rebuild()
        build["rebuild_summaries_seconds"] = round(time.perf_counter() - t, 1)
        log(f"summaries rebuilt ({build['rebuild_summaries_seconds']} s)")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("grid_case", "grid_casestat", "grid_casestatmonth", "grid_casestatcommitteemonth",
                      "grid_casecohort", "grid_casecohortmonth"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    build["vacuum_analyze_seconds"] = round(time.perf_counter() - t, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        build["database_size"] = cursor.fetchone()[0]
    build["summary_rows"] = {"CaseStat": CaseStat.objects.count(), "CaseCohort": CaseCohort.objects.count()}

    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)  # the last full month
    start = end.replace(day=1)
    sub = Node.objects.get(code="310110015000")
    committees = list(Node.objects.filter(parent=sub).values_list("id", flat=True))
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    month_read = Case.objects.filter(reported_at__gte=lo, reported_at__lt=hi, committee_id__in=committees)

    load_before = os.getloadavg()
    figures = {
        "rows": Case.objects.count(),
        "tree": tree,
        "month": f"{start:%Y-%m}",
        "partitions": [{"name": p["name"], "rows": p["rows"]} for row in partition_report()
                       if row["table"] == "grid_case" for p in row["partitions"]],
        "build": build,
        "indicators_subdistrict_month": partitions._timed(
            lambda: stats.indicators(start=start, end=end, by="committee", node_ids=committees), args.repeat),
        "indicators_city_month": partitions._timed(
            lambda: stats.indicators(start=start, end=end, by="total"), args.repeat),
        "cases_subdistrict_month_count": partitions._timed(lambda: month_read.count(), args.repeat),
    }
    figures["loadavg_before_after"] = [list(load_before), list(os.getloadavg())]
    from shequ.grid.models import CaseCohortMonth, CaseStatCommitteeMonth, CaseStatMonth

    figures["summary_rows_of_the_month"] = {m.__name__: m.objects.filter(month=start).count()
                                            for m in (CaseStatCommitteeMonth, CaseCohortMonth, CaseStatMonth)}
    figures["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    plan = month_read.explain(analyze=True)
    figures["month_read_plan_scans"] = partitions._scanned(plan)
    figures["month_read_plan"] = plan
    figures["indicator_queries_on_grid_case"] = partitions.scans_of(
        lambda: stats.indicators(start=start, end=end, by="total"), lambda sql: '"grid_case"' in sql)
    figures["statements_subdistrict_month"] = statements_of(
        lambda: stats.indicators(start=start, end=end, by="committee", node_ids=committees), args.repeat)
    figures["statements_city_month"] = statements_of(
        lambda: stats.indicators(start=start, end=end, by="total"), args.repeat)
    partitions.save(f"city-{args.rows}", figures, plan)


if __name__ == "__main__":
    main()
