"""Demo data of 综合治理 for 延吉新村街道: the 城区综合管理委员会 and the 综治委 with their members (街道 leaders,
the district departments' local units, the police station, property companies), two joint meetings a month apart
(agenda on the 顽症 and the month's figures, attendance, minutes), the first meeting's decisions as tasks (one closed
with evidence, one in progress, one overdue), and two 顽症 built from repeated cases at one place over the last
eight months (the 延吉中路 market's stalls, the 控江路645弄 bin room). Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import io
import random
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.demo import clock as _clock
from shequ.core.errors import DomainError
from shequ.core.models import Department, Node, User
from shequ.core.workcal import CalendarUnavailable
from shequ.grid import selectors as grid_selectors
from shequ.grid import services as grid_services

from . import services
from .choices import CommitteeKind
from .models import Committee

URBAN = "延吉新村街道城区综合管理委员会"
SECURITY = "延吉新村街道社会治安综合治理委员会"
URBAN_MEMBERS = [
    ("leader", "", "延吉新村街道办事处", "主任（主任委员）", None),
    ("", "严卫东", "延吉新村街道城市运行管理中心", "主任（办公室主任）", "CYZX"),
    ("cgzf", "", "", "中队长", "CGZF"),
    ("lhsr", "", "", "科长", "LHSR"),
    ("fg", "", "", "主任", "FG"),
    ("scjg", "", "", "所长", "SCJG"),
    ("pcs", "", "", "副所长", "PCS"),
    ("", "胡志刚", "上海杨浦物业有限公司延吉分公司", "经理", None),
    ("", "陶美华", "延吉七村居委会", "书记", None),
]
SECURITY_MEMBERS = [
    ("leader", "", "延吉新村街道办事处", "主任（主任委员）", None),
    ("pcs", "", "", "所长", "PCS"),
    ("", "孙立平", "延吉新村街道司法所", "所长", None),
    ("", "钱文杰", "延吉新村街道综治中心", "主任", None),
]
# (title, place, category, description, months of history, cases per month)
PROBLEMS = [
    ("延吉中路菜场门口乱设摊", "延吉中路", "E0502",
     "早晚高峰菜场门口及人行道流动摊贩聚集卖菜卖水果，占道影响通行，劝离后反复回潮。",
     [5, 6, 7, 6, 3, 2, 1, 1]),
    ("控江路645弄垃圾厢房周边暴露垃圾", "控江路645弄", "E0102",
     "垃圾厢房定时投放点外长期堆放大件垃圾和装修垃圾，清运不及时，居民多次拨打12345。",
     [2, 3, 3, 4, 4, 3, 4, 3]),
]


def _centre(node: Node) -> tuple[float, float] | None:
    try:
        ring = node.geometry["coordinates"][0]
    except (TypeError, KeyError, IndexError):
        return None
    lng = sum(p[0] for p in ring[:-1]) / max(1, len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / max(1, len(ring) - 1)
    return lat, lng


def _photo() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (196, 214, 200))
    ImageDraw.Draw(image).rectangle((60, 200, 420, 300), fill=(120, 120, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("evidence.jpg", buffer.getvalue(), content_type="image/jpeg")


def _members(committee, rows, leader, users):
    for username, name, unit, post, dept_code in rows:
        user = users.get(username) if username else None
        dept = Department.objects.filter(code=dept_code).first() if dept_code else None
        if user is not None and user.department_id and dept is None:
            dept = user.department
        services.member_add(actor=leader, committee=committee, name=name or (user.get_full_name() if user else ""),
                            unit=unit or (dept.name if dept else ""), post=post, user=user, department=dept)


def _problems(rng, sub, operator, shiftlead, now) -> list:
    grids = [g for g in Node.objects.filter(kind=NodeKind.GRID, path__startswith=sub.path).order_by("code")
             if _centre(g)]
    if not grids:
        return []
    made = []
    for index, (title, place, code, description, per_month) in enumerate(PROBLEMS):
        grid = grids[(index * 17 + 5) % len(grids)]
        lat, lng = _centre(grid)
        category = grid_selectors.categories().filter(code=code).first()
        if category is None:
            continue
        first = (now - dt.timedelta(days=31 * len(per_month))).date().replace(day=3)
        for back, count in enumerate(reversed(per_month)):
            month_start = (now.date().replace(day=1) - dt.timedelta(days=31 * back)).replace(day=1)
            for _ in range(count):
                day = month_start + dt.timedelta(days=rng.randint(0, 26))
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59))))
                if at >= now:
                    at = now - dt.timedelta(hours=rng.randint(2, 40))
                with _clock(at), mock.patch("shequ.grid.services.cases.notify", lambda **kwargs: None):
                    try:
                        grid_services.case_report(
                            actor=operator, category=category, source=grid_services.report_sources(operator)[0], description=description[:60],
                            lat=lat + rng.uniform(-0.0003, 0.0003), lng=lng + rng.uniform(-0.0003, 0.0003),
                            address=f"{place}{rng.choice(['', '近', '对面'])}{rng.randint(100, 140)}号")
                    except DomainError:
                        continue
        problem = services.problem_create(actor=shiftlead, node=sub, title=title, place=place, category=category,
                                          description=description, first_seen=first, grids=[grid])
        suggestions = services.selectors.problem_suggestions(user=shiftlead, problem=problem, limit=200)
        if suggestions["cases"] or suggestions["orders"]:
            services.problem_links_confirm(actor=shiftlead, problem=problem,
                                           case_ids=[c.pk for c in suggestions["cases"]],
                                           order_ids=[o.pk for o in suggestions["orders"]])
        made.append(problem)
    stalls, bins = (made + [None, None])[:2]
    if stalls is not None:
        services.problem_launch(actor=shiftlead, problem=stalls, note="城管、市场所、派出所联合整治，早晚高峰定岗")
        services.problem_measure_add(actor=shiftlead, problem=stalls, date=(now - dt.timedelta(days=60)).date(),
                                     text="设置临时疏导点，引导流动摊贩进入菜场内铺位",
                                     department=Department.objects.filter(code="SCJG").first())
        services.problem_measure_add(actor=shiftlead, problem=stalls, date=(now - dt.timedelta(days=45)).date(),
                                     text="城管中队早7点至9点、晚4点至6点定岗巡查",
                                     department=Department.objects.filter(code="CGZF").first())
        services.problem_consolidate(actor=shiftlead, problem=stalls, note="近两月案件明显下降，转入巩固")
    if bins is not None:
        services.problem_launch(actor=shiftlead, problem=bins, note="物业增加清运频次，居委会劝导")
    return made


def seed(*, stdout, password: str, rng: random.Random) -> None:
    rng = random.Random(20261119)
    sub = Node.objects.filter(code="310110015000").first()
    users = {u.username: u for u in User.objects.filter(username__in=[
        "leader", "shiftlead", "operator", "cgzf", "lhsr", "fg", "scjg", "pcs"])}
    if sub is None or not all(k in users for k in ("leader", "shiftlead", "operator")):
        stdout.write("  综合治理：缺少延吉新村街道或演示账号，跳过")
        return
    if Committee.objects.filter(node=sub, name=URBAN).exists():
        return
    leader, shiftlead, operator = users["leader"], users["shiftlead"], users["operator"]
    now = timezone.now()
    urban = services.committee_create(actor=leader, node=sub, name=URBAN, kind=CommitteeKind.URBAN,
                                      description="统筹街道城区综合管理，每月召开联席会议，分析研判顽症难题，"
                                                  "明确责任部门和完成时限，跟踪督办。")
    security = services.committee_create(actor=leader, node=sub, name=SECURITY, kind=CommitteeKind.SECURITY,
                                         description="研判辖区治安形势和矛盾纠纷，协调平安建设。")
    _members(urban, URBAN_MEMBERS, leader, users)
    _members(security, SECURITY_MEMBERS, leader, users)
    problems = _problems(rng, sub, operator, shiftlead, now)
    stalls = problems[0] if problems else None
    bins = problems[1] if len(problems) > 1 else None
    depts = {d.code: d for d in Department.objects.filter(code__in=["CGZF", "LHSR", "FG", "SCJG", "PCS"])}
    if len(depts) < 5:
        stdout.write("  综合治理：缺少职能部门，只建了议事机构和顽症")
        return
    last_date = (now - dt.timedelta(days=35)).date()
    while last_date.weekday() >= 5:
        last_date -= dt.timedelta(days=1)
    this_date = timezone.localdate()
    while this_date.weekday() >= 5:
        this_date -= dt.timedelta(days=1)
    with _clock(timezone.make_aware(dt.datetime.combine(last_date, dt.time(15, 0)))):
        first = services.meeting_create(actor=leader, committee=urban, title=f"{last_date.month}月城区综合管理联席会议",
                                        date=last_date, place="街道办事处三楼会议室", chair="街道办事处主任")
        a1 = services.agenda_item_add(actor=leader, meeting=first, title="延吉中路菜场门口乱设摊整治",
                                      notes="城运中心通报近三月案件情况，城管、市场所汇报整治进展。", problem=stalls,
                                      figure=f"{last_date.month}月该点位网格案件6件")
        a2 = services.agenda_item_add(actor=leader, meeting=first, title="控江路645弄垃圾厢房周边环境",
                                      notes="12345工单反复，物业清运不及时。", problem=bins,
                                      figure="近三月相关12345工单与网格案件11件")
        services.agenda_item_add(actor=leader, meeting=first, title="冬季防火与群租整治", notes="派出所、房管办通报。")
        services.meeting_attendance_record(actor=leader, meeting=first,
                                           present=[m.pk for m in urban.members.all()][:-1])
        services.meeting_minutes_save(actor=leader, meeting=first, minutes=(
            "会议听取了城运中心关于本月城区综合管理情况的通报，分析了延吉中路菜场门口乱设摊和控江路645弄垃圾厢房周边"
            "暴露垃圾两处顽症。会议要求：一、城管中队会同市场所早晚高峰定岗，引导摊贩入场经营；二、绿化市容所督促物业"
            "增加清运频次，房管办约谈物业公司；三、派出所、房管办开展冬季群租排查。各责任部门按期办结，下次会议通报。"))
        closed = services.task_create(actor=leader, meeting=first, title="督促物业每日两次清运控江路645弄大件垃圾",
                                      department=depts["LHSR"], working_days=5, agenda_item=a2)
        services.task_create(actor=leader, meeting=first, title="早晚高峰菜场门口定岗，引导摊贩入场",
                             department=depts["CGZF"], working_days=10, agenda_item=a1)
        services.task_create(actor=leader, meeting=first, title="约谈物业公司，制定垃圾厢房改造方案",
                             department=depts["FG"], working_days=10, agenda_item=a2)
        try:
            services.task_create(actor=leader, meeting=first, title="冬季群租房排查，建立台账",
                                 department=depts["PCS"], working_days=30)
        except CalendarUnavailable:  # late in the year, before next year's holidays are entered
            services.task_create(actor=leader, meeting=first, title="冬季群租房排查，建立台账",
                                 department=depts["PCS"], working_days=10)
    owners = {u.department_id: u for u in User.objects.filter(role=Role.DEPT_OFFICER, department__isnull=False)}
    tasks = list(first.tasks.order_by("id"))
    with _clock(timezone.make_aware(dt.datetime.combine(last_date + dt.timedelta(days=2), dt.time(10, 0)))):
        for task in tasks:
            owner = owners.get(task.department_id)
            if owner is not None:
                services.task_start(actor=owner, task=task, note="已收到，正在落实。")
    with _clock(timezone.make_aware(dt.datetime.combine(last_date + dt.timedelta(days=6), dt.time(16, 0)))):
        owner = owners.get(closed.department_id, leader)
        services.task_close(actor=owner, task=closed, note="物业已调整为每日上午、下午各清运一次，现场整洁。",
                            uploads=[_photo()])
        cgzf_task = tasks[1]
        services.task_note(actor=owners.get(cgzf_task.department_id, leader), task=cgzf_task,
                           note="已安排两名队员定岗，摊贩数量明显减少。")
    second = services.meeting_create(actor=leader, committee=urban, title=f"{this_date.month}月城区综合管理联席会议",
                                     date=this_date, place="街道办事处三楼会议室", chair="街道办事处主任")
    services.agenda_item_add(actor=leader, meeting=second, title="上次会议决定事项落实情况",
                             notes="城运中心通报各项任务办理进度，逾期事项责任部门说明原因。")
    services.agenda_item_add(actor=leader, meeting=second, title="延吉中路乱设摊巩固情况", problem=stalls,
                             figure="本月该点位网格案件1件")
    stdout.write(f"  综合治理：议事机构 2 个，会议 2 次，交办任务 {len(tasks)} 项，顽症 {len(problems)} 个")
