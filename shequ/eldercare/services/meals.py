"""Writes of meal assistance (老年助餐): enrolment, orders, cancellation, settlement. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.inputs import period_errors
from shequ.core.scoping import in_scope
from shequ.portal.selectors import actable_residents
from shequ.portal.services import account_for

from ..choices import EnrolmentStatus, Meal, MealMode, OrderChannel, OrderStatus, SettlementStatus
from ..models import Canteen, DeliveryRoute, MealEnrolment, MealOrder, MealSettlement
from ..pricing import quote
from ..selectors.meals import eligible_tiers, person_of, settlement_figures, tier_rules
from ..workflows import SETTLEMENT


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _resident_refused() -> DomainError:
    return DomainError(_("找不到该居民，或不在您的服务范围内。"), {"resident": [_("居民不存在或不在您的辖区内。")]})


def order_channel(*, actor, resident) -> str:
    """Who may order for this resident, and through which channel; refused as an unknown resident otherwise
    (the same answer as for a resident who does not exist)."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("请先登录。"), {"actor": [_("未登录。")]})
    if actor.role == Role.RESIDENT:
        account = account_for(actor)
        if account.resident_id == resident.pk:
            return OrderChannel.SELF
        if any(m.pk == resident.pk for m in actable_residents(account=account)):
            return OrderChannel.RELATIVE
        raise _resident_refused()
    if not actor.can("eldercare.order"):
        raise Forbidden(_("您的岗位不能代订助餐。"), {"actor": [_("无权执行该操作。")]})
    if not in_scope(actor, resident.committee):
        raise _resident_refused()
    if actor.role == Role.COMMITTEE_WORKER:
        return OrderChannel.COMMITTEE
    if actor.role == Role.OPS_OPERATOR:
        return OrderChannel.HOTLINE
    return OrderChannel.STAFF


@transaction.atomic
def meal_enrol(*, actor, resident, canteen: Canteen, route: DeliveryRoute | None = None,
               diet_note: str = "") -> MealEnrolment:
    """助餐登记: a resident of the actor's committee who matches a tier of the subsidy table."""
    if not actor.can("eldercare.enrol"):
        raise Forbidden(_("您的岗位不能办理助餐登记。"), {"actor": [_("无权执行该操作。")]})
    if not in_scope(actor, resident.committee):
        raise _resident_refused()
    errors: dict[str, list] = {}
    if canteen is None or not canteen.is_active:
        errors["canteen"] = [_("请选择助餐点。")]
    if route is not None and canteen is not None and route.canteen_id != canteen.pk:
        errors["route"] = [_("送餐线路不属于所选助餐点。")]
    if len(diet_note or "") > 100:
        errors["diet_note"] = [_("饮食备注最多 100 字。")]
    if not resident.is_active:
        errors["resident"] = [_("该居民已不在册。")]
    elif not eligible_tiers(resident=resident, day=timezone.localdate()):
        errors["resident"] = [_("该居民不符合助餐条件（年龄、低保或残疾，见补贴档次表）。")]
    if errors:
        raise DomainError(_("助餐登记信息有误。"), errors)
    if MealEnrolment.objects.filter(resident=resident, status=EnrolmentStatus.ACTIVE).exists():
        raise ConflictError(_("该居民已登记助餐。"), {"resident": [_("该居民已登记助餐。")]})
    try:
        with transaction.atomic():
            enrolment = MealEnrolment.objects.create(resident=resident, canteen=canteen, route=route,
                                                     diet_note=(diet_note or "").strip(), enrolled_by=actor)
    except IntegrityError:
        raise ConflictError(_("该居民已登记助餐。"), {"resident": [_("该居民已登记助餐。")]}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=enrolment, object_repr=resident.name,
                 detail={"resident": resident.pk, "canteen": canteen.pk})
    return enrolment


@transaction.atomic
def meal_enrolment_end(*, actor, enrolment: MealEnrolment) -> MealEnrolment:
    if not actor.can("eldercare.enrol"):
        raise Forbidden(_("您的岗位不能办理助餐登记。"), {"actor": [_("无权执行该操作。")]})
    enrolment = MealEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ConflictError(_("该登记已退出。"), {"status": [_("当前状态不允许该操作。")]})
    enrolment.status, enrolment.ended_at = EnrolmentStatus.ENDED, timezone.now()
    enrolment.save(update_fields=["status", "ended_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=enrolment, detail={"to": "ended"})
    return enrolment


def order_deadline(canteen: Canteen, day: dt.date) -> dt.datetime:
    """Orders for `day` are taken until this moment (exclusive)."""
    naive = dt.datetime.combine(day - dt.timedelta(days=canteen.cutoff_days_before), canteen.cutoff_time)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _parse_day(date) -> dt.date:
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date))
    except ValueError:
        raise DomainError(_("日期格式应为 YYYY-MM-DD。"), {"date": [_("日期无效。")]}) from None


@transaction.atomic
def meal_order_create(*, actor, resident, date, meal, mode, canteen: Canteen | None = None) -> MealOrder:
    """助餐订餐: one meal of one day for an enrolled resident, priced from the tier table now and kept so.

    Placed by the elder, a relative of his household, a committee worker of his committee, 街道 staff or the
    96980 hotline. Refused (400) for a resident out of the actor's reach, not enrolled, a meal the canteen does
    not serve or a day past the canteen's cut-off; a second order of the same day and meal is a 409."""
    if resident is None:
        raise _resident_refused()
    channel = order_channel(actor=actor, resident=resident)
    day = _parse_day(date)
    errors: dict[str, list] = {}
    if meal not in Meal.values:
        errors["meal"] = [_("餐次无效。")]
    if mode not in MealMode.values:
        errors["mode"] = [_("用餐方式无效。")]
    if errors:
        raise DomainError(_("订餐信息有误。"), errors)
    enrolment = (MealEnrolment.objects.select_for_update()  # one resident's orders one at a time
                 .filter(resident=resident, status=EnrolmentStatus.ACTIVE).select_related("canteen__facility").first())
    if enrolment is None:
        raise DomainError(_("%(n)s 尚未登记助餐。") % {"n": resident.name}, {"resident": [_("该居民尚未登记助餐。")]})
    canteen = canteen or enrolment.canteen
    if not canteen.is_active:
        raise DomainError(_("该助餐点已停用。"), {"canteen": [_("该助餐点已停用。")]})
    price = canteen.price_of(meal)
    if price is None:
        raise DomainError(_("%(c)s 不供应%(m)s。") % {"c": canteen.name, "m": Meal(meal).label},
                          {"meal": [_("该助餐点不供应此餐次。")]})
    deadline = order_deadline(canteen, day)
    if timezone.now() >= deadline:
        raise DomainError(_("%(d)s 的订餐已于 %(t)s 截止。") % {"d": _cn(day),
                                                         "t": timezone.localtime(deadline).strftime("%m-%d %H:%M")},
                          {"date": [_("已过订餐截止时间。")]})
    if MealOrder.objects.filter(resident=resident, date=day, meal=meal, status=OrderStatus.ACTIVE).exists():
        raise _duplicate(resident, day, meal)
    used = MealOrder.objects.filter(resident=resident, date=day, status=OrderStatus.ACTIVE, subsidy__gt=0).exists()
    q = quote(tier_rules(), person_of(resident), day, price, mode, subsidy_used_today=used)
    order = MealOrder(enrolment=enrolment, resident=resident, canteen=canteen, date=day, meal=meal, mode=mode,
                      channel=channel, price=q.price, discount=q.discount, subsidy=q.subsidy, payable=q.payable,
                      tiers="、".join(q.tiers)[:200], placed_by=actor)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        if MealOrder.objects.filter(resident=resident, date=day, meal=meal, status=OrderStatus.ACTIVE).exists():
            raise _duplicate(resident, day, meal) from None
        raise
    audit_record(actor=actor, action=AuditAction.CREATE, obj=order, object_repr=f"{resident.name} {day} {meal}",
                 detail={"resident": resident.pk, "canteen": canteen.pk, "date": day.isoformat(), "meal": meal,
                         "mode": mode, "channel": channel, "price": str(q.price), "subsidy": str(q.subsidy)})
    return order


def _duplicate(resident, day, meal) -> ConflictError:
    return ConflictError(_("%(n)s %(d)s 的%(m)s已经订过。") % {"n": resident.name, "d": _cn(day),
                                                       "m": Meal(meal).label},
                         {"meal": [_("同一天同一餐次只能订一份。")]})


def meal_orders_create_range(*, actor, resident, date_from: dt.date, date_to: dt.date, meal, mode,
                             canteen: Canteen | None = None) -> tuple[list[MealOrder], list[str]]:
    """Order the same meal for several days (a week of lunches): each day on its own, so a day already ordered
    or past its cut-off is reported and the others are still placed."""
    errors = period_errors(date_from, date_to, end_field="date_to", max_days=30,
                           end_before_start=_("结束日期不能早于开始日期。"), too_long=_("一次最多订 31 天。"))
    if errors:
        raise DomainError(errors["date_to"][0], errors)
    created, refused = [], []
    day = date_from
    while day <= date_to:
        try:
            created.append(meal_order_create(actor=actor, resident=resident, date=day, meal=meal, mode=mode,
                                             canteen=canteen))
        except ConflictError as exc:
            refused.append(exc.message)
        except Forbidden:
            raise
        except DomainError as exc:
            if set(exc.errors) - {"date"}:  # the same for every day: not enrolled, a meal not served …
                raise
            refused.append(exc.message)
        day += dt.timedelta(days=1)
    return created, refused


@transaction.atomic
def meal_order_cancel(*, actor, order: MealOrder) -> MealOrder:
    """退订: only before the canteen's cut-off for that day, by whoever may order for the resident."""
    order = MealOrder.objects.select_for_update().select_related("canteen", "resident").get(pk=order.pk)
    order_channel(actor=actor, resident=order.resident)
    if order.status != OrderStatus.ACTIVE:
        raise ConflictError(_("该订单已取消。"), {"status": [_("当前状态不允许该操作。")]})
    if timezone.now() >= order_deadline(order.canteen, order.date):
        raise DomainError(_("已过截止时间，不能退订。"), {"date": [_("已过订餐截止时间。")]})
    order.status, order.cancelled_at, order.cancelled_by = OrderStatus.CANCELLED, timezone.now(), actor
    order.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=order, detail={"to": "cancelled"})
    return order


# --- settlement -----------------------------------------------------------------------------------------------

@transaction.atomic
def settlement_compute(*, actor, canteen: Canteen, month: dt.date) -> MealSettlement:
    """月度结算: a finished month's totals from the orders as they were priced. A draft may be computed again;
    an approved or paid settlement is final."""
    if not actor.can("eldercare.settle"):
        raise Forbidden(_("您的岗位不能编制结算。"), {"actor": [_("无权执行该操作。")]})
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1) - dt.timedelta(days=1):
        raise DomainError(_("只能结算已结束的月份。"), {"month": [_("该月尚未结束。")]})
    settlement, created = MealSettlement.objects.select_for_update().get_or_create(
        canteen=canteen, month=month, defaults={"created_by": actor})
    if settlement.status != SettlementStatus.DRAFT:
        raise ConflictError(_("该月结算已审核，不能重新计算。"), {"status": [_("当前状态不允许该操作。")]})
    totals = settlement_figures(canteen=canteen, month=month)["totals"]
    settlement.meals = totals["meals"]
    settlement.price_total, settlement.discount_total = totals["price"], totals["discount"]
    settlement.subsidy_total, settlement.payable_total = totals["subsidy"], totals["payable"]
    settlement.save()
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=settlement,
                 object_repr=f"{canteen.name} {month:%Y-%m}",
                 detail={"meals": settlement.meals, "subsidy": str(settlement.subsidy_total)})
    return settlement


def _settlement_move(actor, settlement: MealSettlement, name: str, note: str) -> MealSettlement:
    settlement = MealSettlement.objects.select_for_update().select_related("canteen__facility").get(pk=settlement.pk)
    action = SETTLEMENT.check(actor, settlement, name)
    before = settlement.status
    settlement.status = action.target
    now = timezone.now()
    if name == "approve":
        settlement.approved_at, settlement.approved_by = now, actor
    else:
        settlement.paid_at, settlement.paid_by = now, actor
    if note:
        settlement.note = note[:200]
    settlement.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=settlement,
                 detail={"action": name, "from": before, "to": action.target})
    return settlement


@transaction.atomic
def settlement_approve(*, actor, settlement: MealSettlement, note: str = "") -> MealSettlement:
    return _settlement_move(actor, settlement, "approve", note)


@transaction.atomic
def settlement_pay(*, actor, settlement: MealSettlement, note: str = "") -> MealSettlement:
    return _settlement_move(actor, settlement, "pay", note)
