"""The whole benchmark in one command: build the district dataset, measure, print a table, save JSON.

    bench/run --db sqlite   [--rows 1000000] [--only build,latency,pip,import,tickets,load] [--repeat 30]
    bench/run --db postgres [--rows 1000000] ...

See bench/README.md for what each figure is, the targets, and the last results. The results of a run are saved
to bench/results/<database>.json (bench/results/<database>-<rows>.json for another --rows); running only some
sections replaces those sections' figures in the file and keeps the rest.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["build", "latency", "pip", "import", "tickets", "load"]
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/shequ_bench"


def configure(args) -> None:
    """Environment of this process and of the gunicorn it starts; must run before Django is imported."""
    env = {"DJANGO_SETTINGS_MODULE": "shequ.settings", "SHEQU_DEV_SECRETS": "1",
           "LOG_LEVEL": "WARNING", "SHEQU_PLAIN_STATIC": "1", "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
           "MEDIA_ROOT": str(ROOT / "var" / "bench-media"), "REQUIRE_2FA": "0"}
    os.environ.update(env)
    os.environ.pop("DEBUG", None)
    if args.db == "postgres":
        url = args.db_url or PG_DEFAULT
        os.environ["DATABASE_URL"] = url
        os.environ.pop("SQLITE_PATH", None)
        _ensure_pg_database(url)
        if getattr(args, "replica_url", ""):
            # Reads of the measured pages go to the replica; every answer says where they were served.
            os.environ.update({"DATABASE_REPLICA_URLS": args.replica_url, "DATABASE_READ_HEADER": "1"})
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(ROOT / args.sqlite_path)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))


def _ensure_pg_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url[: -len(parts.path)] + "/postgres" if parts.path else url + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created PostgreSQL database {name}")


# --- figures -----------------------------------------------------------------------------------------------------

class Figures:
    def __init__(self):
        self.rows: list[dict] = []

    def add(self, section: str, key: str, what: str, who: str = "", *, target: str = "", met=None, **values):
        row = {"section": section, "key": key, "what": what, "as": who, **values, "target": target, "met": met}
        self.rows.append(row)
        return row

    def latency(self, section, key, what, who, samples, *, target_ms=None, queries=None, note=""):
        import district

        p50, p95 = district.percentile(samples, 50), district.percentile(samples, 95)
        return self.add(section, key, what, who, p50_ms=round(p50, 2), p95_ms=round(p95, 2), n=len(samples),
                        queries=queries, note=note, target=f"p95 < {target_ms} ms" if target_ms else "",
                        met=(p95 < target_ms) if target_ms else None)


def timed(client, url, repeat, warm=2, **extra):
    """`repeat` timed GETs after `warm` untimed ones; returns the samples, the last response, the statements one
    more GET sends (on every database alias) and where the timed answers' reads were served (`X-Shequ-Read`,
    with a replica configured)."""
    import contextlib

    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    response = None
    for _ in range(warm):
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    samples, served = [], {}
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, **extra)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        where = response.headers.get("X-Shequ-Read")
        if where:
            served[where] = served.get(where, 0) + 1
    with contextlib.ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        client.get(url, **extra)
    return samples, response, sum(len(c.captured_queries) for c in captured), served


def cursor(position: int) -> str:
    """A DRF CursorPagination cursor continuing below `position` (ordering -id)."""
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def _deep_position(qs, depth: int = 1000) -> int:
    """The id `depth` rows above the oldest row of the user's list: a page at the far end of the keyset."""
    ids = list(qs.order_by("id").values_list("id", flat=True)[depth:depth + 1])
    return ids[0] if ids else qs.order_by("-id").values_list("id", flat=True)[0]


# --- sections ----------------------------------------------------------------------------------------------------

def section_latency(world, figures: Figures, repeat: int) -> None:
    """Server time through the whole Django stack (middleware, auth, scoping, serialisation), in-process."""
    from django.test import Client
    from django.utils import timezone

    from shequ.acceptance import selectors as acc
    from shequ.grid import selectors as grid
    from shequ.people import selectors as people
    from shequ.people.models import Resident

    from django.conf import settings

    from shequ.core import services as core
    from shequ.core.middleware import PRIMARY_PIN_COOKIE

    users = world["users"]
    clients, api_clients = {}, {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)  # HTML pages: a browser session
        clients[name] = client
        # The API as its clients call it: `Authorization: Token …`.
        key = core.api_token_issue(user=user, ttl_hours=settings.API_TOKEN_TTL_HOURS)
        api_clients[name] = Client(HTTP_AUTHORIZATION=f"Token {key}")
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    last_month = (last_month_end.replace(day=1), last_month_end)
    year = (today - dt.timedelta(days=364), today)
    committee = users["bench_committee"].nodes.get()
    sample = Resident.objects.filter(committee=committee).order_by("id")[5]
    id_number = sample.id_number

    def run(section, key, what, who, url, target_ms=None, note=""):
        client = (api_clients if url.startswith("/api/") else clients)[who]
        # Each figure as a client that has not written in the last seconds: an audited search (a write) pins its
        # client to the primary for DATABASE_PRIMARY_PIN_SECONDS, which would carry over into the next figure.
        client.cookies.pop(PRIMARY_PIN_COOKIE, None)
        samples, response, queries, served = timed(client, url, repeat)
        row = figures.latency(section, key, what, who.removeprefix("bench_"), samples, target_ms=target_ms,
                              queries=queries, note=note)
        if served:
            row["served"] = served
        print(f"  {what:<58} {row['as']:<11} p50 {row['p50_ms']:8.2f}  p95 {row['p95_ms']:8.2f} ms"
              f"  {queries:3d} q" + ("" if row["met"] in (None, True) else "   ✗ " + row["target"]), flush=True)
        return response

    # residents
    for who in ("bench_leader", "bench_committee"):
        user = users[who]
        run("people", "people.api.first", "residents API list, first page", who, "/api/v1/residents/", 15)
        deep = _deep_position(people.resident_list(user=user))
        run("people", "people.api.deep", "residents API list, deep page (keyset)", who,
            f"/api/v1/residents/?cursor={cursor(deep)}", 20)
        response = run("people", "people.api.id", "residents API lookup by full ID number", who,
                       f"/api/v1/residents/?search={id_number}", 5)
        assert len(response.json()["results"]) == 1
        run("people", "people.api.name", f"residents API search by name ({sample.name})", who,
            f"/api/v1/residents/?search={sample.name}", 15)
        run("people", "people.api.initials", f"residents API search by initials ({sample.name_initials})", who,
            f"/api/v1/residents/?search={sample.name_initials}", 15)
        run("people", "people.html.first", "residents HTML list, first page", who, "/people/", 40)
    run("people", "people.html.id", "residents HTML lookup by full ID number", "bench_committee",
        f"/people/?q={id_number}", 40)

    # acceptance cases
    for who in ("bench_clerk", "bench_leader"):
        deep = _deep_position(acc.case_list(user=users[who]))
        run("acceptance", "acceptance.api.first", "acceptance cases API list, first page", who,
            "/api/v1/acceptance/cases/", 15)
        run("acceptance", "acceptance.api.deep", "acceptance cases API list, deep page (keyset)", who,
            f"/api/v1/acceptance/cases/?cursor={cursor(deep)}", 20)
        run("acceptance", "acceptance.html.first", "acceptance cases HTML list, first page", who,
            "/acceptance/cases/", 40)
        run("acceptance", "acceptance.html.deep", "acceptance cases HTML list, deep page (?before=)", who,
            f"/acceptance/cases/?before={deep}", 40)
    run("acceptance", "acceptance.dashboard", "acceptance supervisor dashboard (HTML)", "bench_supervisor",
        "/acceptance/dashboard/", 40)
    run("acceptance", "acceptance.figures", "acceptance figures, this month by clerk (HTML)", "bench_supervisor",
        "/acceptance/figures/")

    # grid cases
    for who in ("bench_shiftlead", "bench_leader"):
        deep = _deep_position(grid.case_list(user=users[who]))
        run("grid", "grid.api.first", "grid cases API list, first page", who, "/api/v1/grid/cases/", 15)
        run("grid", "grid.api.deep", "grid cases API list, deep page (keyset)", who,
            f"/api/v1/grid/cases/?cursor={cursor(deep)}", 20)
        run("grid", "grid.html.first", "grid cases HTML list, first page", who, "/grid/cases/", 40)
        run("grid", "grid.html.deep", "grid cases HTML list, deepest page (400, capped count)", who,
            "/grid/cases/?page=400", 40)

    # grid evaluation indicators
    for who in ("bench_shiftlead", "bench_leader"):
        for label, (a, b), target in (("a month", last_month, 150), ("a year", year, 500)):
            span = "month" if label == "a month" else "year"
            run("indicators", f"indicators.api.{span}", f"grid indicators API by committee, {label}", who,
                f"/api/v1/grid/indicators/?start={a}&end={b}&by=committee", target)
            run("indicators", f"indicators.html.{span}", f"grid indicators page (HTML, total + by committee), {label}",
                who, f"/grid/stats/?preset=custom&start={a}&end={b}&by=committee", target)


def section_pip(figures: Figures) -> None:
    import grid_pip

    from shequ.grid import spatial

    r = grid_pip.measure(1000, 1_000_000, 20_000)
    figures.add("pip", "pip.batch", "grid assignment, batch (1,000 grids, 1M points)", value=r["batch_per_s"],
                unit="points/s", target="≥ 200,000 points/s", met=r["batch_per_s"] >= 200_000, detail=r)
    figures.add("pip", "pip.single", "grid assignment, one report (index lookup)", value=round(r["single_us"] / 1000, 4),
                unit="ms", target="< 1 ms", met=r["single_us"] < 1000)
    # What the API does per report: the index freshness check (one query) and the lookup, on the real grids.
    index = spatial.get_index()
    lo = index.geoms[0].centroid
    spatial.locate(lo.y, lo.x)
    t = time.perf_counter()
    for _ in range(500):
        spatial.locate(lo.y, lo.x)
    per = (time.perf_counter() - t) / 500 * 1000
    figures.add("pip", "pip.locate", f"spatial.locate on the database's {len(index)} grids (incl. freshness query)",
                value=round(per, 4), unit="ms", target="< 1 ms", met=per < 1)
    for row in figures.rows[-3:]:
        print(f"  {row['what']:<70} {row['value']:>12,} {row['unit']}")


def section_import(world, figures: Figures, rows: int, profile: bool) -> None:
    from django.core.files import File
    from django.db import connection

    from shequ.core.jobs import job_enqueue
    from shequ.core.tasks import run_ready_tasks
    from shequ.people.excel import IMPORT_KIND
    from shequ.people.models import Household, Resident

    user = world["users"]["bench_committee"]
    committee = user.nodes.get()
    path = ROOT / "var" / f"bench-residents-{rows}-households.xlsx"  # three residents to a household
    if not path.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_resident_xlsx.py"), str(path), str(rows),
                        "--offset", "500000", "--committee", committee.name.removesuffix("居委会")], check=True)
        print(f"  wrote {path.name} in {time.perf_counter() - t:.1f} s")
    before = Resident.objects.order_by("-id").values_list("id", flat=True).first() or 0
    households_before = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with path.open("rb") as fh:
        job = job_enqueue(kind=IMPORT_KIND, user=user, file=File(fh, name=path.name), filename=path.name)
    t = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        cProfile.runctx("run_ready_tasks()", {"run_ready_tasks": run_ready_tasks}, {}, str(ROOT / "var" / "import.prof"))
        pstats.Stats(str(ROOT / "var" / "import.prof")).sort_stats("cumulative").print_stats(30)
    else:
        run_ready_tasks()  # the import task, in this process
    elapsed = time.perf_counter() - t
    job.refresh_from_db()
    r = job.result or {}
    after = Resident.objects.order_by("-id").values_list("id", flat=True).first() or 0
    print(f"  import of {rows:,} rows: {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s), status {job.status}, "
          f"created {r.get('created')}, updated {r.get('updated')}, unchanged {r.get('unchanged')}, "
          f"failed {r.get('failed')}")
    figures.add("import", "import.residents", f"resident import from Excel, {rows:,} rows in {rows // 3:,} households "
                "(validation, encryption, audit)", user.username.removeprefix("bench_"), value=round(elapsed, 2), unit="s",
                rows_per_s=round(rows / elapsed), created=r.get("created"), failed=r.get("failed"),
                target="< 30 s", met=elapsed < 30 and job.status == "done" and r.get("created") == rows)
    # Remove what the import created, so the next run imports the same rows again (the audit rows stay).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_resident_tags WHERE resident_id > %s AND resident_id <= %s",
                       [before, after])
        cursor.execute("DELETE FROM people_resident WHERE id > %s AND id <= %s AND committee_id = %s",
                       [before, after, committee.pk])
        cursor.execute("DELETE FROM people_household WHERE id > %s AND committee_id = %s",
                       [households_before, committee.pk])
    if connection.vendor == "postgresql":
        # The 100,000 deleted rows stay in the indexes as dead entries until a vacuum: the committee's list would
        # walk past all of them (2 ms more per page) until autovacuum came by.
        with connection.cursor() as cursor:
            for table in ("people_resident", "people_resident_tags", "people_household", "core_auditlog"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def section_tickets(figures: Figures, clients: int, per_client: int) -> None:
    import acceptance_tickets

    node_id, secret = acceptance_tickets.prepare()
    for via in ("service", "api"):
        for n in sorted({1, clients}):
            r = acceptance_tickets.run(via, n, per_client, node_id, secret)
            ok = r["unique"] and r["gapless"] and r["tickets"] == r["expected"] and not r["errors"]
            figures.add("tickets", f"tickets.{via}.{n}", f"ticket issuance via {via}, {n} parallel client(s)",
                        value=r["per_s"], unit="tickets/s", p50_ms=r["p50_ms"], p95_ms=r["p95_ms"],
                        max_ms=r["max_ms"], tickets=r["tickets"], unique=r["unique"], gapless=r["gapless"],
                        errors=r["errors"], target="unique and gapless", met=ok)
            print(f"  {via:>7} × {n}: {r['per_s']:>7,.1f} tickets/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                  f"max {r['max_ms']} ms; {r['tickets']}/{r['expected']} unique={r['unique']} "
                  f"gapless={r['gapless']} errors={r['errors']}", flush=True)


def section_load(world, figures: Figures, args) -> dict:
    import loadtest

    result = loadtest.run(world, env=dict(os.environ), port=args.port, workers=args.workers, threads=args.threads,
                          seconds=args.load_seconds, connections=args.connections, log=print,
                          only=[s.strip() for s in args.scenarios.split(",") if s.strip()] or None)
    ping = result["ping"]
    figures.add("load", "load.ping", "bare endpoint GET /healthz/ping", value=ping["per_s"], unit="req/s",
                p99_ms=ping["p99_ms"])
    labels = {"resident_create": "resident creation POST /api/v1/residents/",
              "grid_case_create": "grid case creation POST /api/v1/grid/cases/",
              "acceptance_case_create": "acceptance case intake POST /api/v1/acceptance/cases/"}
    # The grid report and the intake do far more than a resident creation (point-in-polygon, numbering, checklist,
    # due date, events, audit): their target is the write-path one, 0.08× and p99 < 60 ms at 4 connections.
    targets = {"resident_create": (0.25, 50), "grid_case_create": (0.08, 60), "acceptance_case_create": (0.08, 60)}
    for name, r in result["runs"].items():
        ratio, p99 = targets[name]
        figures.add("load", f"load.{name}", labels[name], value=r["per_s"], unit="req/s", ratio=r["ratio"],
                    p50_ms=r["p50_ms"], p99_ms=r["p99_ms"], non_2xx=r["non_2xx"],
                    target=f"≥ {ratio}× ping, p99 < {p99} ms",
                    met=r["ratio"] >= ratio and r["p99_ms"] < p99 and r["non_2xx"] == 0)
    peak = max((w.get("VmHWM", 0) for w in result["workers"]), default=0)
    private = max((w.get("RssAnon", 0) for w in result["workers"]), default=0)
    figures.add("load", "load.rss", "peak RSS per gunicorn worker (VmHWM, incl. shared mapped DB pages)", value=peak,
                unit="MB", workers=result["workers"])
    figures.add("load", "load.private", "private memory per gunicorn worker after the load (RssAnon)",
                value=private, unit="MB", target="< 150 MB", met=0 < private < 150)
    return result


# --- report ------------------------------------------------------------------------------------------------------

def print_table(rows: list[dict]) -> None:
    print()
    print(f"{'section':<11} {'what':<66} {'as':<10} {'p50 ms':>9} {'p95 ms':>9} {'value':>14}  target")
    for r in rows:
        value = ""
        if "value" in r:
            value = f"{r['value']:,} {r.get('unit', '')}"
            if "ratio" in r:
                value = f"{r['value']:,.0f}/s {r['ratio']:.2f}×"
        p50 = f"{r['p50_ms']:.2f}" if r.get("p50_ms") is not None else ""
        p95 = f"{r['p95_ms']:.2f}" if r.get("p95_ms") is not None else (
            f"p99 {r['p99_ms']:.1f}" if r.get("p99_ms") is not None else "")
        mark = "" if r.get("met") is None else ("ok" if r["met"] else "MISSED")
        print(f"{r['section']:<11} {r['what'][:66]:<66} {r['as']:<10} {p50:>9} {p95:>9} {value:>14}  "
              f"{r.get('target', '')} {mark}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--rows", type=int, default=1_000_000, help="residents, acceptance and grid cases each")
    parser.add_argument("--residents", type=int, default=None, help="residents (default --rows)")
    parser.add_argument("--cases", type=int, default=None, help="acceptance and grid cases each (default --rows)")
    parser.add_argument("--subdistricts", type=int, default=10, help="街道 in the district (at most 12)")
    parser.add_argument("--replica-url", default="",
                        help="PostgreSQL streaming replica of --db-url: the measured reads are served by it")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per latency figure")
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="", help=f"PostgreSQL URL (default {PG_DEFAULT})")
    parser.add_argument("--out", default="", help="results file (default bench/results/<database>.json)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--profile-import", action="store_true")
    parser.add_argument("--ticket-clients", type=int, default=8)
    parser.add_argument("--ticket-per-client", type=int, default=100)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--load-seconds", type=int, default=20)
    parser.add_argument("--scenarios", default="", help="load: only these creation scenarios (comma-separated: "
                        "resident_create, grid_case_create, acceptance_case_create)")
    args = parser.parse_args()
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    configure(args)

    import district

    district.setup()
    import dataset
    from django.db import connection

    vendor = connection.vendor
    out = Path(args.out).resolve() if args.out else ROOT / "bench" / "results" / (
        f"{vendor}.json" if args.rows == 1_000_000 else f"{vendor}-{args.rows}.json")
    started = time.time()
    timings = {}
    if "build" in sections:
        t = time.perf_counter()
        world = dataset.build(args.rows, residents=args.residents, cases=args.cases,
                              subdistricts=args.subdistricts)
        timings["build"] = {"seconds": round(time.perf_counter() - t, 1)}
    else:
        world = dataset.ensure_world(args.subdistricts)
    from shequ.acceptance.models import Case as AcceptanceCase
    from shequ.grid.models import Case as GridCase
    from shequ.people.models import Resident

    counts = {"residents": Resident.objects.count(), "acceptance_cases": AcceptanceCase.objects.count(),
              "grid_cases": GridCase.objects.count()}
    print(f"{vendor}: {counts['residents']:,} residents, {counts['acceptance_cases']:,} acceptance cases, "
          f"{counts['grid_cases']:,} grid cases; load average {os.getloadavg()[0]:.1f}")
    figures = Figures()
    extra = {}
    for section in sections:
        if section == "build":
            continue
        print(f"\n== {section} (load average {os.getloadavg()[0]:.1f})", flush=True)
        t = time.perf_counter()
        timings[section] = {"load_avg_start": round(os.getloadavg()[0], 2)}
        if section == "latency":
            section_latency(world, figures, args.repeat)
        elif section == "pip":
            section_pip(figures)
        elif section == "import":
            section_import(world, figures, args.import_rows, args.profile_import)
        elif section == "tickets":
            section_tickets(figures, args.ticket_clients, args.ticket_per_client)
        elif section == "load":
            extra["load"] = section_load(world, figures, args)
        timings[section].update(seconds=round(time.perf_counter() - t, 1),
                                load_avg_end=round(os.getloadavg()[0], 2))

    # Merge into the results file: the sections run now replace their earlier figures.
    previous = json.loads(out.read_text()) if out.exists() else {}
    order = {s: i for i, s in enumerate(["people", "acceptance", "grid", "indicators", "pip", "import", "tickets",
                                         "load"])}
    section_of = {"latency": {"people", "acceptance", "grid", "indicators"}}
    ran = set().union(*(section_of.get(s, {s}) for s in sections))
    kept = [r for r in previous.get("figures", []) if r["section"] not in ran]
    rows = sorted(kept + figures.rows, key=lambda r: order.get(r["section"], 99))
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "shequ"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip())
    result = {
        "database": vendor, "machine": {**district.machine(), "load_avg": [round(x, 2) for x in os.getloadavg()]},
        "dataset": counts, "rows": args.rows, "command": "bench/run " + " ".join(sys.argv[1:]),
        "code": head.strip() + ("+changes" if dirty else ""),
        "sections": {**previous.get("sections", {}), **{k: {**v, "at": dt.datetime.fromtimestamp(started).isoformat(
            timespec="seconds")} for k, v in timings.items()}},
        "figures": rows,
        "raw": {**previous.get("raw", {}), **extra},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    print_table(rows)
    missed = [r for r in rows if r.get("met") is False]
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\n{len(rows)} figures, {len(missed)} targets missed; saved to {shown} "
          f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
