"""Benchmark of the residents' side (居民端) on an existing database (the demo, or the district dataset):

- real-name binding: server time of `account_bind` (keyed-hash lookup of the ID number), p50/p95 of 50 binds;
- 100 parallel bookings (threads, each its own connection) for one 10-place slot: booked seats and 409s;
- the portal home page (/m/) as a bound resident through the whole Django stack, p50/p95 of 30 requests.

Before measuring it adds `--accounts` resident accounts and `--appointments` appointments so the tables are not
empty. Run on a copy: it writes.

    DATABASE_URL=sqlite:////tmp/copy.sqlite3 .venv/bin/python bench/portal.py --accounts 2000 --appointments 20000
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    from shequ.acceptance.models import QueueCategory, ServiceItem
    from shequ.core.choices import NodeKind, Role
    from shequ.core.crypto import keyed_hash
    from shequ.core.errors import ConflictError
    from shequ.core.models import Node, User
    from shequ.people.models import Resident
    from shequ.portal import services
    from shequ.portal.models import Appointment, AppointmentSlot, ResidentAccount

    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--appointments", type=int, default=20000)
    parser.add_argument("--home-only", action="store_true", help="measure only the home page (no filling)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if args.home_only:
        home_page(args.requests)
        return

    supervisor = User.objects.filter(role=Role.HALL_SUPERVISOR).first()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("code").first()
    category = QueueCategory.objects.filter(is_active=True, items__isnull=False).distinct().order_by("letter").first()
    item = ServiceItem.objects.filter(queue_category=category, is_active=True).first()
    residents = Resident.objects.count()

    # --- filling ---------------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    existing = ResidentAccount.objects.count()
    new_users = [User(username=f"bench_r{i:07d}", role=Role.RESIDENT, password="!") for i in
                 range(existing, args.accounts)]
    User.objects.bulk_create(new_users, batch_size=2000)
    users = User.objects.filter(username__startswith="bench_r", resident_account__isnull=True)
    ResidentAccount.objects.bulk_create([ResidentAccount(user=u, phone="", phone_hash=f"bench:{u.pk}",
                                                         phone_masked="") for u in users], batch_size=2000)
    accounts = list(ResidentAccount.objects.values_list("pk", flat=True))
    base = timezone.localdate() + dt.timedelta(days=400)
    per_slot = 20
    slots = []
    for n in range(max(1, args.appointments // per_slot)):  # 40 distinct start times a day keep them unique
        start = dt.time(8 + (n % 40) // 4, (n % 4) * 15)
        slots.append(AppointmentSlot(node=sub, date=base + dt.timedelta(days=n // 40), start=start,
                                     end=dt.time(start.hour, start.minute + 10), category=category,
                                     capacity=per_slot, booked=per_slot, created_by=supervisor))
    AppointmentSlot.objects.bulk_create(slots, batch_size=2000, ignore_conflicts=True)
    slot_ids = list(AppointmentSlot.objects.filter(date__gte=base).values_list("pk", flat=True))
    rows, k = [], Appointment.objects.count()
    for n in range(args.appointments - k):
        rows.append(Appointment(slot_id=slot_ids[n % len(slot_ids)], item=item, code=f"B{k + n:07d}",
                                account_id=accounts[n % len(accounts)], status="cancelled"))
    Appointment.objects.bulk_create(rows, batch_size=5000)
    fill = time.perf_counter() - t0

    # --- binding -----------------------------------------------------------------------------------------------
    sample = list(Resident.objects.filter(portal_account__isnull=True).order_by("?")[:50])
    bind_user = User.objects.filter(username__startswith="bench_r").first()
    times = []
    for r in sample:
        account = ResidentAccount.objects.get(user=bind_user)
        with transaction.atomic():  # each bind is undone so the same account binds again
            started = time.perf_counter()
            services.account_bind(account=account, name=r.name, id_number=r.id_number, consent=True)
            times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    bind = (statistics.median(times), pct(times, 95))

    # --- 100 parallel bookings for a 10-place slot ------------------------------------------------------------------
    day = timezone.localdate() + dt.timedelta(days=2)
    race = AppointmentSlot.objects.create(node=sub, date=day, start=dt.time(7, 1), end=dt.time(7, 50),
                                          category=category, capacity=10, created_by=supervisor)
    racers = ResidentAccount.objects.filter(user__username__startswith="bench_r").order_by("pk")[:100]
    racers = list(racers)
    connection.close()
    barrier, results = threading.Barrier(100), [None] * 100

    def run(i):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.appointment_book(account=racers[i], slot_id=race.pk, item_id=item.pk)
            results[i] = 201
        except ConflictError:
            results[i] = 409
        except Exception as exc:  # reported
            results[i] = repr(exc)
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    race_s = time.perf_counter() - started
    race.refresh_from_db()

    # --- home page ---------------------------------------------------------------------------------------------
    home, ping, _statements, _cpu = measure_home(30)

    print(f"database: {connection.vendor}; residents {residents:,}; accounts {ResidentAccount.objects.count():,}; "
          f"appointments {Appointment.objects.count():,} (filled in {fill:.1f} s)")
    print(f"binding (account_bind):      p50 {bind[0]:.1f} ms  p95 {bind[1]:.1f} ms   target p95 < 50 ms")
    print(f"100 parallel bookings, 10 places: booked {race.booked} (rows "
          f"{Appointment.objects.filter(slot=race, status='booked').count()}), "
          f"201 × {results.count(201)}, 409 × {results.count(409)}, other {[r for r in results if r not in (201, 409)][:3]}"
          f"; {race_s:.2f} s")
    print(f"portal home page /m/:        p50 {home[0]:.1f} ms  p95 {home[1]:.1f} ms   target p95 < 40 ms")
    print(f"bare view /healthz/ping:     p50 {ping[0]:.1f} ms  p95 {ping[1]:.1f} ms   (same session, same stack)")
    print(f"load average: {os.getloadavg()[0]:.1f}")


def measure_home(n: int):
    """/m/ as the bound resident with the most to show (family members, contracts): wall p50/p95, the same for a
    bare view, the statements of one warm request and the CPU time of the thread per request (which the other
    work on a shared machine inflates far less than wall time)."""
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from shequ.portal.models import ResidentAccount

    bound = (ResidentAccount.objects.filter(resident__isnull=False, resident__household__isnull=False)
             .annotate(n=Count("resident__household__members")).order_by("-n", "pk").select_related("user").first()
             or ResidentAccount.objects.filter(resident__isnull=False).select_related("user").first())
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bound.user)
    for _i in range(5):
        client.get("/m/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/m/").status_code == 200
    statements = len(ctx.captured_queries)
    times, cpu = [], []
    for _i in range(n):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get("/m/")
        cpu.append((time.thread_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    home = (statistics.median(times), pct(times, 95))
    times = []  # the same stack on a bare view, to read the figure against on a loaded machine
    for _i in range(n):
        started = time.perf_counter()
        client.get("/healthz/ping")
        times.append((time.perf_counter() - started) * 1000)
    ping = (statistics.median(times), pct(times, 95))
    return home, ping, statements, (statistics.median(cpu), pct(cpu, 95))


def home_page(n: int):
    home, ping, statements, cpu = measure_home(n)
    print(f"portal home page /m/: {statements} statements; wall p50 {home[0]:.1f} ms p95 {home[1]:.1f} ms; "
          f"thread CPU p50 {cpu[0]:.1f} ms p95 {cpu[1]:.1f} ms")
    print(f"bare view /healthz/ping: p50 {ping[0]:.1f} ms p95 {ping[1]:.1f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
