"""Demo data of the 96980 line: a week of calls taken by the `facility` login (the 街道 service office's operator
at 延吉七村睦邻中心), answered on the spot, routed to grid cases or to the acceptance centre's notice of
materials, with call-backs and satisfaction; and today a caller's room booking at the centre and a meal order
for an enrolled elder of the caller's household. Idempotent: nothing is added once calls exist."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.acceptance import selectors as acceptance
from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError
from shequ.core.models import Node, User
from shequ.eldercare import selectors as eldercare
from shequ.facilities import selectors as facilities

from . import services
from .models import Call

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
TITLES = ["阿姨", "老伯", "师傅", "先生", "女士", "阿婆"]
# (category, need, how it is handled: answer text | "grid:<category code>" | "consult")
NEEDS = [
    ("environment", "楼道里堆满了纸板和旧家具，影响通行，存在消防隐患", "grid:E0102"),
    ("environment", "小区门口垃圾箱满溢，没人清运，气味很大", "grid:E0102"),
    ("housing", "顶楼屋面漏水，下雨天家里天花板滴水", "grid:E0102"),
    ("household", "家里水龙头坏了，想找社区便民维修", "请拨打睦邻中心便民服务点电话预约上门维修，老人家庭免上门费。"),
    ("household", "想找钟点工照顾卧床的老人", "已告知社区家政服务站的联系方式和收费标准。"),
    ("elderly", "老人八十多岁独居，想了解长者食堂怎么订餐", "已告知延吉七村长者食堂的订餐电话和助餐补贴条件。"),
    ("elderly", "想了解日间照料中心怎么报名", "已告知日间照料中心的报名条件、所需材料和开放时间。"),
    ("policy", "低保怎么申请，要带哪些材料", "consult"),
    ("policy", "老年综合津贴怎么办理", "consult"),
    ("neighbour", "楼上邻居晚上很吵，多次沟通无效", "已转居委会调解，居委会社工将在两日内上门。"),
    ("venue", "想借睦邻中心活动室办书法班", "已告知活动室开放时间和预约方式，请到服务台登记。"),
    ("other", "询问社区志愿者服务时长怎么查询", "已告知可在志愿中心或居民端查询服务时长。"),
]


def seed(*, stdout, password: str, rng: random.Random) -> None:
    operator = User.objects.filter(username="facility", role=Role.FACILITY_OPERATOR).first()
    if operator is None:
        stdout.write("  96980热线：没有演示账号，跳过")
        return
    if Call.objects.exists():
        stdout.write("  96980热线：已有演示数据")
        return
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith="310110015", is_active=True)
                      .order_by("code"))
    items = [i for i in acceptance.catalogue_list() if i.name in ("城乡居民最低生活保障申请", "老年综合津贴申领")] or \
        list(acceptance.catalogue_list()[:2])
    now = timezone.now()
    made = routed = 0
    for day in range(6, -1, -1):
        for _ in range(rng.randint(4, 8)):
            hour = rng.choice([8, 9, 9, 10, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19])
            at = timezone.localtime(now - dt.timedelta(days=day)).replace(hour=hour, minute=rng.randint(0, 59))
            if at > now:
                continue
            category, need, how = rng.choice(NEEDS)
            committee = rng.choice(committees) if committees else None
            name = rng.choice(SURNAMES) + rng.choice(TITLES)
            road = committee.name.replace("居委会", "") if committee else "延吉东路"
            call = services.call_log(actor=operator, caller_name=name, caller_phone=f"1391620{rng.randint(1000, 9999)}",
                                     need=need, category=category, committee=committee,
                                     address=f"{road}{rng.randint(1, 60)}号", received_at=at)
            made += 1
            if day == 0 and rng.random() < 0.3:
                continue  # a few of today's calls wait for the operator
            try:
                if how.startswith("grid:"):
                    services.call_route_grid(actor=operator, call=call, category=how[5:])
                    routed += 1
                elif how == "consult" and items:
                    services.call_route_consultation(actor=operator, call=call, item_id=rng.choice(items).pk)
                else:
                    services.call_answer(actor=operator, call=call,
                                         reply=how if how != "consult" else "已告知到社区事务受理服务中心办理。")
            except DomainError as exc:
                stdout.write(f"  跳过一次转办：{exc.message}")
                continue
            if rng.random() < 0.6:
                services.callback_schedule(actor=operator, call=call, due=now + dt.timedelta(hours=rng.randint(1, 48)))
                if day > 1:
                    services.callback_record(actor=operator, call=call, reached=True, result="已办理，来电人认可",
                                             satisfaction=rng.choice(["satisfied", "satisfied", "basic",
                                                                      "unsatisfied"]))
            elif day > 0:
                services.call_close(actor=operator, call=call)
    logged, booked, ordered = _booking_and_meal(operator, committees, now, rng)
    stdout.write(f"  96980热线：来电 {made + logged} 个，转网格案件 {routed} 件，场地预约 {booked} 个，助餐订餐 {ordered} 份")


def _booking_and_meal(operator, committees, now, rng) -> tuple[int, int, int]:
    """Two of today's calls: a 楼组 asking for a room (booked at the operator's centre, at the first free slot
    of the coming days) and, at the operations centre's seat, a relative ordering a delivered lunch for an enrolled
    elder. Returns the calls logged, the bookings and the orders made."""
    tz = timezone.get_current_timezone()
    logged = 1
    booked = ordered = 0
    committee = committees[0] if committees else None
    call = services.call_log(actor=operator, caller_name="沈阿姨", caller_phone=f"1391621{rng.randint(1000, 9999)}",
                             need="楼组想借活动室开楼组长议事会，二十人左右", category="venue", committee=committee,
                             received_at=now - dt.timedelta(minutes=40))
    rooms = list(facilities.room_list(user=operator).filter(bookable=True, capacity__gte=20)[:3])
    for offset in range(2, 9):
        day = timezone.localdate(now) + dt.timedelta(days=offset)
        for room in rooms:
            try:
                services.call_route_booking(actor=operator, call=call, room_id=room.pk, purpose="楼组长议事会",
                                            start=dt.datetime.combine(day, dt.time(14), tz),
                                            end=dt.datetime.combine(day, dt.time(16), tz), attendees=20)
            except DomainError:
                continue
            booked = 1
            break
        if booked:
            break
    # Meals are ordered by the operations centre's hotline seat (the facility operators may not order).
    seat = User.objects.filter(username="operator", role=Role.OPS_OPERATOR, is_active=True).first()
    enrolled = [e.resident for e in eldercare.enrolment_list(user=seat)[:50]] if seat is not None else []
    if enrolled:
        logged += 1
        elder = rng.choice(enrolled)
        call = services.call_log(actor=seat, caller_name=f"{elder.name[0]}女士",
                                 caller_phone=f"1391622{rng.randint(1000, 9999)}", category="elderly",
                                 need=f"家里老人{elder.name}腿脚不便，想订明天的午餐送到家", committee=elder.committee,
                                 received_at=now - dt.timedelta(minutes=20))
        for offset in range(1, 4):
            try:
                services.call_route_meal_order(actor=seat, call=call, resident_id=elder.pk, meal="lunch",
                                               mode="delivery",
                                               date=timezone.localdate(now) + dt.timedelta(days=offset))
            except DomainError:
                continue
            ordered = 1
            break
    return logged, booked, ordered
