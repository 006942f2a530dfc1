"""Ticket issuance (取号) under parallel clients, in a separate SQLite database.

    .venv/bin/python bench/acceptance_tickets.py [--clients 8] [--per-client 100] [--via api|service|both]

Each client is an OS process (its own database connection, no shared GIL) released at the same moment; it takes
numbers as fast as it can, alternating categories A/B/C. `api` goes through the whole Django stack
(POST /api/v1/acceptance/tickets/ with a paired kiosk's `Authorization: Device …`, middleware, DRF, the service,
audit row, event row); `service` calls `ticket_issue` directly. Afterwards it checks that every category's numbers
are 1..n with no gap and no duplicate, and prints throughput and latency percentiles.
SQLITE_PATH defaults to var/bench-acceptance-tickets.sqlite3 (created and migrated on first use).
"""

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench-acceptance-tickets.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SHEQU_PLAIN_STATIC", "1")  # the HTML pages need no collectstatic here

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

LETTERS = "ABC"


def prepare() -> tuple[int, str]:
    """A district, one 街道 centre (a benchmark-only 街道) with three categories and windows, and a paired kiosk. Returns (node id,
    device secret). Today's tickets of earlier runs are removed so the numbering starts at 1."""
    from django.utils import timezone

    from shequ.acceptance import services
    from shequ.acceptance.models import DailyCounter, Device, QueueCategory, Ticket, Window
    from shequ.core import services as core
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User

    call_command("migrate", verbosity=0)
    district = Node.objects.filter(code="310110000000").first() or core.node_create(
        actor=None, kind=NodeKind.DISTRICT, code="310110000000", name="杨浦区")
    # A hall of its own, so that clearing today's tickets never touches a real (or the demo's) hall's queue.
    sub = Node.objects.filter(code="310110099000").first() or core.node_create(
        actor=None, kind=NodeKind.SUBDISTRICT, code="310110099000", name="压测街道", parent=district)
    categories = []
    for i, letter in enumerate(LETTERS):
        category, _c = QueueCategory.objects.get_or_create(letter=letter, defaults={"name": f"类别{letter}",
                                                                                    "sort_order": i})
        categories.append(category)
    supervisor = User.objects.filter(username="bench_hall").first() or core.user_create(
        actor=None, username="bench_hall", full_name="压测大厅主管", role=Role.HALL_SUPERVISOR,
        password="Bench#Passw0rd!", nodes=[sub], password_is_temporary=False)
    for n in range(1, 4):
        if not Window.objects.filter(node=sub, number=n).exists():
            services.window_save(actor=supervisor, node=sub, number=n, name="综合受理", categories=categories)
    Device.objects.filter(node=sub, name="压测取号机").delete()
    device, code = services.device_create(actor=supervisor, node=sub, name="压测取号机", kind="kiosk")
    _device, secret = services.device_pair(code=code, source="bench")
    today = timezone.localdate()
    Ticket.objects.filter(node=sub, day=today).delete()
    DailyCounter.objects.filter(node=sub, day=today, key__startswith="T:").delete()
    return sub.pk, secret


def client(index, count, via, node_id, secret, start_at, queue):
    from django.db import connection as conn

    conn.close()  # never reuse the parent's connection after fork
    from shequ.acceptance import services
    from shequ.core.models import Node

    node = Node.objects.get(pk=node_id)
    api = None
    if via == "api":
        from django.test import Client

        api = Client(HTTP_AUTHORIZATION=f"Device {secret}")
    latencies, errors = [], []
    while time.time() < start_at:
        time.sleep(0.001)
    for i in range(count):
        letter = LETTERS[(index + i) % len(LETTERS)]
        t0 = time.perf_counter()
        try:
            if api is not None:
                response = api.post("/api/v1/acceptance/tickets/", {"category": letter},
                                    content_type="application/json")
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.content[:120]!r}")
            else:
                services.ticket_issue(node=node, category=letter, device=None, actor=None)
        except Exception as exc:  # reported, not hidden
            errors.append(repr(exc))
        latencies.append((time.perf_counter() - t0) * 1000)
    conn.close()
    queue.put((latencies, errors))


def run(via: str, clients: int, per_client: int, node_id: int, secret: str) -> dict:
    from django.utils import timezone

    from shequ.acceptance.models import DailyCounter, Ticket

    today = timezone.localdate()
    Ticket.objects.filter(node_id=node_id, day=today).delete()
    DailyCounter.objects.filter(node_id=node_id, day=today, key__startswith="T:").delete()
    connection.close()
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 1.0
    procs = [ctx.Process(target=client, args=(i, per_client, via, node_id, secret, start_at, queue))
             for i in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.time() - start_at
    latencies = [ms for lat, _e in results for ms in lat]
    errors = [e for _l, errs in results for e in errs]
    # Check: every category is numbered 1..n, no gap, no duplicate.
    gapless = True
    per_category = {}
    for letter in LETTERS:
        seqs = sorted(Ticket.objects.filter(node_id=node_id, day=today, category__letter=letter)
                      .values_list("seq", flat=True))
        per_category[letter] = len(seqs)
        gapless &= seqs == list(range(1, len(seqs) + 1))
    numbers = list(Ticket.objects.filter(node_id=node_id, day=today).values_list("number", flat=True))
    return {"via": via, "clients": clients, "tickets": len(numbers), "expected": clients * per_client,
            "errors": len(errors), "first_error": errors[0] if errors else "", "wall_s": round(wall, 2),
            "per_s": round(len(numbers) / wall, 1), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95) - 1], 1),
            "max_ms": round(max(latencies), 1), "unique": len(numbers) == len(set(numbers)), "gapless": gapless,
            "per_category": per_category}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=100)
    parser.add_argument("--via", choices=["api", "service", "both"], default="both")
    args = parser.parse_args()
    node_id, secret = prepare()
    print(f"数据库 {connection.vendor} {os.environ.get('SQLITE_PATH')}  CPU {os.cpu_count()} 核")
    for via in (["service", "api"] if args.via == "both" else [args.via]):
        for clients in sorted({1, args.clients}):
            r = run(via, clients, args.per_client, node_id, secret)
            print(f"{r['via']:>7} 并发 {r['clients']:>2}：{r['tickets']}/{r['expected']} 张，{r['wall_s']} s，"
                  f"{r['per_s']} 张/秒；延迟 p50 {r['p50_ms']} ms，p95 {r['p95_ms']} ms，最大 {r['max_ms']} ms；"
                  f"号码唯一 {r['unique']}，连续无缺号 {r['gapless']}，各类别 {r['per_category']}；错误 {r['errors']}"
                  + (f"（{r['first_error']}）" if r["errors"] else ""))


if __name__ == "__main__":
    main()
