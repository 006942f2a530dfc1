"""Demo data for 为老服务: the 延吉睦邻中心's 老年助餐中心 (the kitchen) and three 助餐点, a few hundred enrolled elders of
the registry with their orders for the past month and this week, last month's settlement, the 日托中心 with its
attendance (one reading flagged) and the 延吉敬老院's beds and waiting list. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.models import Node, User
from shequ.facilities.selectors import facility_list
from shequ.facilities.services import facility_create, facility_staff_assign
from shequ.people.selectors import resident_list
from shequ.portal.selectors import actable_residents
from shequ.portal.services import account_for

from . import services
from .choices import ApplicationStatus, EnrolmentStatus, Meal, OrderChannel
from .models import (Bed, Canteen, CareHomeApplication, DayCareEnrolment, DeliveryRoute, MealEnrolment, MealOrder,
                     MealTier)
from .pricing import quote
from .selectors.meals import person_of, tier_rules
from .tiers import ensure_default_tiers

KITCHEN = "延吉睦邻中心老年助餐中心"
POINTS = [("敦化路助餐点", "敦化路"), ("控江七村助餐点", "控江七村"), ("延吉四村助餐点", "延吉四村")]
DAY_CARE = "延吉睦邻中心日托中心"
CARE_HOME = "延吉敬老院"
ROUTES = ["敦化路线", "控江路线", "延吉东路线"]


def _facility(actor, *, name, level, node, address, parent=None):
    existing = facility_list(user=actor).filter(name=name).first()
    return existing or facility_create(actor=actor, level=level, name=name, node=node, address=address,
                                       parent=parent, operator_name="上海延吉社区为老服务社",
                                       phone="021-65430000")


def _canteen(facility, **prices) -> Canteen:
    canteen = Canteen.objects.filter(facility=facility).first()
    return canteen or Canteen.objects.create(facility=facility, **prices)


def seed(*, stdout, password: str, rng: random.Random) -> None:
    officer = User.objects.filter(username="officer").first()
    leader = User.objects.filter(username="leader").first()
    operator = User.objects.filter(username="facility").first()
    committee_worker = User.objects.filter(username="dunhua").first()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, code="310110015000").first()
    if not (officer and leader and operator and sub):
        stdout.write("  为老服务：缺少演示账号或街道，跳过")
        return
    if MealEnrolment.objects.exists():
        stdout.write(f"  为老服务：已有助餐登记 {MealEnrolment.objects.count()} 人，跳过")
        return
    rng = random.Random(2026)
    with transaction.atomic():
        ensure_default_tiers(MealTier)
        committees = {c.name.removesuffix("居委会"): c for c in Node.objects.filter(kind=NodeKind.COMMITTEE,
                                                                                   parent=sub)}
        centre = facility_list(user=officer).filter(name="延吉睦邻中心").first()
        kitchen_f = _facility(officer, name=KITCHEN, level="canteen", node=sub, address="延吉中路99号1楼",
                              parent=centre)
        kitchen = _canteen(kitchen_f, breakfast_price=Decimal("4.00"), lunch_price=Decimal("15.00"),
                           dinner_price=Decimal("12.00"), cutoff_time=dt.time(16, 0), cutoff_days_before=1)
        points = []
        for name, committee in POINTS:
            node = committees.get(committee, sub)
            f = _facility(officer, name=name, level="canteen", node=node, address=f"{committee}社区活动室")
            points.append(_canteen(f, kind="meal_point", kitchen=kitchen, lunch_price=Decimal("15.00"),
                                   cutoff_time=dt.time(9, 0), cutoff_days_before=0))
        routes = [DeliveryRoute.objects.get_or_create(canteen=kitchen, name=n, defaults={"sort_order": i})[0]
                  for i, n in enumerate(ROUTES)]
        day_f = _facility(officer, name=DAY_CARE, level="day_care", node=sub, address="延吉中路99号2楼", parent=centre)
        home_f = _facility(officer, name=CARE_HOME, level="care_home", node=committees.get("敦化路", sub),
                           address="敦化路200号")
        for f in (kitchen_f, day_f, home_f):
            facility_staff_assign(actor=leader, facility=f, user=operator)
        enrolled = _enrol(officer, kitchen, points, routes, rng)
        _enrol_family(officer, kitchen)
        orders = _orders(kitchen, points, committee_worker or officer, rng)
        settled = _settle(officer, leader, kitchen, points)
        attended = _day_care(officer, operator, day_f, rng)
        waiting = _care_home(officer, operator, committee_worker or officer, home_f, rng)
    stdout.write(f"  为老服务：助餐登记 {enrolled} 人，订单 {orders} 份，结算单 {settled} 张；"
                 f"日托出勤 {attended} 人次；敬老院轮候 {waiting} 人")


def _enrol(officer, kitchen, points, routes, rng) -> int:
    elders = list(resident_list(user=officer, tag="60+").select_related("committee")[:4000])
    rng.shuffle(elders)
    by_committee = {p.facility.node_id: p for p in points}
    count = 0
    for resident in elders:
        if count >= 320:
            break
        if resident.age < 65 and rng.random() < 0.6:
            continue
        canteen = by_committee.get(resident.committee_id, kitchen)
        route = rng.choice(routes) if canteen == kitchen and rng.random() < 0.3 else None
        try:
            services.meal_enrol(actor=officer, resident=resident, canteen=canteen, route=route,
                                diet_note=rng.choice(["", "", "", "低盐", "软食", "糖尿病餐"]))
        except DomainError:
            continue
        count += 1
    return count


def _enrol_family(officer, kitchen) -> None:
    """The demo resident login's elderly relatives, so that its 助餐 tile has someone to order for."""
    user = User.objects.filter(username="resident").first()
    if user is None:
        return
    account = account_for(user)
    for member in ([account.resident] if account.resident_id else []) + actable_residents(account=account):
        if member.age >= 60 and not MealEnrolment.objects.filter(resident=member, status="active").exists():
            try:
                services.meal_enrol(actor=officer, resident=member, canteen=kitchen)
            except DomainError:
                pass


def _orders(kitchen, points, placed_by, rng) -> int:
    """Past days are written as the orders were priced then (bulk); the rest of this week through the service,
    which applies the cut-off."""
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rules = tier_rules()
    enrolments = list(MealEnrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related("resident",
                                                                                                 "canteen"))
    people = {e.pk: person_of(e.resident) for e in enrolments}
    habits = {e.pk: (rng.random() * 0.6 + 0.3, rng.random() < 0.25, rng.random() < 0.2) for e in enrolments}
    rows = []
    day = first
    while day < today:
        for e in enrolments:
            p_lunch, dines_dinner, delivery = habits[e.pk]
            meals = []
            if rng.random() < p_lunch:
                meals.append(Meal.LUNCH)
            if dines_dinner and e.canteen.dinner_price is not None and rng.random() < 0.7:
                meals.append(Meal.DINNER)
            used = False
            for meal in meals:
                mode = "delivery" if delivery and e.route_id else "dine_in"
                q = quote(rules, people[e.pk], day, e.canteen.price_of(meal), mode, subsidy_used_today=used)
                used = used or q.subsidy > 0
                placed = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10)))
                rows.append(MealOrder(enrolment=e, resident=e.resident, canteen=e.canteen, date=day, meal=meal,
                                      mode=mode, channel=rng.choice([OrderChannel.SELF, OrderChannel.RELATIVE,
                                                                     OrderChannel.COMMITTEE]),
                                      price=q.price, discount=q.discount, subsidy=q.subsidy, payable=q.payable,
                                      tiers="、".join(q.tiers), placed_by=placed_by, created_at=placed))
        day += dt.timedelta(days=1)
    MealOrder.objects.bulk_create(rows, batch_size=2000)
    created = len(rows)
    ordering = User.objects.filter(username="officer").first()  # the 街道 reaches every committee
    end = today + dt.timedelta(days=6 - today.weekday())
    day = today
    while day <= end:
        for e in enrolments:
            if rng.random() < habits[e.pk][0]:
                try:
                    services.meal_order_create(actor=ordering, resident=e.resident, date=day, meal=Meal.LUNCH,
                                               mode="delivery" if habits[e.pk][2] and e.route_id else "dine_in")
                    created += 1
                except DomainError:
                    pass  # past the cut-off, or out of the worker's committee
        day += dt.timedelta(days=1)
    return created


def _settle(officer, leader, kitchen, points) -> int:
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    count = 0
    for canteen in [kitchen, *points]:
        s = services.settlement_compute(actor=officer, canteen=canteen, month=month)
        count += 1
        if canteen == kitchen:
            services.settlement_approve(actor=leader, settlement=s, note="经街道民政科核对")
    return count


def _day_care(officer, operator, facility, rng) -> int:
    elders = [r for r in resident_list(user=officer, tag="80+")[:200]]
    rng.shuffle(elders)
    today = timezone.localdate()
    enrolments = []
    for resident in elders[:12]:
        try:
            enrolments.append(services.daycare_enrol(
                actor=officer, facility=facility, resident=resident, care_grade=rng.randint(1, 4),
                daily_fee=Decimal("30.00"), start_date=today - dt.timedelta(days=60),
                emergency_contact=f"子女 13{rng.randint(100000000, 999999999)}"))
        except DomainError:
            continue
    count = 0
    for offset in range(14, -1, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for index, e in enumerate(enrolments):
            if rng.random() < 0.15:
                continue
            flagged = offset == 0 and index == 0
            systolic = 168 if flagged else rng.randint(112, 136)
            diastolic = 98 if flagged else rng.randint(68, 86)
            services.attendance_record(
                actor=operator, enrolment=e, date=day, arrived_at=dt.time(8, rng.randint(0, 45)),
                left_at=None if offset == 0 else dt.time(16, rng.randint(0, 40)),
                temperature=f"{rng.uniform(36.1, 37.0):.1f}", systolic=systolic, diastolic=diastolic,
                note="已通知家属复测血压" if flagged else "")
            count += 1
    if enrolments:
        services.incident_create(actor=operator, enrolment=enrolments[-1],
                                 occurred_at=timezone.now() - dt.timedelta(days=3, hours=2), kind="fall",
                                 description="午休起身时在床边滑倒，无明显外伤", action_taken="测量生命体征，观察两小时，通知家属",
                                 family_notified=True)
    return count


def _care_home(officer, operator, committee_worker, facility, rng) -> int:
    if not Bed.objects.filter(facility=facility).exists():
        for room in range(101, 111):
            for number in (1, 2):
                services.bed_create(actor=officer, facility=facility, room=str(room), number=f"{room}-{number}")
    elders = [r for r in resident_list(user=officer, tag="80+")[200:400]
              if not DayCareEnrolment.objects.filter(resident=r).exists()]
    rng.shuffle(elders)
    beds = list(Bed.objects.filter(facility=facility, status="free").order_by("number"))
    waiting = 0
    for index, resident in enumerate(elders[:22]):
        try:
            a = services.application_create(actor=officer, facility=facility, resident=resident,
                                            reason=rng.choice(["独居，行动不便", "子女在外地，无人照料",
                                                               "失能，需要长期照护", "家属照护困难"]))
        except DomainError:
            continue
        if index >= 20:
            continue  # newly applied, waiting for the assessment
        a = services.application_assess(actor=officer, application=a, care_grade=rng.randint(2, 6),
                                        note="经老年照护统一需求评估")
        a = services.application_queue(actor=officer, application=a)
        if index < 14 and beds:
            services.application_admit(actor=operator, application=a, bed=beds.pop(0))
        elif index == 19:
            services.application_withdraw(actor=officer, application=a, note="家属决定居家照护")
        else:
            CareHomeApplication.objects.filter(pk=a.pk).update(
                waiting_since=timezone.localdate() - dt.timedelta(days=rng.randint(20, 400)))
            waiting += 1
    return CareHomeApplication.objects.filter(status=ApplicationStatus.WAITING).count() or waiting
