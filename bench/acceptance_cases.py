"""Case-list latency with a million acceptance cases (办件), in a separate SQLite database.

    .venv/bin/python bench/acceptance_cases.py [--cases 1000000] [--repeat 5]

Builds once (a second run reuses the data): the demo jurisdiction and departments, nine more 街道 (a district
deployment of 10 centres), the 64-item catalogue, and N cases spread evenly over the 10 centres and the last 400
days, in the states a case of that age is usually in, bulk-inserted with executemany (ID numbers really
encrypted; a pool of ciphertexts is reused to keep the build quick). Then it times, as the pages and the API do
it: the API case list (first page, a deep page by keyset cursor, filters), the HTML case list (first page, a deep
page, filters), the back-office queue, the overdue page and the home page with its pending counters, for a clerk
(one centre, ~100k cases), a department officer and a district-level leader (all 1M). It prints median and
worst milliseconds of `--repeat` runs after a warm-up, and the query plans of the list queries.
SQLITE_PATH defaults to var/bench-acceptance.sqlite3.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench-acceptance.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SHEQU_PLAIN_STATIC", "1")  # the HTML pages need no collectstatic here

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

SUBDISTRICTS = ["殷行街道", "五角场街道", "控江路街道", "长白新村街道", "平凉路街道", "江浦路街道", "大桥街道",
                "定海路街道", "四平路街道"]
PASSWORD = "Bench#Passw0rd!"
CHUNK = 20000


class Quiet:
    def write(self, *args, **kwargs):
        pass


def build(total: int) -> dict:
    from shequ.acceptance import demo as acceptance_demo
    from shequ.acceptance.models import Case, ServiceItem
    from shequ.core import demo as core_demo, services as core
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Department, Node, User

    call_command("migrate", verbosity=0)
    core_demo.seed(stdout=Quiet(), password=PASSWORD, rng=random.Random(1))
    district = Node.objects.get(code="310110000000")
    centres = [Node.objects.get(code="310110015000")]
    for index, name in enumerate(SUBDISTRICTS, start=16):
        code = f"310110{index:03d}000"
        centres.append(Node.objects.filter(code=code).first() or core.node_create(
            actor=None, kind=NodeKind.SUBDISTRICT, code=code, name=name, parent=district))
    acceptance_demo._categories()
    acceptance_demo._catalogue()
    users = {}
    for username, role, nodes, dept in (("bench_clerk", Role.WINDOW_CLERK, [centres[0]], "SLZX"),
                                        ("bench_supervisor", Role.HALL_SUPERVISOR, [centres[0]], "SLZX"),
                                        ("bench_officer", Role.DEPT_OFFICER, [district], "MZ"),
                                        ("bench_leader", Role.LEADER, [district], None)):
        users[username] = User.objects.filter(username=username).first() or core.user_create(
            actor=None, username=username, full_name=username, role=role, password=PASSWORD, nodes=nodes,
            department=Department.objects.get(code=dept) if dept else None, password_is_temporary=False)
    existing = Case.objects.count()
    if existing < total:
        t0 = time.time()
        _insert(total - existing, existing, centres, list(ServiceItem.objects.select_related("department")),
                users["bench_clerk"], users["bench_officer"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"建立办件 {total - existing:,} 件，用时 {time.time() - t0:.0f} 秒")
    return {"users": users, "centres": centres}


def _insert(count, offset, centres, items, clerk, officer):
    from shequ.acceptance.models import Case
    from shequ.acceptance.services.cases import due_dates
    from shequ.core import crypto, idcard, workcal

    rng = random.Random(2026)
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    sql = (f"INSERT INTO {Case._meta.db_table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    defaults = {f.attname: f.get_default() for f in fields}
    from django.db import models

    ops = connection.ops
    adapt = [ops.adapt_datetimefield_value if isinstance(f, models.DateTimeField) else
             ops.adapt_datefield_value if isinstance(f, models.DateField) else None for f in fields]
    pool = []
    for n in range(500):
        body = f"310110{1940 + n % 60}{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
        idn = body + idcard.check_char(body)
        pool.append((crypto.encrypt(idn), crypto.keyed_hash(idn), idcard.mask_id_number(idn),
                     crypto.encrypt(f"139{n:08d}"), idcard.mask_phone(f"139{n:08d}")))
    names = ["王秀英", "李建国", "张桂兰", "刘志强", "陈美华", "杨伟", "赵丽萍", "黄国强", "周敏", "吴金妹"]
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    cache: dict = {}

    def due(start, limit):
        key = (start, limit)
        if key not in cache:
            try:
                cache[key] = due_dates(start, limit)
            except workcal.CalendarUnavailable:
                cache[key] = (None, None)
        return cache[key]

    per_day: dict = {}
    rows = []
    for n in range(offset, offset + count):
        centre = centres[n % len(centres)]
        age = int(400 * (1 - (rng.random() ** 0.7)))  # more recent cases than old ones
        day = today - dt.timedelta(days=age)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        received = dt.datetime.combine(day, dt.time(8, 30), tzinfo=tz) + dt.timedelta(minutes=rng.randint(0, 470))
        seq = per_day[(centre.pk, day)] = per_day.get((centre.pk, day), 0) + 1
        item = items[n % len(items)]
        enc_id, id_hash, id_masked, enc_phone, phone_masked = pool[n % len(pool)]
        row = dict(defaults)
        row.update(number=f"SL{day:%y%m%d}{centre.code[6:9]}{seq:04d}", check_code=f"{n % 1000000:06d}",
                   node_id=centre.pk, item_id=item.pk, department_id=item.department_id,
                   applicant_name=names[n % len(names)], applicant_id_number=enc_id, applicant_id_hash=id_hash,
                   applicant_id_masked=id_masked, applicant_phone=enc_phone, applicant_phone_masked=phone_masked,
                   received_at=received, received_by_id=clerk.pk, updated_at=received)
        roll = rng.random()
        if roll < 0.04:
            row.update(status="rejected", closing_reason="申请人不具备申请资格", closed_at=received)
        elif roll < 0.12 and age > 2:
            row.update(status="notified", notice_at=received)
        else:
            warn, due_date = due(day, item.limit_days)
            if due_date is None:
                row.update(status="notified", notice_at=received)
            else:
                row.update(accepted_at=received, accepted_by_id=clerk.pk, clock_start=day, warn_date=warn,
                           due_date=due_date)
                progressed = age > item.limit_days * 1.4 + 3 or (item.limit_days == 0)
                if not progressed:
                    row["status"] = rng.choice(["accepted", "reviewing", "reviewing", "approved", "returned"])
                    row["handler_id"] = officer.pk if row["status"] != "accepted" else None
                    if row["status"] == "returned":
                        row["paused_at"] = received
                else:
                    done = received + dt.timedelta(days=max(0, int(item.limit_days * rng.uniform(0.3, 1.2))))
                    late = timezone.localdate(done) > due_date
                    row.update(status="delivered", handler_id=officer.pk, decided_at=done, completed_at=done,
                               completed_by_id=officer.pk, on_time=not late, delivered_at=done,
                               delivered_by_id=clerk.pk, delivered_to="applicant",
                               recipient_name=row["applicant_name"], recipient_id_masked=id_masked)
        # Dates go through the backend's adapters; the encrypted columns already hold ciphertext from the pool.
        rows.append([adapt[i](row[f.attname]) if adapt[i] else row[f.attname] for i, f in enumerate(fields)])
        if len(rows) >= CHUNK:
            _flush(sql, rows)
            rows = []
    if rows:
        _flush(sql, rows)


def _flush(sql, rows):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs), max(runs)


def get(client, path, expect=200):
    def run():
        response = client.get(path)
        assert response.status_code == expect, (path, response.status_code, response.content[:200])
        return response
    return run


def cursor_for(position: int) -> str:
    import base64
    from urllib.parse import urlencode

    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    world = build(args.cases)
    from django.test import Client

    from shequ.acceptance.models import Case

    clients = {}
    for name, user in world["users"].items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    centre = world["centres"][0]
    total = Case.objects.count()
    in_centre = Case.objects.filter(node=centre).count()
    low_id = Case.objects.filter(node=centre).order_by("id").values_list("id", flat=True)[min(1000, in_centre // 10)]
    sample = Case.objects.filter(node=centre).order_by("-id").values_list("number", flat=True)[in_centre // 2]
    print(f"数据库 {connection.vendor}：办件 {total:,} 件（延吉新村街道 {in_centre:,} 件），{os.cpu_count()} 核 CPU")
    checks = [
        ("API 第一页（受理员，本中心）", "bench_clerk", "/api/v1/acceptance/cases/"),
        ("API 第一页（区级领导，全部100万）", "bench_leader", "/api/v1/acceptance/cases/"),
        ("API 深页 keyset 游标（受理员）", "bench_clerk", f"/api/v1/acceptance/cases/?cursor={cursor_for(low_id)}"),
        ("API 深页 keyset 游标（区级领导）", "bench_leader", f"/api/v1/acceptance/cases/?cursor={cursor_for(2000)}"),
        ("API 按状态筛选 reviewing（区级领导）", "bench_leader", "/api/v1/acceptance/cases/?status=reviewing"),
        ("API 超期筛选（受理员）", "bench_clerk", "/api/v1/acceptance/cases/?light=overdue"),
        ("API 按编号查找（受理员）", "bench_clerk", f"/api/v1/acceptance/cases/?q={sample}"),
        ("API 民政部门办件（部门审批员）", "bench_officer", "/api/v1/acceptance/cases/?status=open"),
        ("HTML 列表第一页（受理员）", "bench_clerk", "/acceptance/cases/"),
        ("HTML 列表深页 ?before=（受理员）", "bench_clerk", f"/acceptance/cases/?before={low_id}"),
        ("HTML 列表按状态 notified（受理员）", "bench_clerk", "/acceptance/cases/?status=notified"),
        ("HTML 列表按姓名前缀（受理员）", "bench_clerk", "/acceptance/cases/?q=王秀"),
        ("HTML 列表第一页（区级领导）", "bench_leader", "/acceptance/cases/"),
        ("HTML 部门审核队列（部门审批员）", "bench_officer", "/acceptance/backoffice/"),
        ("HTML 到期督办（大厅主管）", "bench_supervisor", "/acceptance/overdue/"),
        ("HTML 首页待办计数（受理员）", "bench_clerk", "/"),
        ("HTML 首页待办计数（部门审批员）", "bench_officer", "/"),
        ("HTML 大厅看板（大厅主管）", "bench_supervisor", "/acceptance/dashboard/"),
        ("HTML 考核统计本月（大厅主管）", "bench_supervisor", "/acceptance/figures/"),
    ]
    for label, user, path in checks:
        median, worst = timed(get(clients[user], path), args.repeat)
        print(f"  {label:<34} 中位 {median:7.1f} ms  最慢 {worst:7.1f} ms")
    from shequ.acceptance import selectors

    print("查询计划：")
    for label, user, qs in (
            ("受理员列表", "bench_clerk", selectors.case_list(user=world["users"]["bench_clerk"])[:26]),
            ("领导列表", "bench_leader", selectors.case_list(user=world["users"]["bench_leader"])[:26]),
            ("部门队列（按状态之一）", "bench_officer",
             selectors.case_queryset(user=world["users"]["bench_officer"]).filter(status="reviewing")
             .order_by("due_date", "id")[:100]),
            ("超期计数", "bench_clerk", selectors.overdue(user=world["users"]["bench_clerk"]))):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            print(f"  {label}: " + " | ".join(str(r[-1]) for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
