"""Profile the three API writes of the load test in-process on a benchmark database: the same requests wrk sends
(`bench/wrk/*.lua`), through the whole Django stack with token auth.

    .venv/bin/python bench/profile_write.py --db sqlite|postgres [--sqlite-path …] [--db-url …]
        [--scenario grid_case_create|acceptance_case_create|resident_create] [--repeat 200] [--profile]

Prints the CPU and wall time per request (unprofiled) and the statements per request; with --profile, a cProfile
of as many more requests sorted by --sort.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(n: int) -> str:
    """common.lua's id_number: a valid GB 11643 number from n, area 44xxxx."""
    import datetime as dt

    seq = n % 1000
    day = (n // 1000) % 18000
    area = 440000 + (n // 18_000_000) % 10000
    birth = (dt.date(1971, 1, 1) + dt.timedelta(days=day)).strftime("%Y%m%d")
    body = f"{area:06d}{birth}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--scenario", default="grid_case_create",
                        choices=["grid_case_create", "acceptance_case_create", "resident_create"])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    suite.configure(args)
    import district

    district.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import loadtest
    from shequ.core.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["bench_committee", "bench_patrol",
                                                                      "bench_clerk"])}
    plan = loadtest.scenarios({"users": users})[args.scenario]
    env = plan["env"]
    client = Client(HTTP_AUTHORIZATION=f"Token {env['BENCH_TOKEN']}")
    if args.scenario == "grid_case_create":
        x0, y0, x1, y1 = (float(v) for v in env["BENCH_BBOX"].split(","))

        def body(n):
            fx, fy = (n * 7919 % 1000) / 1000, (n * 104729 % 1000) / 1000
            return {"category": env["BENCH_CATEGORY"], "description": f"压测上报{n}：人行道上堆放杂物",
                    "lat": round(y0 + (y1 - y0) * (0.02 + 0.96 * fy), 6),
                    "lng": round(x0 + (x1 - x0) * (0.02 + 0.96 * fx), 6), "address": f"压测路{n % 997}号"}
    elif args.scenario == "acceptance_case_create":
        def body(n):
            return {"item": env["BENCH_ITEM"], "decision": "accept",
                    "applicant": {"name": "压测申请人", "id_number": id_number(n), "phone": f"139{n % 100000000:08d}"},
                    "materials": [int(m) for m in env["BENCH_MATERIALS"].split(",")]}
    else:
        def body(n):
            return {"name": "王建国", "id_number": id_number(n), "committee": env["BENCH_COMMITTEE"],
                    "address": f"压测路{n % 997}号", "phone": f"139{n % 100000000:08d}"}
    path = plan["path"]
    base = int(time.time()) % 18_000_000 * 10_000

    def post(n):
        response = client.post(path, body(base + n), content_type="application/json")
        assert response.status_code == 201, response.content[:400]

    for i in range(5):
        post(i)
    with CaptureQueriesContext(connection) as queries:
        post(5)
    statements = [q["sql"] for q in queries.captured_queries]
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(6, 6 + args.repeat):
        post(i)
    cpu = (time.process_time() - cpu) / args.repeat * 1000
    wall = (time.perf_counter() - wall) / args.repeat * 1000
    print(f"{connection.vendor} {args.scenario}: {cpu:.2f} ms CPU, {wall:.2f} ms wall per request (in-process, "
          f"unprofiled); {len(statements)} statements:")
    for sql in statements:
        print("   ", sql[:160])
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for i in range(100_000, 100_000 + args.repeat):
            post(i)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
