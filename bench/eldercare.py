"""Benchmark of meal assistance (老年助餐) at a million orders, on an existing database (the demo):

- a canteen's kitchen count for one day (`kitchen_count`), p50/p95 over 200 random (canteen, day) pairs;
- the month's settlement of every canteen: one grouped query (`settlements_all`), and each canteen's totals with
  its lines per day and meal (`settlement_figures`, what the settlement page, its Excel and its PDF read).

It first tops the orders up to `--orders` rows: every resident aged 60+ gets an enrolment (the bench's own, at the
demo's canteens in turn) and orders of lunch, dinner and breakfast on past days, priced by the tier table, until
the count is reached. Run on a copy: it writes.

    SQLITE_PATH=/tmp/copy.sqlite3 .venv/bin/python bench/eldercare.py --orders 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_eldercare .venv/bin/python bench/eldercare.py
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fill(target: int, elders_cap: int) -> float:
    from shequ.eldercare.choices import EnrolmentStatus
    from shequ.eldercare.models import Canteen, MealEnrolment, MealOrder
    from shequ.eldercare.pricing import Person, quote
    from shequ.eldercare.selectors.meals import tier_rules
    from shequ.people.models import Resident
    from shequ.people.selectors import age_cutoff

    have = MealOrder.objects.count()
    if have >= target:
        return 0.0
    t0 = time.perf_counter()
    canteens = list(Canteen.objects.filter(is_active=True).order_by("pk"))
    enrolled = set(MealEnrolment.objects.filter(status=EnrolmentStatus.ACTIVE).values_list("resident_id", flat=True))
    # On the district dataset (about 300,000 residents aged 60+) a cap keeps a canteen's day realistic: the demo's
    # canteens serve a few hundred meals a day each, not tens of thousands.
    elders = list(Resident.objects.filter(birth_date__lte=age_cutoff(60), is_active=True)
                  .exclude(pk__in=enrolled).order_by("pk").only("pk", "birth_date", "hukou_type")
                  [:max(0, elders_cap - len(enrolled))])
    MealEnrolment.objects.bulk_create([MealEnrolment(resident=r, canteen=canteens[i % len(canteens)])
                                       for i, r in enumerate(elders)], batch_size=2000)
    enrolments = list(MealEnrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
                      .select_related("resident", "canteen"))
    rules = tier_rules()
    people = {e.pk: Person(e.resident.birth_date, frozenset(), e.resident.hukou_type) for e in enrolments}
    taken = set(MealOrder.objects.values_list("resident_id", "date", "meal"))
    rng = random.Random(7)
    day = timezone.localdate() - dt.timedelta(days=1)
    # Rows go in as plain tuples through executemany, the quote computed once per enrolment, meal and month (the
    # tiers depend on the age, which a month barely moves): model instances and a quote per row made the fill
    # take an hour on the shared machine.
    columns = ["enrolment_id", "resident_id", "canteen_id", "date", "meal", "mode", "status", "channel", "price",
               "discount", "subsidy", "payable", "tiers", "created_at"]
    table = MealOrder._meta.db_table
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
    created = timezone.now()
    if connection.vendor == "sqlite":
        created = connection.ops.adapt_datetimefield_value(created)
    quotes: dict = {}
    batch, need = [], target - have
    while need > 0:
        month = (day.year, day.month)
        for e in enrolments:
            for meal in ("lunch", "dinner", "breakfast"):
                price = e.canteen.price_of(meal)
                if price is None or (e.resident_id, day, meal) in taken or rng.random() < 0.15:
                    continue
                q = quotes.get((e.pk, meal, month))
                if q is None:
                    q = quotes[(e.pk, meal, month)] = quote(rules, people[e.pk], day, price, "dine_in",
                                                            subsidy_used_today=meal != "lunch")
                batch.append((e.pk, e.resident_id, e.canteen_id, day, meal, "dine_in", "active", "self",
                              q.price, q.discount, q.subsidy, q.payable, "、".join(q.tiers), created))
                need -= 1
                if need <= 0:
                    break
            if need <= 0:
                break
        if len(batch) >= 20000 or need <= 0:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch = []
        day -= dt.timedelta(days=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE eldercare_mealorder")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - t0


def _plan(sql: str) -> list:
    """EXPLAIN of a captured statement (its parameters inlined as Django logged them)."""
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql)
        return [row[-1] if connection.vendor == "sqlite" else row[0] for row in cursor.fetchall()]


def main():
    from shequ.eldercare import selectors
    from shequ.eldercare.models import Canteen, MealOrder

    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--elders", type=int, default=2000, help="enrolled elders at most (the demo's and the bench's)")
    args = parser.parse_args()

    filled = fill(args.orders, args.elders)
    total = MealOrder.objects.count()
    dates = MealOrder.objects.order_by("date").values_list("date", flat=True)
    first, last = dates.first(), MealOrder.objects.order_by("-date").values_list("date", flat=True).first()
    canteens = list(Canteen.objects.filter(is_active=True))
    print(f"{connection.vendor}: {total:,} orders, {len(canteens)} canteens, {first} … {last}"
          f"{f', filled in {filled:.0f} s' if filled else ''}")

    rng = random.Random(11)
    span = (last - first).days
    times = []
    for _ in range(args.samples):
        canteen, day = rng.choice(canteens), first + dt.timedelta(days=rng.randint(0, span))
        t0 = time.perf_counter()
        count = selectors.kitchen_count(canteen=canteen, day=day)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"kitchen count of a canteen's day: p50 {statistics.median(times):.2f} ms, p95 {pct(times, 95):.2f} ms "
          f"(last: {count['total']} portions)")

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.kitchen_count(canteen=canteens[0], day=last)
    print(f"kitchen count statements: {len(ctx.captured_queries)}; plan: "
          + " | ".join(str(r) for r in _plan(ctx.captured_queries[-1]["sql"])))
    month = (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        grouped = selectors.settlements_all(month=month)
        runs.append(time.perf_counter() - t0)
    meals = sum(r["meals"] for r in grouped.values())
    print(f"month's settlement, all canteens, one grouped query ({month:%Y-%m}, {meals:,} orders): "
          f"median {statistics.median(runs) * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for canteen in canteens:
            selectors.settlement_figures(canteen=canteen, month=month)
        runs.append(time.perf_counter() - t0)
    print(f"month's settlement, each canteen's totals and daily lines: median {statistics.median(runs) * 1000:.0f} ms,"
          f" worst {max(runs) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
