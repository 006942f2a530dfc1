"""Demo data of the 大联动 module: taxonomy, units and work stations, grid responsible persons and buildings, the
42-member linkage team with its roster, a few hundred cases in every state over recent months (walked through the
real services with a simulated clock), 12345 orders, supervision rounds, patrol logs and an Open311 client.
Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import io
import random
from unittest import mock

from django.db import transaction
from django.utils import timezone

from shequ.core import services as core_services
from shequ.core.choices import DepartmentKind, NodeKind, Role
from shequ.core.demo import clock as _clock
from shequ.core.errors import DomainError
from shequ.core.models import Department, Node, User
from shequ.targets import selectors as target_selectors
from shequ.targets import services as target_services
from shequ.targets.selectors import Rule, SheetUse

from . import selectors, services, spatial, stats
from .choices import CaseAction as A
from .choices import CaseStatus as S
from .choices import NEEDS_VERIFICATION, HotlineType, Satisfaction, Source, Urgency
from .models import (Building, Case, Category, DutyTeam, GridProfile, GridResponsible, HotlineOrder, Inspection,
                     Open311Client, PatrolLog, ShiftPattern, ShiftType, TeamMember, WorkStation)
from .taxonomy import ensure_process_limits, ensure_taxonomy

EXTRA_UNITS = [
    ("JT", "杨浦区建设和管理委员会（道路设施）", "建管委", DepartmentKind.DISTRICT_BUREAU, "021-65010016"),
    ("GD", "国网上海市电力公司杨浦供电公司", "供电", DepartmentKind.SERVICE_UNIT, "021-65010017"),
    ("TX", "中国电信上海杨浦分公司", "通信", DepartmentKind.SERVICE_UNIT, "021-65010018"),
    ("RQ", "上海燃气市北销售有限公司", "燃气", DepartmentKind.SERVICE_UNIT, "021-65010019"),
    ("ZLS", "上海城投水务（集团）有限公司供水分公司", "自来水", DepartmentKind.SERVICE_UNIT, "021-65010020"),
    # Traffic signals and signs are the traffic police's; a fire hydrant the water company repairs, with the fire
    # and rescue service told when it is blocked (taxonomy.SUBCATEGORIES).
    ("JJ", "杨浦公安分局交通警察支队", "交警", DepartmentKind.DISTRICT_BUREAU, "021-65010021"),
    ("XF", "杨浦区消防救援支队", "消防救援", DepartmentKind.DISTRICT_BUREAU, "021-65010022"),
]
# Demo handlers: (username, name, department code)
UNIT_USERS = [("cgzf", "马志刚", "CGZF"), ("lhsr", "沈丽娟", "LHSR"), ("fg", "顾国华", "FG"), ("sw", "陆建平", "SW"),
              ("pcs", "范警官", "PCS"), ("scjg", "朱晓明", "SCJG"), ("jt", "韩立新", "JT"), ("gd", "杜永强", "GD"),
              ("tx", "吕晓东", "TX"), ("rq", "蒋国庆", "RQ"), ("zls", "曹文斌", "ZLS"), ("glb", "许丽华", "GLB"),
              ("pab", "邓海峰", "PAB"), ("jj", "钱志军", "JJ"), ("xf", "石振宇", "XF")]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭陆范汪"
GIVEN = ["建华", "国平", "志明", "伟民", "海东", "立军", "卫国", "永康", "晓峰", "文龙", "德胜", "金宝", "明辉", "振宇",
         "家骏", "红卫", "秀兰", "丽华", "美玲", "春燕", "晓红", "玉芳", "建英", "慧敏"]
STREETS = ["延吉中路", "延吉东路", "延吉西路", "控江路", "敦化路", "松花江路", "舒兰路", "内江路", "长白路", "双阳路"]
DESCRIPTIONS = {
    "E0102": "绿化带边有生活垃圾袋和纸箱堆放，影响环境", "E0502": "早高峰有摊贩在人行道摆摊卖菜，影响通行",
    "E0504": "私家车停在人行道上，行人需绕行到机动车道", "E0201": "电线杆和墙面贴满小广告", "C0101": "上水井盖破损，有绊倒风险",
    "C0109": "路灯夜间不亮，路段昏暗", "E0403": "下雨后路口积水约15厘米，行人难以通过", "E0104": "路面有大面积泥浆和落叶",
    "E0108": "沿街商铺在门口堆放杂物和纸板", "C0302": "果皮箱满溢，周边散落垃圾", "E0301": "夜间23点后工地仍在施工，噪声扰民",
    "E0503": "饭店在店外摆放桌椅经营", "E0505": "共享单车堆放在盲道上", "C0403": "行道树倾斜，有倒伏风险",
    "E0602": "楼道内堆放旧家具，堵塞消防通道", "C0304": "店招一角松动，大风时摇晃",
}


def _units(sub, district):
    for order, (code, name, short, kind, phone) in enumerate(EXTRA_UNITS):
        Department.objects.get_or_create(code=code, defaults={"name": name, "short_name": short, "kind": kind,
                                                              "node": district, "phone": phone,
                                                              "sort_order": 100 + order})
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, parent=sub).order_by("code"))
    for index, committee in enumerate(committees, start=1):
        short = committee.name.removesuffix("居委会")
        dept, _ = Department.objects.get_or_create(code=f"GZZ{index:02d}", defaults={
            "name": f"{short}居民区网格工作站", "short_name": f"{short}工作站"[:16], "kind": DepartmentKind.WORK_STATION,
            "node": committee, "sort_order": 200 + index})
        WorkStation.objects.get_or_create(committee=committee, defaults={
            "department": dept, "address": f"{STREETS[index % len(STREETS)]}{100 + index * 7}号", "leader": ""})
    return committees


def _users(password, sub, stdout, district=None):
    created = []

    def make(username, full_name, role, nodes, department=None):
        if User.objects.filter(username=username).exists():
            return User.objects.get(username=username)
        user = core_services.user_create(actor=None, username=username, full_name=full_name, role=role,
                                         password=password, nodes=nodes, department=department,
                                         password_is_temporary=False)
        created.append((username, full_name, role, department))
        return user

    for username, name, code in UNIT_USERS:
        make(username, name, Role.DEPT_OFFICER, [sub], Department.objects.get(code=code))
    make("inspector2", "蔡文华", Role.INSPECTOR, [sub], Department.objects.filter(code="CYZX").first())
    make("operator2", "冯晓丽", Role.OPS_OPERATOR, [sub], Department.objects.filter(code="CYZX").first())
    if district is not None:  # 区12345热线办 decides the 街道's 退单/延期 requests
        make("hotline_office", "顾佳敏", Role.HOTLINE_OFFICE, [district])
    glb = Department.objects.filter(code="GLB").first()
    if glb is not None:  # the 管理办 officer who takes the 12345 work handed to the 科室
        make("glb", "沈国平", Role.DEPT_OFFICER, [sub], glb)
    for station in WorkStation.objects.select_related("committee", "department").order_by("committee__code")[2:]:
        index = station.department.code[-2:]
        make(f"gzz{index}", f"{station.committee.name.removesuffix('居委会')}站长", Role.COMMITTEE_WORKER,
             [station.committee], station.department)
    if created:
        stdout.write("  大联动演示账号（密码同上）：")
        for username, name, role, dept in created:
            stdout.write(f"    {username:<12} {name}（{Role(role).label}{'，' + dept.short_name if dept else ''}）")
    return created


def _grid_details(rng):
    if GridResponsible.objects.exists():
        return
    grids = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015").select_related("parent"))
    from shapely.geometry import Point, shape

    people, buildings, profiles = [], [], []
    for grid in grids:
        poly = shape(grid.geometry)
        duties = [("网格长", "13" + f"{rng.randint(100000000, 999999999)}"), ("网格员", ""), ("监督员", ""),
                  ("社区民警", "021-6503" + f"{rng.randint(1000, 9999)}")]
        for order, (duty, phone) in enumerate(duties):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            people.append(GridResponsible(grid=grid, name=name, duty=duty, phone=phone or
                                          "13" + f"{rng.randint(100000000, 999999999)}", sort_order=order))
        minx, miny, maxx, maxy = poly.bounds
        street = rng.choice(STREETS)
        lane = rng.randint(1, 60) * 10
        count = 0
        for _attempt in range(40):
            if count >= 4:
                break
            lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not poly.contains(Point(lng, lat)):
                continue
            count += 1
            floors = rng.choice([5, 6, 6, 6, 7, 11, 14, 18])
            buildings.append(Building(grid=grid, name=f"{street}{lane}弄{count}号楼", address=f"{street}{lane}弄{count}号",
                                      kind="住宅" if count < 4 else rng.choice(["商铺", "公建", "学校"]), floors=floors,
                                      households=floors * rng.choice([4, 6, 8]), lat=round(lat, 6), lng=round(lng, 6)))
        area = int(poly.area * 111_000 * 111_000 * 0.855)
        profiles.append(GridProfile(node=grid, area_m2=area, population=rng.randint(1800, 4200),
                                    description=f"以居住小区为主，主要道路{street}"))
    GridResponsible.objects.bulk_create(people)
    Building.objects.bulk_create(buildings)
    GridProfile.objects.bulk_create(profiles, ignore_conflicts=True)


def _team(rng, patrol_user, sub):
    if DutyTeam.objects.exists():
        return
    for code, name, start, end in (("E", "早班", dt.time(6, 30), dt.time(14, 30)),
                                   ("M", "中班", dt.time(14, 30), dt.time(22, 30)),
                                   ("N", "夜班", dt.time(22, 30), dt.time(6, 30))):
        ShiftType.objects.get_or_create(code=code, defaults={"name": name, "start": start, "end": end})
    ShiftPattern.objects.get_or_create(name="四班三运转（早早中中夜夜休休）",
                                       defaults={"slots": "EEMMNNOO", "anchor": dt.date(2026, 1, 1)})
    teams = []
    for code, name, offset in (("A", "甲班", 0), ("B", "乙班", 2), ("C", "丙班", 4), ("D", "丁班", 6)):
        teams.append(DutyTeam.objects.create(code=code, name=name, offset=offset, node=sub))
    sizes = [11, 11, 10, 10]  # 42 members
    used = set()
    for team, size in zip(teams, sizes):
        for i in range(size):
            name = ""
            while not name or name in used:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            used.add(name)
            member = TeamMember.objects.create(team=team, node=sub, name=name, post="班长" if i == 0 else "队员",
                                               sort_order=i,
                                               phone="13" + f"{rng.randint(100000000, 999999999)}")
            if i == 0:
                team.leader = name
                team.save(update_fields=["leader"])
            if team.code == "A" and i == 1 and patrol_user:
                member.name, member.user = patrol_user.display_name, patrol_user
                member.save(update_fields=["name", "user"])


def _photo_bytes(rng) -> io.BytesIO:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (rng.randint(90, 160), rng.randint(110, 170), rng.randint(90, 150)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randint(0, 600), rng.randint(0, 440)
        draw.rectangle([x, y, x + rng.randint(20, 120), y + rng.randint(20, 80)],
                       fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    out.seek(0)
    out.name = "现场.jpg"
    out.size = len(out.getvalue())
    return out


class _Sim:
    """Walks one case through the closed loop with a simulated clock."""

    def __init__(self, rng, actors, now):
        self.rng, self.actors, self.real_now = rng, actors, now

    def step(self, case, actor, action, at, **kw):
        if at >= self.real_now:
            raise StopIteration
        with _clock(at):
            return services.case_transition(actor=actor, case=case, action=action, **kw)

    def run(self, category, target: str, t0, grid_point, photo=None):
        rng, a = self.rng, self.actors
        source = rng.choices([Source.PATROL, Source.RESIDENT, Source.HOTLINE, Source.VIDEO, Source.POLICE_110,
                              Source.STATION], [45, 18, 15, 10, 5, 7])[0]
        reporter = a["patrol"] if source in (Source.PATROL,) else a["operator"]
        lat, lng, committee_id = grid_point
        if source == Source.STATION:
            reporter = a["stations"].get(committee_id) or a["operator"]
            if reporter is a["operator"]:
                source = Source.PATROL
        if target in ("verifying", "verified"):
            source, reporter = Source.RESIDENT, a["operator"]  # a resident's report, registered by the centre
        urgency = Urgency.URGENT if rng.random() < 0.08 else None
        street = rng.choice(STREETS)
        with _clock(t0):
            case = services.case_report(
                actor=reporter, category=category, source=source,
                description=DESCRIPTIONS.get(category.code, f"{category.name}：{category.filing_condition}"),
                lat=lat, lng=lng, address=f"{street}{rng.randint(1, 400)}号附近", urgency=urgency,
                photos=[photo] if photo else [], external_no=f"SH12345-{t0:%Y%m%d}-{rng.randint(1000, 9999)}"
                if source == Source.HOTLINE else "")
        t = t0
        h = lambda lo, hi: dt.timedelta(minutes=rng.randint(int(lo * 60), int(hi * 60)))  # noqa: E731
        try:
            if target == "reported":
                return case
            if source == Source.STATION and rng.random() < 0.5 and target in ("closed", "evaluated"):
                t += h(0.5, 3)
                self.step(case, reporter, A.SELF_HANDLE, t, note="工作站联系物业当场处理完毕")
                return case
            if source in NEEDS_VERIFICATION:
                t += h(0.1, 0.6)
                case = self.step(case, a["operator"], A.SEND_VERIFY, t)
                if target == "verifying":
                    return case
                t += h(0.3, 1.6)
                if target == "void":
                    self.step(case, a["inspector"], A.VERIFY_FALSE, t, note="现场核实，问题不存在或已自行消除")
                    return case
                case = self.step(case, a["inspector"], A.VERIFY_OK, t, note="现场核实属实")
                if target == "verified":
                    return case
            elif target == "void":
                t += h(0.2, 1)
                self.step(case, a["shiftlead"], A.VOID, t, note="不符合立案条件")
                return case
            if target == "merged":
                other = Case.objects.filter(category=case.category, status__in=[S.FILED, S.DISPATCHED, S.HANDLING,
                                                                                   S.CLOSED]).exclude(pk=case.pk).first()
                if other:
                    t += h(0.2, 1)
                    self.step(case, a["operator"], A.MERGE, t, target=other.pk)
                    return case
            t += h(0.1, 1.2)
            case = self.step(case, a["shiftlead"], A.FILE, t, note="符合立案条件，予以立案")
            if target == "filed":
                return case
            unit = case.category.department
            station = a["station_units"].get(case.committee_id)
            if station and rng.random() < 0.3:
                unit = station
            if unit is None:
                unit = a["default_unit"]
            t += h(0.05, 0.8)
            case = self.step(case, a["dispatcher"], A.DISPATCH, t, unit=unit)
            handler = a["handlers"].get(unit.pk)
            if handler is None or target == "dispatched":
                return case
            if rng.random() < 0.06 or target == "returned":
                t += h(0.3, 2)
                case = self.step(case, handler, A.REQUEST_RETURN, t, note="经核，该问题不属于本单位职责范围")
                if target == "returned":
                    return case
                t += h(0.2, 1)
                case = self.step(case, a["shiftlead"], A.APPROVE_RETURN, t, note="同意回退，请重新派遣")
                t += h(0.1, 0.5)
                unit = a["default_unit"]
                case = self.step(case, a["dispatcher"], A.DISPATCH, t, unit=unit)
                handler = a["handlers"].get(unit.pk)
            t += h(0.1, 1.5)
            case = self.step(case, handler, A.SIGN, t)
            if target == "handling":
                return case
            late = rng.random() < 0.15
            if rng.random() < 0.08 or target == "parked":
                t += h(0.5, 4)
                case = self.step(case, handler, A.REQUEST_PARK, t, note="涉及工程改造，需纳入季度计划，申请挂账")
                t += h(0.5, 3)
                review = (timezone.localtime(t) + dt.timedelta(days=rng.randint(14, 45))).date()
                case = self.step(case, a["leader"], A.APPROVE_PARK, t, review_on=review,
                                 note="同意挂账，到期复核工程进度")
                if target == "parked":
                    return case
                t += dt.timedelta(days=rng.randint(2, 10))
                case = self.step(case, a["shiftlead"], A.UNPARK, t, note="工程已排期，恢复处置")
            if rng.random() < 0.1:
                t += h(0.5, 3)
                if case.deadline is None or t < case.deadline:  # never asked once the deadline has passed
                    case = self.step(case, handler, A.REQUEST_EXTENSION, t, hours=rng.choice([4, 8, 8, 16]),
                                     note="需协调产权单位，申请延期")
                    t += h(0.2, 2)
                    approve = rng.random() < 0.8
                    # A request beyond the 值班长's allowance (or for an engineering-type case) is the leader's.
                    level = case.extensions.order_by("-requested_at", "-id").first().level
                    case = self.step(case, a["leader"] if level >= 2 else a["shiftlead"],
                                     A.APPROVE_EXTENSION if approve else A.REJECT_EXTENSION, t,
                                     note="同意延期" if approve else "理由不充分，请按原期限完成")
            span = case.deadline - t if case.deadline else dt.timedelta(hours=4)
            t += span * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.15, 0.75))
            case = self.step(case, handler, A.FEEDBACK, t, note="已安排人员到场处置完毕")
            if target == "fed_back":
                return case
            if rng.random() < 0.12:
                t += h(0.3, 2)
                case = self.step(case, a["inspector"], A.CHECK_FAIL, t, note="现场核查未处置到位，仍有残留")
                t += h(1, 6)
                case = self.step(case, handler, A.FEEDBACK, t, note="已返工处置，现场恢复")
            t += h(0.3, 2.5)
            case = self.step(case, a["inspector"], A.CHECK_PASS, t, note="现场核查，已处置到位")
            if target == "checked":
                return case
            t += h(0.1, 1.2)
            case = self.step(case, a["shiftlead"], A.CLOSE, t, note="符合结案条件，予以结案")
            if target == "evaluated":
                t += h(2, 30)
                case = self.step(case, a["operator"], A.EVALUATE, t, satisfaction=rng.choices(
                    [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED], [75, 20, 5])[0],
                    note="回访市民")
        except StopIteration:
            pass
        return case


def _cases(rng, actors, stdout):
    if Case.objects.exists():
        return 0
    now = timezone.now()
    categories = list(Category.objects.filter(is_active=True).select_related("main", "department"))
    common = [c for c in categories if c.code in DESCRIPTIONS]
    grids = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015"))
    from shapely.geometry import Point, shape

    def point(grid):
        poly = shape(grid.geometry)
        minx, miny, maxx, maxy = poly.bounds
        while True:
            lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if poly.contains(Point(lng, lat)):
                return round(lat, 6), round(lng, 6), grid.parent_id

    sim = _Sim(rng, actors, now)
    targets_recent = ["reported"] * 6 + ["verifying"] * 5 + ["verified"] * 4 + ["filed"] * 5 + ["dispatched"] * 6 + \
        ["handling"] * 12 + ["returned"] * 2 + ["parked"] * 3 + ["fed_back"] * 5 + ["checked"] * 4 + \
        ["closed"] * 8 + ["evaluated"] * 4 + ["void"] * 2 + ["merged"] * 2
    targets_old = ["closed"] * 40 + ["evaluated"] * 45 + ["void"] * 7 + ["merged"] * 3 + ["parked"] * 2 + \
        ["handling"] * 3
    count = 0
    for index in range(320):
        recent = index % 4 == 0
        days_back = rng.uniform(0.1, 9) if recent else rng.uniform(9, 120)
        t0 = now - dt.timedelta(days=days_back)
        local = timezone.localtime(t0)
        if local.weekday() >= 5 and rng.random() < 0.6:
            t0 -= dt.timedelta(days=2)
        hour = rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 19])
        t0 = timezone.localtime(t0).replace(hour=hour, minute=rng.randint(0, 59))
        if t0 >= now:
            t0 = now - dt.timedelta(hours=rng.uniform(1, 5))
        category = rng.choice(common) if rng.random() < 0.7 else rng.choice(categories)
        target = rng.choice(targets_recent if recent else targets_old)
        photo = _photo_bytes(rng) if index % 16 == 0 else None
        try:
            sim.run(category, target, t0, point(rng.choice(grids)), photo)
            count += 1
        except DomainError as exc:  # e.g. a year without a confirmed calendar
            stdout.write(f"  跳过一件演示案件：{exc.message}")
    return count


def _hotline(rng, actors, sub):
    if HotlineOrder.objects.exists():
        return 0
    now = timezone.now()
    grids = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015"))
    from shapely.geometry import shape

    samples = [("E0502", "投诉", "小区门口早市占道经营", "市民反映每天早上6点到8点小区门口有摊贩占道卖菜，人行道无法通行。"),
               ("E0301", "投诉", "工地夜间施工噪声扰民", "市民反映附近工地晚上11点以后仍在施工，噪声很大影响休息。"),
               ("E0504", "投诉", "车辆长期占用人行道", "有几辆车长期停在人行道上，老人推车只能走机动车道。"),
               ("C0109", "求助", "路灯不亮", "小区外道路路灯已经一周不亮，晚上出行不安全。"),
               ("E0602", "投诉", "楼道堆物", "邻居在楼道里堆放大量纸板和旧家具，存在消防隐患。"),
               ("E0102", "投诉", "垃圾无人清理", "绿化带旁边的垃圾两天没人清理，有异味。"),
               (None, "咨询", "垃圾分类投放时间", "市民咨询小区湿垃圾定时投放的具体时间和地点。"),
               (None, "建议", "增设非机动车停放点", "建议在地铁站出口附近增设非机动车停放区域。")]
    created = 0
    for i in range(40):
        code, kind, title, content = samples[i % len(samples)]
        grid = rng.choice(grids)
        point = shape(grid.geometry).representative_point()
        received = now - dt.timedelta(days=rng.uniform(0.05, 75))
        data = {"order_no": f"SH12345-{timezone.localtime(received):%Y%m%d}-{100000 + i}", "hotline_type": kind,
                "title": title, "content": content, "address": f"{rng.choice(STREETS)}{rng.randint(1, 400)}号",
                "caller_name": rng.choice(SURNAMES) + ("先生" if rng.random() < 0.5 else "女士"),
                "caller_phone": f"139{rng.randint(10000000, 99999999)}", "received_at": received,
                "category": code or "", "lat": round(point.y, 6) if code else None,
                "lng": round(point.x, 6) if code else None}
        with _clock(received):
            order = services.hotline_receive(actor=actors["operator"], data=data, subdistrict=sub)
        created += 1
        stage = rng.random() if received < now - dt.timedelta(days=3) else rng.random() * 0.4
        t = received
        try:
            if stage < 0.15:
                continue
            t += dt.timedelta(minutes=rng.randint(10, 200))
            if t >= now:
                continue
            office = actors.get("hotline_office")
            if stage < 0.22 and office is not None:
                with _clock(t):
                    order = services.hotline_return(actor=actors["operator"], order=order, reason=rng.choice(
                        ["territory", "ownership", "overlap"]), note="经初核，诉求地址不在本街道辖区")
                t += dt.timedelta(hours=rng.randint(1, 4))
                if t >= now:
                    continue
                with _clock(t):
                    if rng.random() < 0.7:
                        services.hotline_approve_return(actor=office, order=order, note="同意退单，改派属地街道")
                        continue
                    order = services.hotline_reject_return(actor=office, order=order,
                                                           note="经核属本街道管辖，请继续办理")
            else:
                with _clock(t):
                    order = services.hotline_sign(actor=actors["operator"], order=order)
            if stage < 0.45:
                continue
            t = _hotline_requests_and_tasks(rng, actors, order, t, now)
            order.refresh_from_db()
            if t >= now:
                continue
            if order.case_id:
                t = _hotline_case(rng, actors, order.case, t, now)
            t += dt.timedelta(hours=rng.randint(1, 20))
            if t >= now:
                continue
            with _clock(t):
                order = services.hotline_contact(actor=actors["operator"], order=order, method="phone",
                                                 at=order.signed_at + dt.timedelta(hours=rng.randint(1, 6)),
                                                 note="电话联系来电人，了解诉求")
                order = services.hotline_reply(actor=actors["operator"], order=order, resolution=rng.choices(
                    ["solved", "partly", "unsolved"], [80, 15, 5])[0],
                                               text="经街道城运中心协调相关部门现场处置，问题已解决，已电话告知市民。")
            if stage < 0.6:
                continue
            t += dt.timedelta(hours=rng.randint(18, 30))
            if t >= now:
                continue
            satisfaction = rng.choices([Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED],
                                       [70, 20, 10])[0]
            with _clock(t):
                services.hotline_visit(actor=actors["operator"], order=order, satisfaction=satisfaction,
                                       note="次日电话回访")
        except DomainError:
            continue
    return created


def _hotline_requests_and_tasks(rng, actors, order, t, now):
    """Some orders ask for more time (decided by the hotline office); some are handed to a 科室 or the committee,
    which reports back before the desk answers."""
    office = actors.get("hotline_office")
    if office is not None and rng.random() < 0.15 and t + dt.timedelta(hours=2) < now:
        t += dt.timedelta(hours=1)
        with _clock(t):
            order = services.hotline_extend(actor=actors["operator"], order=order, days=rng.choice([3, 5]),
                                            reason=rng.choice(["coordination", "works"]), note="需协调物业和施工单位")
        t += dt.timedelta(hours=1)
        with _clock(t):
            if rng.random() < 0.8:
                order = services.hotline_approve_extend(actor=office, order=order, note="同意延期")
            else:
                order = services.hotline_reject_extend(actor=office, order=order, note="时限内可以办结")
    if order.case_id is None and rng.random() < 0.5 and t + dt.timedelta(hours=6) < now:
        target = actors.get("glb") if rng.random() < 0.5 else actors.get("dunhua")
        if target is not None:
            assignee = f"dept:{target.department.code}" if target.department_id else \
                f"committee:{target.nodes.first().code}"
            t += dt.timedelta(minutes=30)
            with _clock(t):
                services.hotline_assign(actor=actors["operator"], order=order, assignee=assignee,
                                        due=timezone.localtime(order.reply_due).date(),
                                        instruction="请核实情况并联系来电人，反馈处理结果")
            t += dt.timedelta(hours=rng.randint(2, 5))
            with _clock(t):
                task = order.tasks.order_by("-id").first()
                services.hotline_task_finish(actor=target, task=task, note="已上门核实并与来电人沟通，问题已处理")
    return t


def _hotline_case(rng, actors, case, t, now):
    """Walk the grid case of a 12345 order through the loop before the hotline is answered."""
    unit = case.category.department or actors["default_unit"]
    handler = actors["handlers"].get(unit.pk)
    steps = [(actors["operator"], A.SEND_VERIFY, {}), (actors["inspector"], A.VERIFY_OK, {"note": "核实属实"}),
             (actors["shiftlead"], A.FILE, {}), (actors["dispatcher"], A.DISPATCH, {"unit": unit})]
    if handler:
        steps += [(handler, A.SIGN, {}), (handler, A.FEEDBACK, {"note": "已处置完毕"}),
                  (actors["inspector"], A.CHECK_PASS, {"note": "核查通过"}), (actors["shiftlead"], A.CLOSE, {})]
    for actor, action, kw in steps:
        t += dt.timedelta(minutes=rng.randint(15, 120))
        if t >= now:
            break
        with _clock(t):
            case = services.case_transition(actor=actor, case=case, action=action, **kw)
    return t


def _inspections(rng, actors):
    if Inspection.objects.exists():
        return
    dept_tpl = target_services.sheet_ensure(
        name="职能部门案件处置督查评分表", use=SheetUse.INSPECT_DEPARTMENT, pass_line=80, sections=[
            ("处置质量", [("现场问题处置到位，无残留", "每发现一处未处置到位扣5分", 30, Rule.DEDUCTION, 5)]),
            ("处置时效", [("在规定时限内处置并反馈", "每超期一件扣3分", 25, Rule.DEDUCTION, 3)]),
            ("返工情况", [("核查一次通过，无返工", "每返工一件扣3分", 15, Rule.DEDUCTION, 3)]),
            ("协同配合", [("联勤联动响应及时，无推诿", "推诿一次扣5分", 15, Rule.DEDUCTION, 5)]),
            ("台账资料", [("处置记录、照片完整规范", "缺一项扣2分", 15, Rule.DEDUCTION, 2)])])
    area_tpl = target_services.sheet_ensure(
        name="居民区网格工作站考评表", use=SheetUse.INSPECT_AREA, pass_line=80, sections=[
            ("发现问题", [("网格巡查到位，问题主动发现上报", "漏报一件扣2分", 25, Rule.DEDUCTION, 2)]),
            ("自处置", [("能自行解决的问题就地解决", "应自处置未处置一件扣2分", 25, Rule.DEDUCTION, 2)]),
            ("市容环境", [("网格内市容环境整洁有序", "抽查发现一处问题扣3分", 30, Rule.DEDUCTION, 3)]),
            ("基础信息", [("网格责任人、楼宇信息完整准确", "缺漏一项扣2分", 20, Rule.YES_NO, None)])])
    today = timezone.localdate()
    depts = list(Department.objects.filter(code__in=["CGZF", "LHSR", "FG", "SW", "PCS", "JT"]))
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith="310110015"))
    for i in range(12):
        template = dept_tpl if i % 2 == 0 else area_tpl
        items = [item for _s, rows in target_selectors.sheet_layout(sheet=template) for item in rows]
        scores = {item.pk: (rng.choice([1, 1, 1, 0]) if item.rule == Rule.YES_NO else rng.choice([0, 0, 0, 1, 2]))
                  for item in items}
        date = today - dt.timedelta(days=rng.randint(1, 80))
        services.inspection_create(
            actor=actors["leader"], sheet=template, title=f"{date.month}月联合督查", date=date,
            department=rng.choice(depts) if template is dept_tpl else None,
            committee=rng.choice(committees) if template is area_tpl else None, scores=scores,
            note="整体情况良好，个别问题限期整改")


def _patrols(rng, actors):
    member = TeamMember.objects.filter(user=actors["patrol"]).first()
    if member is None or PatrolLog.objects.exists():
        return
    grids = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015"))
    from shapely.geometry import shape

    now = timezone.now()
    types = selectors.shift_types()
    for days_ago in range(1, 15):
        day = timezone.localdate(now) - dt.timedelta(days=days_ago)
        code = selectors.team_shift(member.team, day) if member.team_id else ""
        shift = types.get(code)
        if shift is None:  # a day off: no patrol
            continue
        start = timezone.make_aware(dt.datetime.combine(day, shift.start)) + dt.timedelta(
            minutes=rng.randint(-15, 25), seconds=rng.randint(0, 59))
        with _clock(start):
            log = services.patrol_start(actor=actors["patrol"], note=f"{shift.name}巡查")
        t = start
        for grid in rng.sample(grids, 4):
            t += dt.timedelta(minutes=rng.randint(20, 60))
            p = shape(grid.geometry).representative_point()
            with _clock(t):
                services.patrol_checkin(actor=actors["patrol"], log=log, lat=p.y, lng=p.x, note="巡查正常")
        with _clock(t + dt.timedelta(minutes=30)):
            services.patrol_end(actor=actors["patrol"], log=log, note="巡查结束，发现问题已上报")


def seed(*, stdout, password: str, rng: random.Random) -> None:
    rng = random.Random(20260315)
    sub = Node.objects.filter(code="310110015000").first()
    district = Node.objects.filter(code="310110000000").first()
    if sub is None or district is None:
        stdout.write("  大联动：缺少延吉新村街道，跳过")
        return
    committees = _units(sub, district)
    ensure_taxonomy()
    ensure_process_limits()
    spatial.clear()
    _users(password, sub, stdout, district)
    _grid_details(rng)
    patrol = User.objects.filter(username="patrol").first()
    _team(rng, patrol, sub)
    today = timezone.localdate()
    for offset in (-1, 0, 1):
        first = (today.replace(day=15) + dt.timedelta(days=31 * offset)).replace(day=1)
        from .models import RosterDay

        if not RosterDay.objects.filter(date=first).exists():
            services.roster_generate(actor=None, year=first.year, month=first.month)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "operator", "shiftlead", "dispatcher", "inspector", "patrol", "leader", "dunhua", "kongjiang"]
        + [u for u, _n, _c in UNIT_USERS] + ["officer", "hotline_office", "glb"])}
    if not all(k in users for k in ("operator", "shiftlead", "dispatcher", "inspector", "patrol", "leader")):
        stdout.write("  大联动：缺少演示账号，跳过案件")
        return
    stations = {s.committee_id: s.department for s in WorkStation.objects.select_related("department")}
    handlers = {u.department_id: u for u in users.values() if u.role == Role.DEPT_OFFICER and u.department_id}
    station_users = {}
    for username in ("dunhua", "kongjiang"):
        user = users.get(username)
        if user:
            committee = user.nodes.first()
            if committee and committee.pk in stations:
                station_users[committee.pk] = user
                handlers[stations[committee.pk].pk] = user
    actors = {"operator": users["operator"], "shiftlead": users["shiftlead"], "dispatcher": users["dispatcher"],
              "inspector": users["inspector"], "patrol": users["patrol"], "leader": users["leader"],
              "stations": station_users, "handlers": handlers,
              "station_units": {k: v for k, v in stations.items() if k in station_users},
              "default_unit": Department.objects.get(code="CGZF"), "hotline_office": users.get("hotline_office"),
              "glb": users.get("glb"), "dunhua": users.get("dunhua")}
    with mock.patch("shequ.grid.services.cases.notify", lambda **kwargs: None):
        count = _cases(rng, actors, stdout)
        orders = _hotline(rng, actors, sub)
        _inspections(rng, actors)
        _patrols(rng, actors)
    if not Open311Client.objects.exists():
        _client, key = services.open311_client_issue(actor=None, name="市民随手拍（演示）", jurisdiction=sub,
                                                     contact="演示")
        stdout.write(f"  Open311 演示客户端密钥（只显示这一次）：{key}")
    transaction.on_commit(spatial.touch)
    stdout.write(f"  大联动：{len(committees)} 个工作站，{TeamMember.objects.count()} 名联勤队员，新建案件 {count} 件，"
                 f"12345工单 {orders} 张，督查 {Inspection.objects.count()} 次")
