"""Benchmark of the family-doctor contracts (家庭医生签约) on the district dataset: 200,000 contracts over the
1,000,000 residents of `bench/dataset.py` (built or reused: a second run only adds what is missing).

- the coverage recount (`services.coverage_refresh`, the nightly task) over the whole district as its leader,
  and over one 街道 and one committee: the grouped counts over the registry and the contracts;
- the coverage page by committee (`/health/coverage/`, from the last count) through the whole Django stack,
  p50/p95 of 30 requests, as the district leader (170 committees), a 街道 leader and a committee worker;
- the renewal-due list (page and `GET /api/v1/health/contracts/due/`) and the contract list API, first page.

    .venv/bin/python bench/health.py --db sqlite [--sqlite-path var/bench-sqlite.sqlite3]
    .venv/bin/python bench/health.py --db postgres [--db-url postgres://postgres@127.0.0.1:5432/shequ_bench]

It writes (contracts, a 街道 leader, the coverage counts): run it on the benchmark database, not production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/shequ_bench"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def configure(args) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "shequ.settings", "SHEQU_DEV_SECRETS": "1", "LOG_LEVEL": "WARNING",
                       "SHEQU_PLAIN_STATIC": "1", "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
                       "MEDIA_ROOT": str(ROOT / "var" / "bench-media"), "REQUIRE_2FA": "0"})
    os.environ.pop("DEBUG", None)
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = args.db_url or PG_DEFAULT
        os.environ.pop("SQLITE_PATH", None)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(ROOT / args.sqlite_path)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))


def build_contracts(total: int) -> None:
    """Every fifth resident signed (200,000 of 1,000,000), end dates spread over two years so about 8 % fall due
    within 60 days; a fifth with chronic conditions (encrypted)."""
    from django.db import transaction
    from django.utils import timezone

    from shequ.health.models import Contract, Doctor, Institution
    from shequ.health.testing import build_health
    from shequ.people.models import Resident

    have = Contract.objects.count()
    if have >= total:
        print(f"  contracts: {have:,} already")
        return
    if not Doctor.objects.exists():
        build_health()
    doctors = list(Doctor.objects.values_list("id", flat=True))
    district = list(Institution.objects.filter(level="district").values_list("id", flat=True))
    city = list(Institution.objects.filter(level="city").values_list("id", flat=True))
    signed = set(Contract.objects.filter(status="active").values_list("resident_id", flat=True))
    t = time.perf_counter()
    rng = random.Random(7)
    today = timezone.localdate()
    rows, made = [], have
    for pk, committee_id, household_id in Resident.objects.order_by("id").values_list("id", "committee_id",
                                                                                     "household_id").iterator(20000):
        if made >= total:
            break
        if pk % 5 or pk in signed:
            continue
        end = today + dt.timedelta(days=rng.randint(-30, 700))
        start = end.replace(year=end.year - 1) + dt.timedelta(days=1) if not (end.month == 2 and end.day == 29) \
            else end.replace(year=end.year - 1, day=28) + dt.timedelta(days=1)
        chronic = rng.random() < 0.2
        rows.append(Contract(number=f"QB{pk:010d}", resident_id=pk, committee_id=committee_id,
                             household_id=household_id, doctor_id=rng.choice(doctors),
                             district_hospital_id=rng.choice(district), city_hospital_id=rng.choice(city),
                             start_date=start, end_date=end, conditions="", has_conditions=chronic, source="bench"))
        made += 1
        if len(rows) >= 10000:
            _write(rows)
            rows = []
    if rows:
        _write(rows)
    # One encryption for all the chronic conditions (the UPDATE encrypts the value once) instead of one per row.
    with transaction.atomic():
        Contract.objects.filter(source="bench", has_conditions=True, conditions="").update(conditions="高血压")
    print(f"  contracts: {made - have:,} written ({time.perf_counter() - t:.0f} s), {made:,} in all")


def _write(rows) -> None:
    from django.db import transaction

    from shequ.health.models import Contract

    with transaction.atomic():
        Contract.objects.bulk_create(rows, batch_size=2000)


def timed(client, url, repeat, warm=2):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return samples, len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--contracts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    configure(args)

    import district

    district.setup()
    import dataset
    from django.db import connection
    from django.test import Client

    from shequ.core import services as core
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User
    from shequ.health import services
    from shequ.health.models import Contract
    from shequ.people.models import Resident

    world = dataset.ensure_world()
    dataset.build_residents(args.residents, world)
    build_contracts(args.contracts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE health_contract")
    users = world["users"]
    sub = Node.objects.get(code="310110015000")
    sub_leader = User.objects.filter(username="bench_sub_leader").first() or core.user_create(
        actor=None, username="bench_sub_leader", full_name="bench_sub_leader", role=Role.LEADER,
        password=dataset.PASSWORD, nodes=[sub], password_is_temporary=False)
    residents, contracts = Resident.objects.count(), Contract.objects.count()
    active = Contract.objects.filter(status="active").count()
    print(f"{connection.vendor}: {residents:,} residents, {contracts:,} contracts ({active:,} active); "
          f"{Node.objects.filter(kind=NodeKind.COMMITTEE).count()} committees; load {os.getloadavg()[0]:.1f}")
    results = {"vendor": connection.vendor, "residents": residents, "contracts": contracts, "figures": []}

    who = {"district leader": users["bench_leader"], "街道 leader": sub_leader, "committee": users["bench_committee"]}
    for name, user in who.items():
        t = time.perf_counter()
        rows = services.coverage_refresh(actor=user)
        seconds = time.perf_counter() - t
        print(f"  coverage recount as {name:<16} {rows:5d} rows  {seconds:8.1f} s")
        results["figures"].append({"what": "coverage recount", "as": name, "seconds": round(seconds, 2)})

    pages = [
        ("coverage by committee (page)", "/health/coverage/", 300),
        ("coverage by committee, 60+ (page)", "/health/coverage/?group=60%2B", 300),
        ("renewal-due list (page)", "/health/due/", None),
        ("renewal-due list (API, first page)", "/api/v1/health/contracts/due/", None),
        ("contract list (API, first page)", "/api/v1/health/contracts/", None),
    ]
    for name, user in who.items():
        client = Client()
        client.force_login(user)
        for what, url, target in pages:
            samples, queries = timed(client, url, args.repeat)
            p50, p95 = statistics.median(samples), pct(samples, 95)
            mark = "" if target is None else (" ✓" if p95 < target else " ✗")
            print(f"  {what:<38} {name:<16} p50 {p50:8.1f}  p95 {p95:8.1f} ms  {queries:3d} queries{mark}")
            results["figures"].append({"what": what, "as": name, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                                       "queries": queries, "target_ms": target})
    out = ROOT / "bench" / "results" / f"health-{connection.vendor}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
