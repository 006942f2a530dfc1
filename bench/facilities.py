"""Benchmark of room bookings (场地预约) on an existing database (the demo, or an empty migrated one):

- fills the booking table to `--bookings` rows (history: checked-in hours, never overlapping);
- booking creation: server time of `services.booking_create` for `--creates` free slots, p50/p95;
- one contested slot: `--clients` threads (each its own connection and session) POST the same slot to
  /api/v1/facilities/bookings/ at the same moment; exactly one 201 is expected, the rest 409.

An empty database gets a minimal 街道, facility, room and leader first. Run on a copy: it writes.

    SQLITE_PATH=/tmp/copy.sqlite3 .venv/bin/python bench/facilities.py --bookings 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/facilities.py
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
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def setup():
    """The culture centre's rooms in the demo; a minimal network in an empty database."""
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User
    from shequ.core.testing import build_tree, make_user
    from shequ.facilities import services
    from shequ.facilities.choices import FacilityLevel
    from shequ.facilities.models import Facility

    leader = User.objects.filter(role=Role.LEADER, is_active=True).order_by("id").first()
    if not Node.objects.filter(kind=NodeKind.SUBDISTRICT).exists():
        build_tree()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("code").first()
    if leader is None:
        leader = make_user(Role.LEADER, [sub], username="bench_leader")
    facility = Facility.objects.filter(level=FacilityLevel.CULTURE_CENTRE).first()
    if facility is None:
        facility = services.facility_create(actor=None, level=FacilityLevel.CULTURE_CENTRE, name="基准测试文化中心",
                                            node=sub, address="基准路1号", closed_on_holidays=False)
        services.opening_hours_set(actor=None, facility=facility,
                                   periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
        for i in range(6):
            services.room_create(actor=None, facility=facility, name=f"活动室{i + 1}", capacity=40)
    return leader, facility, list(facility.rooms.order_by("id"))


def fill(target, leader, rooms):
    from shequ.facilities.models import Booking

    have = Booking.objects.count()
    if have >= target:
        return have, 0.0
    t0 = time.perf_counter()
    per_room = (target - have) // len(rooms) + 1
    oldest = Booking.objects.order_by("start").values_list("start", flat=True).first() or timezone.now()
    base = min(oldest, timezone.now()) - dt.timedelta(days=1)
    batch = []
    made = 0
    for room in rooms:
        for n in range(per_room):
            if have + made >= target:
                break
            start = base - dt.timedelta(hours=2 * (n + 1))
            batch.append(Booking(room=room, start=start, end=start + dt.timedelta(hours=1), purpose="历史预约",
                                 status="checked_in", booked_by=leader, age_group="mixed"))
            made += 1
            if len(batch) >= 5000:
                Booking.objects.bulk_create(batch)
                batch = []
    Booking.objects.bulk_create(batch)
    return Booking.objects.count(), time.perf_counter() - t0


def free_slots(facility, rooms, count):
    """Future one-hour slots inside the opening hours that no booking holds."""
    from shequ.facilities import selectors

    slots = []
    day = timezone.localdate() + dt.timedelta(days=60)
    while len(slots) < count:
        day += dt.timedelta(days=1)
        for hour in (9, 11, 14, 16):
            for room in rooms:
                start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                end = start + dt.timedelta(hours=1)
                try:
                    closed = selectors.opening_refusal(facility, start, end)
                except Exception:
                    closed = "calendar"
                if not closed and not selectors.overlapping(room=room, start=start, end=end).exists():
                    slots.append((room, start, end))
        if day > timezone.localdate() + dt.timedelta(days=360):
            break
    return slots[:count]


def contested(leader, room, start, clients):
    """`clients` threads POST the same slot through the whole Django stack at one moment."""
    from django.test import Client

    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    users = [leader] + [make_user(Role.LEADER, list(leader.nodes.all()), username=f"bench_c{time.time_ns()}_{i}")
                        for i in range(clients - 1)]
    barrier = threading.Barrier(clients)
    codes = [None] * clients
    body = {"room": room.pk, "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
            "purpose": "争抢同一时段"}

    def run(i):
        try:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(users[i])
            barrier.wait()
            codes[i] = client.post("/api/v1/facilities/bookings/", body, content_type="application/json").status_code
        except Exception as exc:  # reported, never hidden
            codes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return codes


def main():
    from shequ.facilities import services

    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    leader, facility, rooms = setup()
    total, fill_s = fill(args.bookings, leader, rooms)
    print(f"database: {connection.vendor}; bookings in table: {total} (filled in {fill_s:.1f} s)")
    slots = free_slots(facility, rooms, args.creates + 1)
    contested_slot, slots = slots[0], slots[1:]
    times, cpu = [], []
    for room, start, end in slots:
        t0, c0 = time.perf_counter(), time.thread_time()
        services.booking_create(actor=leader, room=room, start=start, end=end, purpose="基准测试")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    print(f"booking_create x{len(times)}: p50 {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms, "
          f"max {max(times):.1f} ms; CPU of the thread p50 {statistics.median(cpu):.1f} ms, "
          f"p95 {pct(cpu, 95):.1f} ms; load average {os.getloadavg()[0]:.1f}")
    from django.test.utils import CaptureQueriesContext

    # Statements of one creation: the hour after the contested slot (the slots are at 9, 11, 14 and 16 h).
    room, start, end = (contested_slot[0], contested_slot[1] + dt.timedelta(hours=1),
                        contested_slot[2] + dt.timedelta(hours=1))
    with CaptureQueriesContext(connection) as ctx:
        try:
            services.booking_create(actor=leader, room=room, start=start, end=end, purpose="基准测试")
        except Exception as exc:  # a slot outside the hours: the count is still of one call
            print(f"  (statement probe refused: {exc})")
    print(f"booking_create statements (incl. transaction and savepoints): {len(ctx.captured_queries)}")
    room, start, _end = contested_slot
    codes = contested(leader, room, start, args.clients)
    print(f"{args.clients} parallel POSTs of one slot: 201 x{codes.count(201)}, 409 x{codes.count(409)}, "
          f"other {[c for c in codes if c not in (201, 409)]}")
    if codes.count(201) != 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
