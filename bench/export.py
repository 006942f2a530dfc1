"""`/people/export/` at scale: the residents' Excel export timed through the whole Django stack.

    .venv/bin/python bench/export.py --db sqlite   [--rows 1000000] [--repeat 10]
    .venv/bin/python bench/export.py --db postgres [--rows 1000000]

Builds (or reuses) the residents of the district dataset (`bench/dataset.py`: 1,000,000 residents over 170
committees, ~5,900 each) in the benchmark database, then times the export as a committee worker (one committee),
a committee worker with a filter, and a district leader (every resident in scope: the export stops at
SHEQU_EXPORT_MAX_ROWS and says so). Prints p50/p95 and the rows written; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import suite  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--rows", type=int, default=1_000_000, help="residents")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    args = parser.parse_args()
    suite.configure(args)

    import dataset
    import district

    district.setup()
    from django.conf import settings
    from django.test import Client

    from shequ.people.models import Resident

    world = dataset.ensure_world()
    dataset.build_residents(args.rows, world)
    users = world["users"]
    print(f"{Resident.objects.count():,} residents; export cap {settings.SHEQU_EXPORT_MAX_ROWS:,} rows; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    cases = [
        ("committee worker, whole committee", "bench_committee", "/people/export/"),
        ("committee worker, aged 60+", "bench_committee", "/people/export/?tag=60%2B"),
        ("district leader, every resident (capped)", "bench_leader", "/people/export/"),
    ]
    for what, who, url in cases:
        client = Client()
        client.force_login(users[who])
        samples, response, queries, _served = suite.timed(client, url, args.repeat, warm=1)
        samples.sort()
        p50, p95 = district.percentile(samples, 50), district.percentile(samples, 95)
        print(f"  {what:<45} rows {response['X-Export-Rows']:>6} truncated {response['X-Export-Truncated']}"
              f"  p50 {p50:7.0f}  p95 {p95:7.0f} ms  {queries} q  {len(response.content) / 1024:,.0f} KiB",
              flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    t = time.perf_counter()
    main()
    print(f"({time.perf_counter() - t:.0f} s)")
