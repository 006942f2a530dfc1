"""Benchmark of the computed targets (指标) on the district dataset of `bench/dataset.py` (built or reused): the
seed's targets set on the demo 街道, 1,000 eco households certified across its committees, then each computed
target's live figure (`selectors.indicator_figure`, the owning module's selectors) timed as the district leader,
a 街道 leader and a committee worker, and `GET /api/v1/targets/` through the whole Django stack. Target: every
computed target < 100 ms (p95).

    .venv/bin/python bench/targets.py --db sqlite [--sqlite-path var/bench-sqlite.sqlite3] [--rows 1000000]
    .venv/bin/python bench/targets.py --db postgres [--db-url postgres://postgres@127.0.0.1:5432/shequ_bench]

It writes (targets, eco households, a 街道 leader): run it on the benchmark database, not production.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from health import ROOT, configure, pct

TARGET_MS = 100


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--compare-live", action="store_true",
                        help="also time the grid targets with their closing cohort counted from the cases (the way "
                             "before the cohort rows), in the same run")
    args = parser.parse_args()
    configure(args)

    import district

    district.setup()
    import dataset
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shequ.core import services as core
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User
    from shequ.targets import selectors
    from shequ.targets.choices import EcoStatus, Source
    from shequ.targets.config import indicators_ensure
    from shequ.targets.hooks import memo_reset
    from shequ.targets.models import EcoHousehold

    world = dataset.build(args.rows)
    sub = Node.objects.get(code="310110015000")
    today = timezone.localdate()
    indicators = indicators_ensure(node=sub, start_year=today.year - 1, grid_year=today.year)
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, path__startswith=sub.path))
    users = world["users"]
    if not EcoHousehold.objects.exists():
        EcoHousehold.objects.bulk_create([
            EcoHousehold(committee=committees[n % len(committees)], kind="eco", name=f"基准{n}家庭",
                         address=f"基准路{n}号", year=today.year, status=EcoStatus.CERTIFIED,
                         certificate_no=f"基准{n:05d}", certified_on=today, created_by=users["bench_leader"])
            for n in range(1000)])
    sub_leader = User.objects.filter(username="bench_sub_leader").first() or core.user_create(
        actor=None, username="bench_sub_leader", full_name="bench_sub_leader", role=Role.LEADER,
        password=dataset.PASSWORD, nodes=[sub], password_is_temporary=False)
    print(f"{connection.vendor}: {args.rows:,} rows per table; load {os.getloadavg()[0]:.1f}")
    results = {"vendor": connection.vendor, "rows": args.rows, "figures": []}
    who = {"district leader": users["bench_leader"], "街道 leader": sub_leader, "committee": users["bench_committee"]}
    for name, user in who.items():
        for indicator in indicators:
            if indicator.source != Source.COMPUTED:
                continue
            def figure():
                memo_reset(user)  # each target timed alone: no rows shared with the previous call
                selectors.indicator_figure(user=user, indicator=indicator)

            samples = timed(figure, args.repeat)
            p50, p95 = statistics.median(samples), pct(samples, 95)
            mark = " ✓" if p95 < TARGET_MS else " ✗"
            print(f"  {indicator.computer:<26} {name:<16} p50 {p50:8.1f}  p95 {p95:8.1f} ms{mark}")
            results["figures"].append({"what": indicator.computer, "as": name, "p50_ms": round(p50, 1),
                                       "p95_ms": round(p95, 1), "target_ms": TARGET_MS})
            if args.compare_live and indicator.computer.startswith("grid."):
                from shequ.grid import stats

                summary = stats._cohort
                stats._cohort = stats._cohort_live  # the cohort counted from the cases, as before
                try:
                    before = timed(figure, max(3, args.repeat // 5))
                finally:
                    stats._cohort = summary
                b50, b95 = statistics.median(before), pct(before, 95)
                print(f"  {indicator.computer + ' (live)':<26} {name:<16} p50 {b50:8.1f}  p95 {b95:8.1f} ms"
                      f"  (before; now {b50 / p50:.0f}× faster at p50)")
                results["figures"].append({"what": indicator.computer + " (cohort live, before)", "as": name,
                                           "p50_ms": round(b50, 1), "p95_ms": round(b95, 1)})
        client = Client()
        client.force_login(user)
        samples = timed(lambda: client.get("/api/v1/targets/"), args.repeat)
        p50, p95 = statistics.median(samples), pct(samples, 95)
        print(f"  {'GET /api/v1/targets/':<26} {name:<16} p50 {p50:8.1f}  p95 {p95:8.1f} ms")
        results["figures"].append({"what": "GET /api/v1/targets/", "as": name, "p50_ms": round(p50, 1),
                                   "p95_ms": round(p95, 1)})
    out = ROOT / "bench" / "results" / f"targets-{connection.vendor}{'' if args.rows == 1_000_000 else '-small'}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
