"""Case-list and indicator latency with a million grid cases, in a separate SQLite database.

    SQLITE_PATH=var/bench-grid.sqlite3 .venv/bin/python bench/grid_cases.py [--cases 1000000]

Builds (once) the demo jurisdiction (17 committees, 72 grids), the catalogue and N cases spread over the last
year in every state, bulk-inserted with raw SQL; rebuilds the indicator summary (`CaseStat`) and synthetic post
figures; then times what the pages and the API do: the case list (first page + count, filters, keyset page)
and the indicators of a month and of a year (by area, by unit, by post, trend), with the raw aggregation over the
cases for comparison. A second run reuses the data.
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
os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench-grid.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

STATUS_OLD = (["closed"] * 40 + ["evaluated"] * 42 + ["void"] * 8 + ["merged"] * 3 + ["parked"] * 1
              + ["handling"] * 2 + ["fed_back"] * 1 + ["checked"] * 1 + ["dispatched"] * 2)
STATUS_NEW = (["reported"] * 8 + ["verifying"] * 6 + ["verified"] * 4 + ["filed"] * 6 + ["dispatched"] * 10
              + ["handling"] * 18 + ["returned"] * 2 + ["parked"] * 2 + ["fed_back"] * 8 + ["checked"] * 4
              + ["closed"] * 18 + ["evaluated"] * 8 + ["void"] * 4 + ["merged"] * 2)
SOURCES = ["patrol"] * 45 + ["resident"] * 18 + ["12345"] * 15 + ["video"] * 10 + ["110"] * 5 + ["station"] * 7


class Quiet:
    def write(self, *args, **kwargs):
        pass


def timed(fn, repeat=5):
    """Median wall time in ms of `fn()` over `repeat` runs (after one warm-up run)."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def setup_world():
    from shequ.core import demo as core_demo
    from shequ.core.models import Node
    from shequ.grid import demo as grid_demo
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy

    if not Node.objects.filter(code="310110015000").exists():
        with transaction.atomic():
            core_demo.seed(stdout=Quiet(), password="Shequ#2026bench", rng=random.Random(1))
    sub = Node.objects.get(code="310110015000")
    with transaction.atomic():
        grid_demo._units(sub, sub.parent)
        ensure_taxonomy()
        ensure_process_limits()
    return sub


def insert_cases(n: int, sub, seed: int = 7):
    from shequ.core.choices import NodeKind
    from shequ.core.models import Department, Node, User
    from shequ.grid.models import Case, Category

    rng = random.Random(seed)
    grids = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015").values_list(
        "id", "parent_id", "geometry"))
    centres = []
    for gid, parent, geom in grids:
        ring = geom["coordinates"][0][:-1]
        centres.append((gid, parent, sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)))
    categories = list(Category.objects.values_list("id", "main__kind", "department_id"))
    units = list(Department.objects.filter(is_active=True).exclude(kind="office").values_list("id", flat=True))
    staff = list(User.objects.filter(role__in=["inspector", "patrol", "ops_operator", "shift_leader",
                                               "dispatcher"]).values_list("id", flat=True))
    end = timezone.now().replace(microsecond=0)
    start = end - dt.timedelta(days=365)
    span = (end - start).total_seconds()
    columns = ["number", "category_id", "kind", "source", "urgency", "status", "node_id", "grid_id", "committee_id",
               "lat", "lng", "address", "description", "component_code", "reporter_id", "reporter_name",
               "reporter_contact", "external_no", "unit_id", "limit_hours", "limit_unit", "reported_at",
               "verified_at", "filed_at", "dispatch_due", "first_dispatched_at", "dispatched_at", "dispatched_by_id",
               "signed_at", "deadline", "warn_at", "parked_at", "fed_back_at", "checked_at", "closed_at",
               "closed_on_time", "self_handled", "rework_count", "extension_count", "return_count", "was_parked",
               "satisfaction", "evaluation_note", "status_note", "updated_at", "version"]
    sql = (f"INSERT INTO grid_case ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
    base = Case.objects.count()
    done = 0
    t0 = time.perf_counter()
    while done < n:
        batch = []
        for k in range(min(20000, n - done)):
            i = base + done + k
            reported = start + dt.timedelta(seconds=span * (i - base) / n + rng.uniform(0, 30))
            age_days = (end - reported).days
            status = rng.choice(STATUS_NEW if age_days < 14 else STATUS_OLD)
            gid, committee, lat, lng = rng.choice(centres)
            cat_id, kind, dept = rng.choice(categories)
            urgency = "urgent" if rng.random() < 0.06 else "normal"
            filed = status not in ("reported", "verifying", "verified", "void", "merged")
            dispatched = filed and status != "filed"
            closed = status in ("closed", "evaluated")
            fed_back = closed or status in ("fed_back", "checked")
            disp = reported + dt.timedelta(minutes=rng.randint(20, 180)) if dispatched else None
            limit = rng.choice([2, 4, 8, 14, 35])
            deadline = disp + dt.timedelta(hours=limit * 2.5) if disp else None
            late = rng.random() < 0.14
            fb = (disp + dt.timedelta(hours=limit * 2.5 * (rng.uniform(1.05, 2) if late else rng.uniform(0.1, 0.9)))
                  if fed_back else None)
            closed_at = fb + dt.timedelta(hours=rng.uniform(0.5, 4)) if closed else None
            unit = (dept or rng.choice(units)) if dispatched else None
            rework = 1 if closed and rng.random() < 0.06 else 0
            batch.append((
                f"310110015-{timezone.localtime(reported):%Y%m%d}-B{i:07d}", cat_id, kind, rng.choice(SOURCES),
                urgency, status, gid, gid, committee, lat + rng.uniform(-3e-4, 3e-4), lng + rng.uniform(-3e-4, 3e-4),
                f"延吉中路{rng.randint(1, 400)}号", "批量生成的测试案件", "", rng.choice(staff), "", "", "",
                unit, float(limit) if dispatched else None, "work_hours" if dispatched else "", reported,
                reported + dt.timedelta(minutes=30) if filed else None,
                reported + dt.timedelta(minutes=15) if filed else None,
                reported + dt.timedelta(minutes=45) if filed else None, disp, disp,
                rng.choice(staff) if dispatched else None, disp + dt.timedelta(minutes=20) if disp else None,
                deadline, disp + dt.timedelta(hours=limit * 2) if disp else None,
                reported + dt.timedelta(days=2) if status == "parked" else None, fb,
                fb + dt.timedelta(hours=1) if fb and status != "fed_back" else None, closed_at,
                (not late) if closed else None, False, rework,
                1 if filed and rng.random() < 0.04 else 0, 1 if dispatched and rng.random() < 0.02 else 0,
                status == "parked", rng.choice(["satisfied", "satisfied", "basic"]) if status == "evaluated" else "",
                "", "", closed_at or reported, 1))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        done += len(batch)
        rate = done / (time.perf_counter() - t0)
        print(f"\r  写入案件 {done:,}/{n:,}（{rate:,.0f} 行/秒）", end="", flush=True)
    print()


def synth_post_stats(days=400):
    from shequ.core.models import User
    from shequ.grid.models import PostStat

    if PostStat.objects.exists():
        return
    rng = random.Random(3)
    rows = []
    today = timezone.localdate()
    people = list(User.objects.filter(role__in=["inspector", "patrol", "ops_operator", "shift_leader",
                                                "dispatcher"]).values_list("id", "role"))
    actions = {"inspector": ["report", "report_valid", "verify", "check"], "patrol": ["report", "report_valid"],
               "ops_operator": ["file", "close"], "shift_leader": ["file", "close"], "dispatcher": ["dispatch"]}
    for d in range(days):
        day = today - dt.timedelta(days=d)
        for uid, role in people:
            for action in actions[role]:
                count = rng.randint(20, 400)
                rows.append(PostStat(day=day, user_id=uid, action=action, count=count,
                                     on_time=int(count * rng.uniform(0.8, 1)), wrong=rng.randint(0, 5)))
    PostStat.objects.bulk_create(rows, batch_size=5000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"数据库：{connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    sub = setup_world()
    from shequ.core.choices import NodeKind, Role
    from shequ.core.models import Node, User
    from shequ.core.scoping import scope_node_ids
    from shequ.grid import selectors, stats
    from shequ.grid.models import Case, CaseStat

    from shequ.grid.models import CaseStatMonth

    have = Case.objects.count()
    if have < args.cases or not CaseStatMonth.objects.exists():
        if have < args.cases:
            t = time.perf_counter()
            insert_cases(args.cases - have, sub)
            print(f"  批量写入 {args.cases - have:,} 件用时 {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        with transaction.atomic():
            rows = stats.rebuild()
        print(f"  重建指标汇总表 CaseStat：{rows:,} 行（按月 {CaseStatMonth.objects.count():,} 行），"
              f"用时 {time.perf_counter() - t:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    synth_post_stats()
    print(f"案件 {Case.objects.count():,} 件；日汇总 {CaseStat.objects.count():,} 行；"
          f"月汇总 {CaseStatMonth.objects.count():,} 行")

    user = User.objects.filter(role=Role.SHIFT_LEADER).first()
    committee = Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith="310110015").order_by("code").first()
    today = timezone.localdate()
    month = (today.replace(day=1), today)
    year = (today - dt.timedelta(days=364), today)
    committees = sorted(scope_node_ids(user, NodeKind.COMMITTEE))
    print("\n案件列表（街道值班长的管辖范围，每页25条）")

    def page(**filters):
        qs = selectors.case_list(user=user, **filters)
        return list(qs[:25])

    def count(**filters):
        return selectors.case_list(user=user, **filters).count()

    sample = Case.objects.order_by("-id").values_list("number", flat=True).first()
    checks = [
        ("第1页（按上报时间倒序）", lambda: page()),
        ("总数 COUNT（分页器）", lambda: count()),
        ("第2000页 OFFSET 50,000", lambda: list(selectors.case_list(user=user)[50000:50025])),
        ("接口游标分页 keyset（-id，50条，无COUNT）",
         lambda: list(selectors.case_list(user=user).order_by("-id").filter(id__lt=900000)[:50])),
        ("筛选：未办结", lambda: page(status="open")),
        ("筛选：未办结 COUNT", lambda: count(status="open")),
        ("筛选：红灯（已超期）", lambda: page(light="red")),
        ("筛选：红灯 COUNT", lambda: count(light="red")),
        ("筛选：一个居委会", lambda: page(committee_id=committee.pk)),
        ("筛选：一个居委会 COUNT", lambda: count(committee_id=committee.pk)),
        ("筛选：本月上报", lambda: page(date_from=month[0], date_to=month[1])),
        ("筛选：本月上报 COUNT", lambda: count(date_from=month[0], date_to=month[1])),
        ("搜索：案件编号", lambda: page(search=sample)),
        ("派遣队列（待派遣，含建议单位）", lambda: selectors.dispatch_queue(user=user)[:25]),
    ]
    for label, fn in checks:
        print(f"  {label:<40} {timed(fn):8.1f} ms")

    print("\n综合评价指标（读汇总表 CaseStat / PostStat）")
    for name, (a, b) in (("一个月", month), ("一年", year)):
        for by in ("total", "committee", "unit"):
            ms = timed(lambda: stats.indicators(start=a, end=b, by=by, node_ids=committees))
            print(f"  {name} · {by:<10} {ms:8.1f} ms")
        ms = timed(lambda: stats.post_indicators(start=a, end=b))
        print(f"  {name} · post       {ms:8.1f} ms")
    ms = timed(lambda: stats.indicators(start=year[0], end=year[1], by="month", node_ids=committees))
    print(f"  一年 · 按月趋势   {ms:8.1f} ms")

    print("\n对照：不用汇总表，直接聚合案件表")
    from django.db.models import Count, Q

    def raw(a, b):
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(a, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(b + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return list(Case.objects.filter(reported_at__gte=lo, reported_at__lt=hi, committee_id__in=committees)
                    .values("committee_id").annotate(n=Count("id"), closed=Count("id", filter=Q(
                        status__in=["closed", "evaluated"])), on_time=Count("id", filter=Q(closed_on_time=True)))
                    .order_by())
    for name, (a, b) in (("一个月", month), ("一年", year)):
        print(f"  {name} · 按居委会直接聚合 {timed(lambda: raw(a, b), repeat=3):8.1f} ms")


if __name__ == "__main__":
    main()
