"""Profile one request through the whole Django stack on the benchmark database (cProfile, in-process).

    .venv/bin/python bench/profile_request.py --db sqlite [--sqlite-path var/bench-sqlite.sqlite3] \
        --as bench_leader /api/v1/residents/ [--repeat 20] [--sort cumulative|tottime] [--sql]

Prints the top functions; with --sql every query of one request with its time, with --explain also its plan
(SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE).
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--as", dest="who", default="bench_leader")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    suite.configure(args)
    import district

    district.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shequ.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.who))
    for _ in range(3):
        assert client.get(args.url).status_code == 200
    if args.sql or args.explain:
        captured = []

        def timer(execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append(((time.perf_counter() - t0) * 1000, sql, params))

        t0 = time.perf_counter()
        with connection.execute_wrapper(timer):
            client.get(args.url)
        print(f"one request: {(time.perf_counter() - t0) * 1000:.2f} ms, {len(captured)} queries, "
              f"{sum(c[0] for c in captured):.2f} ms in the database driver")
        for ms, sql, params in captured:
            print(f"{ms:8.2f} ms  {sql[:600]}  {str(params)[:200] if params else ''}")
            if args.explain and sql.lstrip().upper().startswith("SELECT"):
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql, params)
                    for row in cursor.fetchall():
                        print("            " + str(row[-1]))
    if not args.repeat:
        return
    t = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeat):
        client.get(args.url)
    profile.disable()
    print(f"{(time.perf_counter() - t) / args.repeat * 1000:.2f} ms per request (profiled)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
