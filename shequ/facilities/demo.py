"""Demo data of the facilities module: the 街道's "1+4+13" network as the seed tells it — the 社区文化活动中心 with
its 星空剧院 and gym, four 睦邻中心 (延吉七村睦邻中心 with its 外来务工之家, 青少年之家, 慈善超市 and 志愿中心), a
睦邻点 in each of the other thirteen committees, 延吉敬老院 in 敦化路 and the 长者食堂 — with rooms, opening hours,
a closure, and bookings from six weeks ago to four weeks ahead (past ones checked in or missed, a weekly choir
whose clash with a 议事会 is skipped). The `facility` login (何静) runs 延吉七村睦邻中心. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError
from shequ.core.models import Node, User

from . import services
from .choices import AgeGroup, BookingStatus, FacilityLevel
from .models import Booking, BookingSeries, Facility, Room

LNG0, LNG1, LAT0, LAT1 = 121.5205, 121.5495, 31.2705, 31.2895  # the 街道's extent, as in core's demo
# Committee order of core's demo; block i of its 6×3 lattice is committee i's area.
COMMITTEE_ORDER = ["敦化路", "控江路645弄", "控江七村", "友谊新村", "松花江路", "舒兰路", "内江新村", "长白三村",
                   "延吉一村", "延吉二三村", "延吉四村", "延吉五六村", "延吉七村", "控江东三村", "控江西三村",
                   "控江五村", "杨家浜"]
STREETS = {"敦化路": "敦化路", "控江路645弄": "控江路645弄", "控江七村": "控江路", "友谊新村": "延吉东路",
           "松花江路": "松花江路", "舒兰路": "舒兰路", "内江新村": "内江路", "长白三村": "长白路", "延吉一村": "延吉中路",
           "延吉二三村": "延吉西路", "延吉四村": "延吉东路", "延吉五六村": "延吉中路", "延吉七村": "延吉东路",
           "控江东三村": "控江路", "控江西三村": "控江路", "控江五村": "控江路", "杨家浜": "双阳路"}

T = dt.time
EVERY_DAY, WEEKDAYS, TUE_SUN = range(7), range(5), range(1, 7)
CENTRE_HOURS = [(d, T(8), T(20, 30)) for d in EVERY_DAY]
POINT_HOURS = [(d, a, b) for d in WEEKDAYS for a, b in ((T(8, 30), T(11, 30)), (T(13, 30), T(17)))]
CULTURE_HOURS = [(d, T(8, 30), T(21)) for d in TUE_SUN]

CULTURE = ("延吉新村街道社区文化活动中心", "延吉中路95号", "延吉文体俱乐部",
           ["文艺演出", "健身", "培训讲座", "延吉风韵月月展", "团队排练"],
           [("星空剧院", 300, "舞台、灯光音响、LED大屏", True), ("健身房", 40, "跑步机、力量器械、淋浴", False),
            ("多功能厅", 120, "投影、音响、活动桌椅", True), ("舞蹈排练厅", 40, "把杆、落地镜、音响", False),
            ("合唱排练室", 50, "钢琴、谱架", False), ("书画室", 24, "书画台、展板", False)])
# (name, committee, address, operator, services, rooms, children)
CENTRES = [
    ("延吉七村睦邻中心", "延吉七村", "延吉东路149号", "上海知行社会工作服务社",
     ["96980社区服务热线", "慈善超市", "外来务工之家", "青少年之家", "志愿中心"],
     [("多功能厅", 80, "投影、音响", True), ("青少年活动室", 30, "图书角、桌游", False),
      ("外来务工之家活动室", 30, "电视、茶水", False), ("志愿者议事室", 16, "会议桌、白板", False),
      ("培训教室", 40, "投影、电脑", False)],
     [("外来务工之家", "延吉东路149号二楼", "为辖区外来务工人员提供政策咨询、技能培训和文体活动。"),
      ("青少年之家", "延吉东路149号三楼", "课后看护、假期活动和青少年志愿服务。"),
      ("延吉七村睦邻中心慈善超市", "延吉东路149号一楼", "2011年在延吉七村睦邻中心开设，接收社会捐赠，为困难家庭提供物资。"),
      ("延吉志愿中心", "延吉东路149号二楼", "全市首家街道志愿中心，由“青年家园”民间组织服务中心专业管理。")]),
    ("延吉睦邻中心", "延吉五六村", "延吉中路281号", "上海知行事务所",
     ["老年助餐", "日托", "社区卫生医疗点", "家庭医生服务"],
     [("多功能活动室", 60, "投影、音响", True), ("棋牌室", 24, "棋牌桌", False), ("阅览室", 20, "报刊、图书", False),
      ("健康小屋", 8, "血压计、体重秤", False)],
     [("延吉睦邻中心长者食堂", "延吉中路281号一楼", "老年助餐中心，供应午餐和晚餐。")]),
    ("控江睦邻中心", "控江七村", "控江路1011号", "上海知行事务所", ["老年活动", "文体团队", "法律咨询"],
     [("多功能厅", 60, "投影、音响", True), ("活动室", 30, "活动桌椅", False), ("书画室", 16, "书画台", False)], []),
    ("长白睦邻中心", "长白三村", "长白路215号", "上海知行事务所", ["老年活动", "亲子活动", "健康讲座"],
     [("多功能厅", 50, "投影、音响", True), ("亲子活动室", 20, "地垫、绘本", False)], []),
]
CANTEEN = ("控江长者食堂", "控江路645弄", "控江路645弄18号", "老年助餐，供应午餐，可送餐上门。")
CARE_HOME = ("延吉敬老院", "敦化路", "敦化路280号", "立足延吉、面向全区全市老人的住养机构。")

PURPOSES = [("合唱团排练", AgeGroup.ELDERS, "延吉合唱团"), ("太极拳练习", AgeGroup.ELDERS, "晨练队"),
            ("书法班", AgeGroup.ELDERS, "银龄书画社"), ("居民议事会", AgeGroup.ADULTS, ""),
            ("健康讲座：高血压管理", AgeGroup.ELDERS, ""), ("亲子绘本阅读", AgeGroup.CHILDREN, ""),
            ("青少年暑托班", AgeGroup.YOUTH, ""), ("外来务工人员技能培训", AgeGroup.ADULTS, "外来务工之家"),
            ("志愿者培训", AgeGroup.MIXED, "延吉志愿中心"), ("垃圾分类宣传", AgeGroup.MIXED, "低碳延吉"),
            ("沪剧票友活动", AgeGroup.ELDERS, "沪剧沙龙"), ("舞蹈排练", AgeGroup.ADULTS, "延吉舞蹈队")]
SLOTS = [(T(9), T(10, 30)), (T(14), T(16)), (T(18, 30), T(20))]
POINT_SLOTS = [(T(9), T(11)), (T(14), T(16))]


def _point(committee_index: int, rng: random.Random) -> tuple[str, str]:
    bi, bj = committee_index % 6, committee_index // 6
    lng = LNG0 + (LNG1 - LNG0) * (bi * 2 + 1 + rng.uniform(-0.5, 0.5)) / 12
    lat = LAT0 + (LAT1 - LAT0) * (bj * 2 + 1 + rng.uniform(-0.5, 0.5)) / 6
    return f"{lng:.6f}", f"{lat:.6f}"


def _facility(name, **data) -> tuple[Facility, bool]:
    found = Facility.objects.filter(name=name).first()
    if found is not None:
        return found, False
    return services.facility_create(actor=None, name=name, **data), True


def _rooms(facility, rooms) -> None:
    for name, capacity, equipment, approval in rooms:
        if not Room.objects.filter(facility=facility, name=name).exists():
            services.room_create(actor=None, facility=facility, name=name, capacity=capacity, equipment=equipment,
                                 needs_approval=approval)


def _network(sub, committees, rng) -> dict:
    made = {}
    name, address, operator, offered, rooms = CULTURE
    culture, new = _facility(name, level=FacilityLevel.CULTURE_CENTRE, node=sub, address=address,
                             operator_name=operator, services=offered, lng="121.535600", lat="31.280400",
                             phone="021-65030001", closed_on_holidays=False,
                             description="标准化、多功能的社区文化活动中心，“1+4+13”公共服务设施中的“1”。")
    if new:
        services.opening_hours_set(actor=None, facility=culture, periods=CULTURE_HOURS)
    _rooms(culture, rooms)
    made["culture"] = culture
    for index, (name, committee, address, operator, offered, rooms, children) in enumerate(CENTRES):
        lng, lat = _point(COMMITTEE_ORDER.index(committee), rng)
        centre, new = _facility(name, level=FacilityLevel.NEIGHBOURHOOD_CENTRE, node=committees[committee],
                                address=address, operator_name=operator, services=offered, lng=lng, lat=lat,
                                phone=f"021-6503{index + 1:04d}")
        if new:
            services.opening_hours_set(actor=None, facility=centre, periods=CENTRE_HOURS)
        _rooms(centre, rooms)
        made[name] = centre
        for child, child_address, description in children:
            level = FacilityLevel.CANTEEN if child.endswith("长者食堂") else FacilityLevel.OTHER
            _facility(child, level=level, node=committees[committee], address=child_address, parent=centre,
                      lng=lng, lat=lat, operator_name=operator, description=description)
    centre_committees = {c[1] for c in CENTRES}
    for committee in COMMITTEE_ORDER:
        if committee in centre_committees:
            continue
        lng, lat = _point(COMMITTEE_ORDER.index(committee), rng)
        point, new = _facility(f"{committee}睦邻点", level=FacilityLevel.NEIGHBOURHOOD_POINT,
                               node=committees[committee], address=f"{STREETS[committee]}{rng.randint(20, 400)}号",
                               operator_name=f"{committee}居委会", services=["老年活动", "读报", "棋牌"],
                               lng=lng, lat=lat, description="由原老年活动室整修改建，延伸睦邻中心的服务。")
        if new:
            services.opening_hours_set(actor=None, facility=point, periods=POINT_HOURS)
        _rooms(point, [("活动室", rng.choice([20, 24, 30]), "活动桌椅、电视", False)])
        made[point.name] = point
    name, committee, address, description = CARE_HOME
    lng, lat = _point(COMMITTEE_ORDER.index(committee), rng)
    _facility(name, level=FacilityLevel.CARE_HOME, node=committees[committee], address=address,
              operator_name="上海知行养老服务中心", services=["住养", "护理", "康复"], lng=lng, lat=lat,
              phone="021-65039001", description=description)
    name, committee, address, description = CANTEEN
    lng, lat = _point(COMMITTEE_ORDER.index(committee), rng)
    _facility(name, level=FacilityLevel.CANTEEN, node=committees[committee], address=address,
              operator_name="延吉社区助餐服务社", services=["午餐", "送餐上门"], lng=lng, lat=lat,
              description=description)
    return made


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def _open_on(room: Room, start: dt.datetime, end: dt.datetime) -> bool:
    from . import selectors

    try:
        return not selectors.opening_refusal(room.facility, start, end)
    except DomainError:
        return False


def _bookings(made, users, rng, stdout) -> int:
    """Past bookings are history (written as the closing job leaves them); future ones go through the service."""
    now = timezone.now()
    today = timezone.localdate()
    bookers = [u for u in users.values() if u is not None]
    rooms = [r for r in Room.objects.select_related("facility").filter(bookable=True)]
    past = []
    for offset in range(-42, 0):
        day = today + dt.timedelta(days=offset)
        for room in rooms:
            slots = POINT_SLOTS if room.facility.level == FacilityLevel.NEIGHBOURHOOD_POINT else SLOTS
            for a, b in slots:
                if rng.random() > 0.35 or (room.name == "合唱排练室" and day.weekday() == 1 and a == T(14)):
                    continue  # Tuesday afternoons of the 合唱排练室 belong to the choir
                start, end = _at(day, a), _at(day, b)
                if not _open_on(room, start, end):
                    continue
                purpose, group, team = rng.choice(PURPOSES)
                past.append(Booking(room=room, start=start, end=end, purpose=purpose, team=team, age_group=group,
                                    attendees=min(room.capacity, rng.randint(8, 40)),
                                    status=BookingStatus.CHECKED_IN if rng.random() < 0.86 else BookingStatus.NO_SHOW,
                                    booked_by=rng.choice(bookers), created_at=start - dt.timedelta(days=7)))
    for b in past:
        if b.status == BookingStatus.CHECKED_IN:
            b.checked_in_at = b.start + dt.timedelta(minutes=rng.randint(-10, 10))
    Booking.objects.bulk_create(past, batch_size=500)
    qicun = made["延吉七村睦邻中心"]
    hall = Room.objects.get(facility=qicun, name="多功能厅")
    operator, worker, resident = users["facility"], users["dunhua"] or users["leader"], users["resident"]
    created = len(past)

    def book(actor, room, start, end, purpose, group=AgeGroup.MIXED, team=""):
        nonlocal created
        if start <= now:
            status = BookingStatus.CHECKED_IN if end <= now else BookingStatus.APPROVED
            Booking.objects.create(room=room, start=start, end=end, purpose=purpose, age_group=group, team=team,
                                   status=status, booked_by=actor, attendees=min(room.capacity, 20),
                                   checked_in_at=start if status == BookingStatus.CHECKED_IN else None)
            created += 1
            return
        try:
            services.booking_create(actor=actor, room=room, start=start, end=end, purpose=purpose, team=team,
                                    age_group=group, attendees=min(room.capacity, rng.randint(8, 30)))
            created += 1
        except DomainError:
            pass  # closed that day, or the slot is already taken: a real booker would pick another time

    # The weekly choir in the culture centre's 合唱排练室: the past six Tuesdays held, the coming ones booked as
    # one weekly booking; a 议事会 already holds one Tuesday, which the choir skips.
    culture = made["culture"]
    choir_room = Room.objects.get(facility=culture, name="合唱排练室")
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    leader = users["leader"]
    for week in range(1, 7):
        day = tuesday - dt.timedelta(weeks=week)
        if not Booking.objects.filter(room=choir_room, start=_at(day, T(14))).exists():
            Booking.objects.create(room=choir_room, start=_at(day, T(14)), end=_at(day, T(16)),
                                   purpose="延吉合唱团排练", team="延吉合唱团", age_group=AgeGroup.ELDERS,
                                   attendees=36, status=BookingStatus.CHECKED_IN, booked_by=leader,
                                   checked_in_at=_at(day, T(13, 55)))
    clash_day = tuesday + dt.timedelta(weeks=2)
    book(leader, choir_room, _at(clash_day, T(15)), _at(clash_day, T(16, 30)), "居民议事会：楼道堆物整治",
         AgeGroup.ADULTS)
    first = _at(tuesday, T(14))
    weeks = 4
    plan = services.booking_series_plan(actor=leader, room=choir_room, start=first, end=_at(tuesday, T(16)),
                                        weeks=weeks)
    series, bookings = services.booking_series_create(
        actor=leader, room=choir_room, start=first, end=_at(tuesday, T(16)), purpose="延吉合唱团排练",
        team="延吉合唱团", age_group=AgeGroup.ELDERS, attendees=36, weeks=weeks,
        skip=[p["date"] for p in plan if p["problem"]])
    created += len(bookings)
    # Today at 延吉七村睦邻中心: the operator's day.
    for (a, b), room_name, (purpose, group, team) in zip(
            SLOTS, ["青少年活动室", "培训教室", "外来务工之家活动室"],
            [PURPOSES[6], PURPOSES[7], PURPOSES[8]]):
        room = Room.objects.get(facility=qicun, name=room_name)
        if _open_on(room, _at(today, a), _at(today, b)):
            book(operator, room, _at(today, a), _at(today, b), purpose, group, team)
    # The next four weeks everywhere, committee workers and residents among the bookers; requests for the halls
    # that need approval stay pending for the operator.
    for offset in range(1, 29):
        day = today + dt.timedelta(days=offset)
        for room in rooms:
            slots = POINT_SLOTS if room.facility.level == FacilityLevel.NEIGHBOURHOOD_POINT else SLOTS
            for a, b in slots:
                if rng.random() > 0.18:
                    continue
                purpose, group, team = rng.choice(PURPOSES)
                if room.facility_id == qicun.pk:
                    actor = rng.choice([u for u in (operator, resident) if u])
                elif room.facility.node.name.startswith("敦化路") and worker is not None:
                    actor = worker
                else:
                    actor = rng.choice([u for u in (users["leader"], resident) if u])
                book(actor, room, _at(day, a), _at(day, b), purpose, group, team)
    for offset, (purpose, actor) in ((2, ("居民议事会：加装电梯意见征询", worker)), (5, ("社区读书会", resident)),
                                     (9, ("亲子手工活动", resident))):
        day = today + dt.timedelta(days=offset)
        if actor is not None:
            book(actor, hall, _at(day, T(14)), _at(day, T(15, 30)), purpose)
    stdout.write(f"  场地预约：{created} 条（每周合唱 {len(bookings)} 次，跳过 {len(series.skipped)} 个冲突日期）")
    return created


def seed(*, stdout, password: str, rng: random.Random) -> None:
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, name="延吉新村街道").first()
    if sub is None:
        stdout.write("  设施：没有延吉新村街道，跳过")
        return
    committees = {n.name.removesuffix("居委会"): n for n in Node.objects.filter(kind=NodeKind.COMMITTEE, parent=sub)}
    if any(c not in committees for c in COMMITTEE_ORDER):
        stdout.write("  设施：居委会不全，跳过")
        return
    rng = random.Random(rng.random())
    made = _network(sub, committees, rng)
    users = {u: User.objects.filter(username=u, is_active=True).first()
             for u in ("facility", "dunhua", "kongjiang", "resident", "leader")}
    if users["facility"] is not None and users["facility"].role == Role.FACILITY_OPERATOR:
        services.facility_staff_assign(actor=None, facility=made["延吉七村睦邻中心"], user=users["facility"])
    if not Facility.objects.filter(closures__isnull=False).exists():
        point = made["舒兰路睦邻点"]
        start = timezone.localdate() + dt.timedelta(days=10)
        services.closure_create(actor=None, facility=point, date_from=start, date_to=start + dt.timedelta(days=2),
                                reason="活动室墙面翻新")
    stdout.write(f"  设施：{Facility.objects.count()} 处，活动室 {Room.objects.count()} 间")
    if users["leader"] is None or Booking.objects.exists() or BookingSeries.objects.exists():
        return
    _bookings(made, users, rng, stdout)
