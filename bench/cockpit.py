"""Benchmark of the leader's cockpit (领导驾驶舱) and the monthly brief on the district dataset of `bench/dataset.py`
(reused as it is: run `bench/run --only build` or copy a built file first; this script does not build it).

- `GET /cockpit/` through the whole Django stack (server time: the test client, in process), as the district leader
  (10 街道, 170 committees, 1M residents, acceptance and grid cases), a 街道 leader and the drill-down to one
  committee: **cold** (the cache emptied before each request: every figure computed) and **warm** (served from
  the cache within its freshness, `cockpit.selectors.FRESHNESS` seconds);
- `selectors.overview` alone, cold, to split the figures' cost from the page's rendering;
- the monthly brief PDF (`GET /api/v1/reports/monthly-brief.pdf?month=`), cold and warm cache;
- every computed target (指标) of the modules (every `targets.hooks` computer, the volunteers' and events' ones
  included) over the targets' period to date, as each reader.

Targets: cockpit p95 < 300 ms for the district leader, brief < 5 s, each computed target p95 < 100 ms.

    .venv/bin/python bench/cockpit.py --db sqlite --sqlite-path var/bench-tgt.sqlite3
    .venv/bin/python bench/cockpit.py --db postgres --db-url postgres://postgres@127.0.0.1:5432/shequ_bench_tgt

It writes (a 街道 leader, the seed's targets on the demo 街道, cache rows): run it on a benchmark copy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from health import ROOT, configure, pct

COCKPIT_MS, BRIEF_MS, TARGET_MS = 300, 5000, 100


def timed(fn, repeat: int, before=None, warm_up: bool = True) -> list[float]:
    if warm_up:
        if before:
            before()
        fn()
    samples = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per warm figure")
    parser.add_argument("--cold", type=int, default=6, help="timed requests per cold figure")
    parser.add_argument("--only", default="cockpit,brief,targets")
    parser.add_argument("--compare-live", action="store_true",
                        help="also time the grid targets with their closing cohort counted from the cases (the way "
                             "before the cohort rows), in the same run")
    args = parser.parse_args()
    configure(args)

    import district

    district.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shequ.cockpit import selectors as cockpit
    from shequ.core import services as core
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User
    from shequ.targets import config
    from shequ.targets.hooks import _computers, memo_reset
    from shequ.targets.models import Indicator

    only = set(args.only.split(","))
    sub = Node.objects.get(code="310110015000")
    committee = Node.objects.get(code="310110015001")
    leader = User.objects.get(username="bench_leader")
    sub_leader = User.objects.filter(username="bench_sub_leader").first() or core.user_create(
        actor=None, username="bench_sub_leader", full_name="bench_sub_leader", role=Role.LEADER,
        password="Bench#2026pass", nodes=[sub], password_is_temporary=False)
    worker = User.objects.get(username="bench_committee")
    today = timezone.localdate()
    month = today.replace(day=1)
    # The seed's targets on the demo 街道, with the sources of this version (a dataset seeded earlier may still
    # have the volunteers and participations as entered).
    config.indicators_ensure(node=sub, start_year=today.year - 1, grid_year=today.year)
    for code, *_rest, source, computer, _combine, _owner in config.INDICATORS:
        Indicator.objects.filter(node=sub, code=code).update(source=source, computer=computer)
    load = os.getloadavg()
    print(f"{connection.vendor}: load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; cache freshness "
          f"{cockpit.FRESHNESS} s")
    results = {"vendor": connection.vendor, "load": [round(x, 1) for x in load], "freshness_s": cockpit.FRESHNESS,
               "figures": []}

    def record(what, who, samples, target=None):
        p50, p95 = statistics.median(samples), pct(samples, 95)
        mark = "" if target is None else (" ✓" if p95 < target else " ✗")
        print(f"  {what:<44} {who:<16} n={len(samples):<3} p50 {p50:9.1f}  p95 {p95:9.1f} ms{mark}", flush=True)
        results["figures"].append({"what": what, "as": who, "n": len(samples), "p50_ms": round(p50, 1),
                                   "p95_ms": round(p95, 1), "target_ms": target})

    clients = {}
    for name, user in (("district leader", leader), ("街道 leader", sub_leader)):
        c = Client()
        c.force_login(user)
        clients[name] = c

    def get(c, url):
        def call():
            r = c.get(url)
            assert r.status_code == 200, (url, r.status_code)
        return call

    readers = {"district leader": leader, "街道 leader": sub_leader}
    if "cockpit" in only:
        for name, c in clients.items():
            record("overview figures, cold", name, timed(
                lambda u=readers[name]: cockpit.overview(user=u, month=month, use_cache=False), args.cold,
                warm_up=False))
            record("GET /cockpit/ cold", name, timed(get(c, "/cockpit/"), args.cold, before=cache.clear),
                   COCKPIT_MS)
            record("GET /cockpit/ warm", name, timed(get(c, "/cockpit/"), args.repeat), COCKPIT_MS)
            url = f"/cockpit/?committee={committee.pk}"
            record("GET /cockpit/?committee= cold", name, timed(get(c, url), args.cold, before=cache.clear),
                   COCKPIT_MS)
            record("GET /cockpit/?committee= warm", name, timed(get(c, url), args.repeat), COCKPIT_MS)

    if "brief" in only:
        for name, c in clients.items():
            url = f"/api/v1/reports/monthly-brief.pdf?month={month:%Y-%m}"
            record("monthly brief PDF, cold cache", name, timed(get(c, url), 3, before=cache.clear), BRIEF_MS)
            record("monthly brief PDF, warm cache", name, timed(get(c, url), 5), BRIEF_MS)

    if "targets" in only:
        start = today.replace(year=today.year - 1, month=1, day=1)
        for name, user in (("district leader", leader), ("街道 leader", sub_leader), ("committee", worker)):
            for code, comp in sorted(_computers.items()):
                def figure(comp=comp, user=user):
                    memo_reset(user)  # each target timed alone: no rows shared with the previous call
                    comp.compute(user=user, start=start, end=today)
                record(f"target {code}", name, timed(figure, args.repeat), TARGET_MS)
                if args.compare_live and code.startswith("grid."):
                    from shequ.grid import stats

                    summary = stats._cohort
                    stats._cohort = stats._cohort_live  # the cohort counted from the cases, as before
                    try:
                        record(f"target {code} (cohort live, before)", name,
                               timed(figure, max(3, args.repeat // 4)), TARGET_MS)
                    finally:
                        stats._cohort = summary

    out = ROOT / "bench" / "results" / f"cockpit-{connection.vendor}.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    sections = {"cockpit": ("overview", "GET /cockpit"), "brief": ("monthly brief",), "targets": ("target ",)}
    replaced = tuple(prefix for s in only for prefix in sections.get(s, ()))
    kept = [f for f in previous.get("figures", []) if not f["what"].startswith(replaced)]
    results["figures"] = kept + results["figures"]
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
