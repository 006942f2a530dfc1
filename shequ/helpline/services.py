"""Writes of the 96980 line: each action one `<entity>_<action>` function, atomic, checked against
`choices.TRANSITIONS` under the call's row lock, with a trail row and an audit row.

Routing goes through the other modules' own services: a grid case through `grid.services.case_report` (the call
number as the case's external number, so both sides show the link), the acceptance centre's item through
`acceptance.selectors.item_get` (the item's materials are told once, 一次告知), a day-care centre through
`facilities.selectors.facility_directory`, a room booking through `facilities.services.booking_create` and an
elderly meal order through `eldercare.services.meal_order_create`. The other module's refusal (its DomainError or
ConflictError: a taken slot, a resident not enrolled, a day past the cut-off) is raised as it is, so the call page
shows its message; the whole routing is one transaction, so a refused booking or order leaves the call open."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.acceptance import selectors as acceptance
from shequ.core import crypto, idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.scoping import acting_subdistrict, in_scope
from shequ.eldercare import services as eldercare
from shequ.facilities import selectors as facilities
from shequ.facilities import services as facility_services
from shequ.grid import services as grid
from shequ.people import selectors as people

from .choices import TRANSITIONS, CallCategory, CallStatus, Outcome, Satisfaction
from .models import Call, CallCounter, CallEvent

STATUS_LABELS = dict(CallStatus.choices)
# The facility levels (facilities' `FacilityLevel` values) a day-care enquiry is referred to.
DAY_CARE_LEVELS = ("day_care", "care_home")
# How far ahead the line orders a meal for a caller (longer standing orders are the committee's).
MEAL_DAYS_AHEAD = 30


def _require(actor) -> None:
    if not actor.can("helpline.operate"):
        raise Forbidden(_("只有热线接线员可以办理来电。"))


def _text(value, limit: int, field: str, label: str, errors: dict, *, required: bool = False,
          min_len: int = 1) -> str:
    text = (value or "").strip()
    if required and len(text) < min_len:
        errors[field] = [_("请填写%(l)s。") % {"l": label} if min_len == 1 else
                         _("%(l)s至少%(n)s个字。") % {"l": label, "n": min_len}]
    elif len(text) > limit:
        errors[field] = [_("%(l)s不能超过%(n)s个字符（现为%(c)s个）。") % {"l": label, "n": limit, "c": len(text)}]
    return text


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _move(call: Call, action: str, *, actor, note: str = "", detail: dict | None = None) -> None:
    sources, target = TRANSITIONS[action]
    if call.status not in sources:
        raise ConflictError(_("来电 %(n)s 当前为“%(s)s”，不能执行该操作。") % {"n": call.number,
                                                                      "s": STATUS_LABELS[call.status]},
                            {"status": [_("状态已变化，请刷新。")]})
    previous = call.status
    call.status = target
    call.version = F("version") + 1
    call.save()
    call.refresh_from_db(fields=["version"])
    CallEvent.objects.create(call=call, action=action, from_status=previous, to_status=target, note=note[:200],
                             actor=actor)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=call,
                 detail={"op": action, "from": previous, "to": target, **(detail or {})})


def _number(now) -> str:
    day = timezone.localdate(now)
    counter, _created = CallCounter.objects.get_or_create(day=day)
    counter = CallCounter.objects.select_for_update().get(pk=counter.pk)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"96980-{day:%Y%m%d}-{counter.value:03d}"


@transaction.atomic
def call_log(*, actor, caller_name: str, caller_phone: str, need: str, category: str, committee=None,
             address: str = "", received_at: dt.datetime | None = None) -> Call:
    """登记来电."""
    _require(actor)
    errors: dict = {}
    caller_name = _text(caller_name, 32, "caller_name", _("来电人"), errors, required=True)
    need = _text(need, 2000, "need", _("诉求"), errors, required=True, min_len=4)
    address = _text(address, 128, "address", _("地址"), errors)
    phone = ""
    try:
        phone = idcard.normalize_phone(caller_phone)
    except ValueError as exc:
        errors["caller_phone"] = [str(exc)]
    if category not in CallCategory.values:
        errors["category"] = [_("请选择类别。")]
    if committee is not None and (committee.kind != NodeKind.COMMITTEE or not in_scope(actor, committee)):
        errors["committee"] = [_("请选择您辖区内的居委会。")]
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5) or received_at < now - dt.timedelta(days=7):
        errors["received_at"] = [_("来电时间须在7天内且不晚于现在。")]
    node = committee or acting_subdistrict(actor)
    if node is None and "committee" not in errors:
        errors["committee"] = [_("请选择居委会。")]
    if errors:
        raise DomainError(_("来电信息有误，未登记。"), errors)
    call = Call.objects.create(
        number=_number(received_at), node=node, received_at=received_at, caller_name=caller_name,
        caller_phone=phone, caller_phone_hash=crypto.keyed_hash(phone), caller_phone_masked=idcard.mask_phone(phone),
        address=address, need=need, category=category, taken_by=actor)
    CallEvent.objects.create(call=call, action="log", to_status=call.status, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=call, detail={"category": category, "node": node.code})
    return call


def _route(call: Call, outcome: str, *, actor, reply: str, detail: dict) -> Call:
    call.outcome, call.reply, call.handled_at = outcome, reply, timezone.now()
    _move(call, "route", actor=actor, note=str(Outcome(outcome).label), detail={"outcome": outcome, **detail})
    return call


@transaction.atomic
def call_answer(*, actor, call: Call, reply: str) -> Call:
    """当场解答."""
    _require(actor)
    errors: dict = {}
    reply = _text(reply, 2000, "reply", _("答复内容"), errors, required=True, min_len=4)
    if errors:
        raise DomainError(_("请填写答复内容。"), errors)
    return _route(_lock(call), Outcome.ANSWERED, actor=actor, reply=reply, detail={})


@transaction.atomic
def call_route_grid(*, actor, call: Call, category: str, lat=None, lng=None, address: str = "",
                    urgency: str = "") -> Call:
    """转网格案件: the call becomes a grid case reported by the caller (source 市民上报), numbered with the call."""
    _require(actor)
    call = _lock(call)
    if call.status != CallStatus.OPEN:
        raise ConflictError(_("来电 %(n)s 已办理。") % {"n": call.number}, {"status": [_("状态已变化，请刷新。")]})
    sources = grid.report_sources(actor)
    source = "resident" if "resident" in sources else sources[0]
    case = grid.case_report(
        actor=actor, category=category, source=source, description=call.need, lat=lat, lng=lng,
        address=(address or call.address or "").strip(), urgency=urgency or None, reporter_name=call.caller_name,
        reporter_contact=call.caller_phone_masked, external_no=call.number,
        subdistrict=call.node)  # an unlocated report belongs to the call's committee (or 街道)
    call.grid_case = case
    return _route(call, Outcome.GRID_CASE, actor=actor, reply=_("已转网格案件 %(n)s") % {"n": case.number},
                  detail={"case": case.number})


@transaction.atomic
def call_route_consultation(*, actor, call: Call, item_id, reply: str = "") -> Call:
    """受理中心事项告知: the caller is told, once, what the acceptance centre needs for an item (一次告知)."""
    _require(actor)
    errors: dict = {}
    reply = _text(reply, 2000, "reply", _("补充说明"), errors)
    try:
        item = acceptance.item_get(pk=item_id)
    except Http404:
        item = None
        errors["item"] = [_("请选择受理中心的服务事项。")]
    if item is not None and not item.is_active:
        errors["item"] = [_("该事项已停用。")]
    if errors:
        raise DomainError(_("告知信息有误。"), errors)
    call = _lock(call)
    call.service_item = item
    materials = "、".join(m.name for m in item.materials.all())
    text = _("“%(i)s”需带：%(m)s。") % {"i": item.name, "m": materials or _("无需材料")}
    return _route(call, Outcome.CONSULTATION, actor=actor, reply=(text + reply).strip(),
                  detail={"item": item.code})


@transaction.atomic
def call_route_day_care(*, actor, call: Call, facility_id, reply: str) -> Call:
    """日托咨询转介: the caller is referred to a day-care centre (or the care home) inside the jurisdiction."""
    _require(actor)
    errors: dict = {}
    reply = _text(reply, 2000, "reply", _("答复内容"), errors, required=True, min_len=4)
    # Any day-care centre of the 街道 (its public details), not only the ones the operator runs.
    facility = facilities.facility_directory(user=actor, level=DAY_CARE_LEVELS).filter(
        pk=facility_id if isinstance(facility_id, int) else None).first()
    if facility is None:
        errors["facility"] = [_("请选择日间照料中心或敬老院。")]
    if errors:
        raise DomainError(_("转介信息有误。"), errors)
    call = _lock(call)
    call.facility = facility
    return _route(call, Outcome.DAY_CARE, actor=actor, reply=reply, detail={"facility": facility.pk})


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _cn_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _open_call(call: Call) -> Call:
    call = _lock(call)
    if call.status != CallStatus.OPEN:
        raise ConflictError(_("来电 %(n)s 已办理。") % {"n": call.number}, {"status": [_("状态已变化，请刷新。")]})
    return call


@transaction.atomic
def call_route_booking(*, actor, call: Call, room_id, start: dt.datetime, end: dt.datetime, purpose: str,
                       attendees: int | None = None) -> Call:
    """预约场地 for the caller: booked by the operator (the booking's `note` names the call, so the booking page
    shows where it came from). The rooms are those the operator may book himself (`facilities.book` as scoped by
    facilities: a facility operator the rooms of the centres he runs, the operations centre the 街道's)."""
    _require(actor)
    call = _open_call(call)
    note = _("96980来电 %(n)s，来电人 %(c)s %(p)s") % {"n": call.number, "c": call.caller_name,
                                                  "p": call.caller_phone_masked}
    booking = facility_services.booking_create(actor=actor, room=room_id, start=start, end=end, purpose=purpose,
                                               attendees=attendees, note=note)
    call.booking_id = booking.pk
    s, e = _local(booking.start), _local(booking.end)
    reply = _("已预约%(r)s，%(d)s %(s)s–%(e)s（%(st)s）。") % {
        "r": f"{booking.room.facility.name} · {booking.room.name}", "d": _cn_day(s.date()), "s": f"{s:%H:%M}",
        "e": f"{e:%H:%M}", "st": booking.get_status_display()}
    return _route(call, Outcome.BOOKING, actor=actor, reply=reply, detail={"booking": booking.pk})


def meal_candidates(*, actor, call: Call, search: str = "") -> list:
    """The residents a meal order of this call may be for: the household of a resident registered with the
    caller's number, and those found by name or full ID number; each inside the operator's jurisdiction."""
    found: dict[int, object] = {}
    for resident in people.resident_list(user=actor).filter(phone_hash=call.caller_phone_hash)[:3]:
        if resident.household_id:
            for member in people.household_members(household=resident.household):
                if in_scope(actor, member.committee):
                    found.setdefault(member.pk, member)
        found.setdefault(resident.pk, resident)
    if (search or "").strip():
        for resident in people.resident_list(user=actor, search=search)[:20]:
            found.setdefault(resident.pk, resident)
    return list(found.values())


@transaction.atomic
def call_route_meal_order(*, actor, call: Call, resident_id, date, meal: str, mode: str) -> Call:
    """助餐订餐 for an enrolled elder (the caller or one of his household): priced and subsidised by eldercare,
    the price, subsidy and payable told to the caller and kept in the call's reply."""
    _require(actor)
    if isinstance(date, dt.date) and not isinstance(date, dt.datetime) and \
            date > timezone.localdate() + dt.timedelta(days=MEAL_DAYS_AHEAD):
        raise DomainError(_("热线只代订%(n)s天内的餐。") % {"n": MEAL_DAYS_AHEAD},
                          {"date": [_("请选择%(n)s天内的日期。") % {"n": MEAL_DAYS_AHEAD}]})
    call = _open_call(call)
    try:
        resident = people.resident_get(user=actor, pk=resident_id)
    except Http404:
        raise DomainError(_("找不到该居民，或不在您的服务范围内。"),
                          {"resident": [_("居民不存在或不在您的辖区内。")]}) from None
    order = eldercare.meal_order_create(actor=actor, resident=resident, date=date, meal=meal, mode=mode)
    call.meal_order_id = order.pk
    def money(value) -> str:
        return f"{value:.2f}"

    discount = _("，优惠%(x)s元") % {"x": money(order.discount)} if order.discount else ""
    reply = _("已为%(n)s订%(d)s%(m)s（%(mode)s，%(c)s）：价格%(p)s元%(x)s，补贴%(s)s元，自付%(pay)s元。") % {
        "n": resident.name, "d": _cn_day(order.date), "m": order.get_meal_display(), "mode": order.get_mode_display(),
        "c": order.canteen.facility.name, "p": money(order.price), "x": discount, "s": money(order.subsidy),
        "pay": money(order.payable)}
    return _route(call, Outcome.MEAL, actor=actor, reply=reply, detail={"meal_order": order.pk})


@transaction.atomic
def callback_schedule(*, actor, call: Call, due: dt.datetime) -> Call:
    """预约回访."""
    _require(actor)
    now = timezone.now()
    if not isinstance(due, dt.datetime) or due < now - dt.timedelta(minutes=5) or due > now + dt.timedelta(days=30):
        raise DomainError(_("回访时间须在现在到30天之内。"), {"due": [_("回访时间无效。")]})
    call = _lock(call)
    call.callback_due = due
    _move(call, "schedule_callback", actor=actor, note=timezone.localtime(due).strftime("%Y-%m-%d %H:%M"))
    return call


@transaction.atomic
def callback_record(*, actor, call: Call, reached: bool, result: str, satisfaction: str = "") -> Call:
    """回访: reached (result and satisfaction; the call is closed) or not reached (stays due)."""
    _require(actor)
    errors: dict = {}
    result = _text(result, 200, "result", _("回访结果"), errors, required=reached, min_len=2)
    if reached and satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("请选择满意度。")]
    if errors:
        raise DomainError(_("回访信息有误。"), errors)
    call = _lock(call)
    if reached:
        call.callback_at, call.callback_result, call.satisfaction = timezone.now(), result, satisfaction
        _move(call, "callback_done", actor=actor, note=result, detail={"satisfaction": satisfaction})
    else:
        _move(call, "callback_missed", actor=actor, note=result or _("未接通"))
    return call


@transaction.atomic
def call_close(*, actor, call: Call) -> Call:
    """办结 without a call-back (the caller declined one)."""
    _require(actor)
    call = _lock(call)
    _move(call, "close", actor=actor)
    return call


def call_reveal_phone(*, actor, call: Call) -> str:
    """The caller's full number, for the call-back; every reveal is audited."""
    _require(actor)
    phone = Call.objects.only("caller_phone").get(pk=call.pk).caller_phone
    audit_record(actor=actor, action=AuditAction.REVEAL, obj=call, detail={"field": "caller_phone"})
    return phone
