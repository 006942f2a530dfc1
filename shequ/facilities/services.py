"""Writes of the facilities module: each action one `<entity>_<action>` function, atomic and audited.

Room bookings never overlap: the booking services first bump the room's version counter, an UPDATE that takes the
room row's lock on PostgreSQL and the database write lock on SQLite (its transactions begin IMMEDIATE), so two
requests for one room run one after the other and the second sees the first's booking. On PostgreSQL an exclusion
constraint (migration 0003) is the last word: a write that slipped past the check still fails, as a 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.idcard import mask_phone
from shequ.core.inputs import check_lengths, period_errors
from shequ.core.scoping import in_scope
from shequ.core.services import notify

from . import selectors
from .choices import AgeGroup, BookingAction, BookingStatus, FacilityLevel, Weekday
from .models import Booking, BookingSeries, Closure, Facility, FacilityStaff, OpeningHours, Room
from .workflows import BOOKING

MAX_BOOKING = dt.timedelta(hours=12)
MAX_AHEAD = dt.timedelta(days=366)
MAX_WEEKS = 52


# --- facilities -------------------------------------------------------------------------------------------------

def _coordinate(value, field: str, low: Decimal, high: Decimal, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = [_("请输入数字。")]
        return None
    if not low <= number <= high:
        errors[field] = [_("坐标超出范围。")]
        return None
    return number


def _facility_data(*, level, name, node, address, lng, lat, phone, operator_name, services, description,
                   parent) -> dict:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    address = (address or "").strip()
    if level not in FacilityLevel.values:
        errors["level"] = [_("请选择设施层级。")]
    if not name:
        errors["name"] = [_("请填写名称。")]
    if not address:
        errors["address"] = [_("请填写地址。")]
    if node is None or node.kind not in (NodeKind.SUBDISTRICT, NodeKind.COMMITTEE):
        errors["node"] = [_("请选择设施所在的街道或居委会。")]
    services = [str(s).strip() for s in (services or []) if str(s).strip()]
    check_lengths(errors, ("name", name, 64, _("名称")), ("address", address, 128, _("地址")),
                   ("phone", phone or "", 32, _("联系电话")), ("operator_name", operator_name or "", 64, _("运营方")),
                   ("description", description or "", 2000, _("简介")))
    for s in services:
        check_lengths(errors, ("services", s, 32, _("每项服务")))
    if len(services) > 30:
        errors.setdefault("services", []).append(_("服务项目不能超过30项。"))
    lng_value = _coordinate(lng, "lng", Decimal("73"), Decimal("136"), errors)
    lat_value = _coordinate(lat, "lat", Decimal("3"), Decimal("54"), errors)
    if errors:
        raise DomainError(_("设施信息有误。"), errors)
    return {"level": level, "name": name, "node": node, "parent": parent, "address": address, "lng": lng_value,
            "lat": lat_value, "phone": (phone or "").strip(), "operator_name": (operator_name or "").strip(),
            "services": services, "description": (description or "").strip()}


def _may_manage_network(actor, node) -> None:
    """Creating or editing a facility itself is 街道 work (`facilities.manage`) inside the actor's jurisdiction;
    `actor=None` is the system (demo data, imports)."""
    if actor is None:
        return
    if not actor.can("facilities.manage") or (node is not None and not in_scope(actor, node)):
        raise Forbidden(_("只有街道设施管理人员可以新增或修改设施。"), {"actor": [_("无权管理设施。")]})


@transaction.atomic
def facility_create(*, actor, level: str, name: str, node, address: str, parent: Facility | None = None,
                    lng=None, lat=None, phone: str = "", operator_name: str = "", services: list | None = None,
                    description: str = "", closed_on_holidays: bool = True) -> Facility:
    """Register a facility. Other modules set up their service points (a 长者食堂, a day-care centre) through this
    function with their own officers as actors, so it checks the data, not the actor: the page that offers it
    needs `facilities.manage`. Editing (`facility_update`) is limited to 街道 managers in scope."""
    data = _facility_data(level=level, name=name, node=node, address=address, lng=lng, lat=lat, phone=phone,
                          operator_name=operator_name, services=services, description=description, parent=parent)
    if Facility.objects.filter(name=data["name"]).exists():
        raise ConflictError(_("已有同名设施。"), {"name": [_("已有同名设施。")]})
    facility = Facility.objects.create(**data, closed_on_holidays=closed_on_holidays)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=facility,
                 detail={"level": level, "node": node.code, "parent": parent.pk if parent else None})
    return facility


@transaction.atomic
def facility_update(*, actor, facility: Facility, level: str, name: str, node, address: str,
                    parent: Facility | None = None, lng=None, lat=None, phone: str = "", operator_name: str = "",
                    services: list | None = None, description: str = "", closed_on_holidays: bool = True,
                    is_active: bool = True) -> Facility:
    _may_manage_network(actor, facility.node)
    data = _facility_data(level=level, name=name, node=node, address=address, lng=lng, lat=lat, phone=phone,
                          operator_name=operator_name, services=services, description=description, parent=parent)
    _may_manage_network(actor, node)
    if parent is not None and parent.pk == facility.pk:
        raise DomainError(_("设施不能隶属于自己。"), {"parent": [_("设施不能隶属于自己。")]})
    if Facility.objects.filter(name=data["name"]).exclude(pk=facility.pk).exists():
        raise ConflictError(_("已有同名设施。"), {"name": [_("已有同名设施。")]})
    before = {k: str(getattr(facility, k)) for k in data}
    for key, value in {**data, "closed_on_holidays": closed_on_holidays, "is_active": is_active}.items():
        setattr(facility, key, value)
    facility.save()
    changed = {k: [before[k], str(getattr(facility, k))] for k in data if before[k] != str(getattr(facility, k))}
    if "phone" in changed:  # the audit log keeps no phone in clear
        changed["phone"] = [mask_phone(v) for v in changed["phone"]]
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=facility, detail={"changed": changed})
    return facility


@transaction.atomic
def facility_staff_assign(*, actor, facility: Facility, user) -> FacilityStaff:
    """Put a `facility_operator` login on a facility (it then runs it and its child facilities). 街道 work
    (`facilities.manage` over the facility's place); `actor=None` is the system (demo data)."""
    _may_manage_network(actor, facility.node)
    if user is None or user.role != Role.FACILITY_OPERATOR or not user.is_active:
        raise DomainError(_("只有设施运营人员可以分配到设施。"), {"user": [_("只有设施运营人员可以分配到设施。")]})
    if actor is not None and not selectors.operator_candidates(user=actor).filter(pk=user.pk).exists():
        raise DomainError(_("该运营人员不在您的辖区内。"), {"user": [_("该运营人员不在您的辖区内。")]})
    Facility.objects.select_for_update().filter(pk=facility.pk).first()  # one assignment at a time per facility
    staff, created = FacilityStaff.objects.get_or_create(facility=facility, user=user)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=staff,
                     object_repr=f"{facility.name} · {user.full_name or user.username}",
                     detail={"facility": facility.pk, "user": user.username})
    return staff


@transaction.atomic
def facility_staff_remove(*, actor, staff: FacilityStaff) -> None:
    """Take an operator off a facility: he no longer sees it, its rooms or its bookings."""
    _may_manage_network(actor, staff.facility.node)
    deleted, _rows = FacilityStaff.objects.filter(pk=staff.pk).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.DELETE, obj=staff.facility,
                     object_repr=f"{staff.facility.name} · {staff.user.full_name or staff.user.username}",
                     detail={"facility": staff.facility_id, "user": staff.user.username, "staff": "removed"})


def _may_run(actor, facility: Facility) -> None:
    """Rooms, hours and closures: the facility's own operator, or 街道 staff with `facilities.manage`."""
    if actor is None:
        return
    if not selectors.facility_managed(user=actor, facility=facility):
        raise Forbidden(_("只有%(f)s的运营人员或街道管理人员可以修改。") % {"f": facility.name},
                        {"actor": [_("不是本设施的管理人员。")]})


# --- rooms, hours, closures -------------------------------------------------------------------------------------

def _room_data(*, name, capacity, equipment) -> dict:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写名称。")]
    check_lengths(errors, ("name", name, 64, _("名称")), ("equipment", equipment or "", 200, _("设备")))
    try:
        capacity = int(capacity)
        if not 1 <= capacity <= 2000:
            raise ValueError
    except (TypeError, ValueError):
        errors["capacity"] = [_("容纳人数应为1到2000之间的整数。")]
    if errors:
        raise DomainError(_("活动室信息有误。"), errors)
    return {"name": name, "capacity": capacity, "equipment": (equipment or "").strip()}


@transaction.atomic
def room_create(*, actor, facility: Facility, name: str, capacity, equipment: str = "",
                needs_approval: bool = False, bookable: bool = True, residents_may_book: bool = True) -> Room:
    _may_run(actor, facility)
    data = _room_data(name=name, capacity=capacity, equipment=equipment)
    if Room.objects.filter(facility=facility, name=data["name"]).exists():
        raise ConflictError(_("本设施已有同名活动室。"), {"name": [_("本设施已有同名活动室。")]})
    room = Room.objects.create(facility=facility, **data, needs_approval=needs_approval, bookable=bookable,
                               residents_may_book=residents_may_book)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=room,
                 detail={"facility": facility.pk, "capacity": room.capacity, "needs_approval": needs_approval})
    return room


@transaction.atomic
def room_update(*, actor, room: Room, name: str, capacity, equipment: str = "", needs_approval: bool = False,
                bookable: bool = True, residents_may_book: bool = True) -> Room:
    _may_run(actor, room.facility)
    data = _room_data(name=name, capacity=capacity, equipment=equipment)
    if Room.objects.filter(facility=room.facility, name=data["name"]).exclude(pk=room.pk).exists():
        raise ConflictError(_("本设施已有同名活动室。"), {"name": [_("本设施已有同名活动室。")]})
    new = {**data, "needs_approval": needs_approval, "bookable": bookable, "residents_may_book": residents_may_book}
    changed = {k: [str(getattr(room, k)), str(v)] for k, v in new.items() if getattr(room, k) != v}
    Room.objects.filter(pk=room.pk).update(**new, version=F("version") + 1)
    room.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=room, detail={"changed": changed})
    return room


@transaction.atomic
def opening_hours_set(*, actor, facility: Facility, periods: list[tuple[int, dt.time, dt.time]]) -> list:
    """Replace the weekly hours: `periods` are (weekday 0–6, opens, closes); a day without a period is closed."""
    _may_run(actor, facility)
    errors: list[str] = []
    by_day: dict[int, list] = {}
    for weekday, opens, closes in periods:
        if weekday not in Weekday.values or opens is None or closes is None:
            errors.append(_("星期或时间无效。"))
            continue
        label = Weekday(weekday).label
        if closes <= opens:
            errors.append(_("%(d)s：关门时间应晚于开门时间。") % {"d": label})
            continue
        for a, b in by_day.get(weekday, []):
            if opens < b and a < closes:
                errors.append(_("%(d)s：开放时段重叠。") % {"d": label})
        by_day.setdefault(weekday, []).append((opens, closes))
    if errors:
        raise DomainError(_("开放时间有误。"), {"hours": errors})
    before = [str(h) for h in facility.hours.values_list("weekday", "opens", "closes")]
    OpeningHours.objects.filter(facility=facility).delete()
    rows = OpeningHours.objects.bulk_create([OpeningHours(facility=facility, weekday=d, opens=a, closes=b)
                                             for d, spans in sorted(by_day.items()) for a, b in sorted(spans)])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=facility, detail={
        "hours": [f"{r.weekday}:{r.opens:%H:%M}-{r.closes:%H:%M}" for r in rows], "before": before})
    return rows


@transaction.atomic
def closure_create(*, actor, facility: Facility, date_from: dt.date, date_to: dt.date, reason: str) -> Closure:
    _may_run(actor, facility)
    errors: dict[str, list] = {}
    reason = (reason or "").strip()
    if date_from is None:
        errors["date_from"] = [_("请填写起始日期。")]
    if date_to is None:
        errors["date_to"] = [_("请填写结束日期。")]
    errors.update(period_errors(date_from, date_to, end_field="date_to", max_days=366,
                                end_before_start=_("结束日期不能早于起始日期。"), too_long=_("一次闭馆安排不能超过一年。")))
    if not reason:
        errors["reason"] = [_("请填写闭馆原因。")]
    check_lengths(errors, ("reason", reason, 100, _("原因")))
    if errors:
        raise DomainError(_("闭馆安排有误。"), errors)
    closure = Closure.objects.create(facility=facility, date_from=date_from, date_to=date_to, reason=reason)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=closure, object_repr=f"{facility.name} {reason}",
                 detail={"from": str(date_from), "to": str(date_to)})
    return closure


@transaction.atomic
def closure_delete(*, actor, closure: Closure) -> None:
    _may_run(actor, closure.facility)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=closure,
                 object_repr=f"{closure.facility.name} {closure.reason}",
                 detail={"from": str(closure.date_from), "to": str(closure.date_to)})
    closure.delete()


# --- bookings ---------------------------------------------------------------------------------------------------

def _room_for(actor, room) -> Room | None:
    """The room as the actor may book it, or None (unknown, outside his scope, or closed to booking)."""
    pk = room.pk if isinstance(room, Room) else room
    if actor is None:
        return Room.objects.select_related("facility").filter(pk=pk).first() if isinstance(pk, int) else None
    try:
        found = selectors.room_get(user=actor, pk=pk)
    except Exception:  # Http404: to a booker an invisible room does not exist
        return None
    return found


def booking_problems(*, room: Room, start, end, now: dt.datetime | None = None) -> dict[str, list]:
    """Field errors of a time range for one room, apart from overlaps: order, past, length, opening hours."""
    errors: dict[str, list] = {}
    now = now or timezone.now()
    if start is None:
        errors["start"] = [_("请填写开始时间。")]
    if end is None:
        errors["end"] = [_("请填写结束时间。")]
    if errors:
        return errors
    if timezone.is_naive(start) or timezone.is_naive(end):
        start, end = (timezone.make_aware(t) if timezone.is_naive(t) else t for t in (start, end))
    if end <= start:
        errors["end"] = [_("结束时间应晚于开始时间。")]
        return errors
    if start < now:
        errors["start"] = [_("不能预约已经过去的时间。")]
    elif start - now > MAX_AHEAD:
        errors["start"] = [_("最多提前一年预约。")]
    if end - start > MAX_BOOKING:
        errors["end"] = [_("一次预约不能超过12小时。")]
    if errors:
        return errors
    try:
        closed = selectors.opening_refusal(room.facility, start, end)
    except DomainError as exc:  # no confirmed holiday schedule for that year
        closed = exc.message
    if closed:
        errors["start"] = [closed]
    return errors


def _clash_message(clash: Booking) -> str:
    s, e = timezone.localtime(clash.start), timezone.localtime(clash.end)
    return _("该时段已被预约（%(d)s %(s)s–%(e)s，%(st)s）。") % {
        "d": f"{s.year}年{s.month}月{s.day}日", "s": f"{s:%H:%M}", "e": f"{e:%H:%M}", "st": clash.get_status_display()}


def _lock_room(room: Room) -> None:
    Room.objects.filter(pk=room.pk).update(version=F("version") + 1)


def _insert(room: Room, **fields) -> Booking:
    clash = selectors.first_overlap(room=room, start=fields["start"], end=fields["end"])
    if clash is not None:
        raise ConflictError(_clash_message(clash), {"start": [_clash_message(clash)]})
    if connection.vendor != "postgresql":
        # SQLite has no exclusion constraint: the room's write lock taken above already serialises the check and
        # the insert, so no savepoint (two statements fewer per booking).
        return Booking.objects.create(room=room, **fields)
    try:
        with transaction.atomic():
            return Booking.objects.create(room=room, **fields)
    except IntegrityError:  # the PostgreSQL exclusion constraint
        message = _("该时段已被预约。")
        raise ConflictError(message, {"start": [message]}) from None


def _text_fields(errors: dict, *, purpose, team, note, attendees, age_group, room: Room | None) -> dict:
    purpose = (purpose or "").strip() if isinstance(purpose, str) or purpose is None else str(purpose)
    if not purpose:
        errors["purpose"] = [_("请填写用途。")]
    check_lengths(errors, ("purpose", purpose, 200, _("用途")), ("team", team or "", 64, _("团队")),
                   ("note", note or "", 200, _("备注")))
    if attendees not in (None, ""):
        try:
            attendees = int(attendees)
            if attendees < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["attendees"] = [_("人数应为正整数。")]
            attendees = None
        else:
            if room is not None and attendees > room.capacity:
                errors["attendees"] = [_("超过活动室容纳人数（%(n)s人）。") % {"n": room.capacity}]
    else:
        attendees = None
    if age_group not in AgeGroup.values:
        errors["age_group"] = [_("请选择主要人群。")]
    return {"purpose": purpose, "team": (team or "").strip(), "note": (note or "").strip(),
            "attendees": attendees, "age_group": age_group}


def _initial_status(actor, room: Room) -> str:
    if room.needs_approval and not selectors.facility_managed(user=actor, facility=room.facility):
        return BookingStatus.PENDING
    return BookingStatus.APPROVED


def _notify_pending(booking: Booking) -> None:
    staff = [s.user for s in FacilityStaff.objects.filter(facility=booking.room.facility).select_related("user")]
    start = timezone.localtime(booking.start)
    notify(recipients=staff, title=_("新的场地预约待审批：%(r)s") % {"r": booking.room},
           body=_("%(t)s %(p)s") % {"t": f"{start:%m-%d %H:%M}", "p": booking.purpose},
           link=reverse("facilities:booking-detail", args=[booking.pk]))


@transaction.atomic
def booking_create(*, actor, room, start: dt.datetime, end: dt.datetime, purpose: str, team: str = "",
                   attendees: int | None = None, age_group: str = AgeGroup.MIXED, note: str = "",
                   series: BookingSeries | None = None) -> Booking:
    """Book `room` for [start, end). A room that needs approval gives a pending booking (which holds the slot)
    unless the actor runs the facility. Refusals: field errors (400), the slot taken (409)."""
    if actor is not None and not actor.can("facilities.book"):
        raise Forbidden(_("您没有预约场地的权限。"), {"actor": [_("无权预约场地。")]})
    errors: dict[str, list] = {}
    found = _room_for(actor, room)
    if found is None or not found.bookable or not found.facility.is_active:
        errors["room"] = [_("活动室不存在或不开放预约。")]
    text = _text_fields(errors, purpose=purpose, team=team, note=note, attendees=attendees, age_group=age_group,
                        room=found)
    if found is not None:
        for field, messages in booking_problems(room=found, start=start, end=end).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise DomainError(_("预约信息有误。"), errors)
    _lock_room(found)
    booking = _insert(found, start=start, end=end, **text, status=_initial_status(actor, found), booked_by=actor,
                      series=series)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=booking, detail={
        "room": found.pk, "start": start.isoformat(), "end": end.isoformat(), "status": booking.status})
    if booking.status == BookingStatus.PENDING and series is None:
        _notify_pending(booking)
    return booking


def booking_series_plan(*, actor, room, start: dt.datetime, end: dt.datetime, weeks: int) -> list[dict]:
    """The occurrences of a weekly booking, each with the reason it cannot be booked ("" when free). Nothing is
    written: the page shows the clashes and the user decides."""
    found = _room_for(actor, room)
    if found is None:
        raise DomainError(_("预约信息有误。"), {"room": [_("活动室不存在或不开放预约。")]})
    try:
        weeks = int(weeks)
    except (TypeError, ValueError):
        weeks = 0
    if not 2 <= weeks <= MAX_WEEKS:
        raise DomainError(_("预约信息有误。"), {"weeks": [_("每周预约应为2到52周。")]})
    first = booking_problems(room=found, start=start, end=end)
    if "end" in first or ("start" in first and start < timezone.now()):
        raise DomainError(_("预约信息有误。"), first)
    plan = []
    tz = timezone.get_current_timezone()
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    for week in range(weeks):
        s = timezone.make_aware(dt.datetime.combine(local_start.date() + dt.timedelta(weeks=week),
                                                    local_start.time()), tz)
        e = timezone.make_aware(dt.datetime.combine(local_end.date() + dt.timedelta(weeks=week),
                                                    local_end.time()), tz)
        problems = booking_problems(room=found, start=s, end=e)
        problem = "；".join(m for ms in problems.values() for m in ms)
        if not problem:
            clash = selectors.first_overlap(room=found, start=s, end=e)
            problem = _clash_message(clash) if clash is not None else ""
        plan.append({"date": s.date(), "start": s, "end": e, "problem": problem})
    return plan


class SeriesClashes(ConflictError):
    """Some dates of a weekly booking cannot be booked and the user has not agreed to skip them: 409 listing them."""

    def __init__(self, clashes: list[dict]):
        self.clashes = clashes
        lines = [f"{c['date'].year}年{c['date'].month}月{c['date'].day}日：{c['problem']}" for c in clashes]
        super().__init__(_("有%(n)s个日期无法预约，请确认是否只预约其余日期。") % {"n": len(clashes)},
                         {"dates": lines})


@transaction.atomic
def booking_series_create(*, actor, room, start: dt.datetime, end: dt.datetime, purpose: str, weeks: int,
                          skip: list[dt.date] | tuple = (), team: str = "", attendees: int | None = None,
                          age_group: str = AgeGroup.MIXED, note: str = "") -> tuple[BookingSeries, list[Booking]]:
    """Book the same time every week for `weeks` weeks. Dates that cannot be booked are refused together
    (`SeriesClashes`, 409) unless every one of them is in `skip`: the user saw them and agreed to book the rest."""
    if actor is not None and not actor.can("facilities.book"):
        raise Forbidden(_("您没有预约场地的权限。"), {"actor": [_("无权预约场地。")]})
    errors: dict[str, list] = {}
    found = _room_for(actor, room)
    _text_fields(errors, purpose=purpose, team=team, note=note, attendees=attendees, age_group=age_group,
                 room=found)
    if errors:
        raise DomainError(_("预约信息有误。"), errors)
    plan = booking_series_plan(actor=actor, room=found, start=start, end=end, weeks=weeks)
    clashes = [p for p in plan if p["problem"]]
    skip = set(skip)
    if any(c["date"] not in skip for c in clashes):
        raise SeriesClashes(clashes)
    free = [p for p in plan if not p["problem"]]
    if not free:
        raise ConflictError(_("所有日期都无法预约。"), {"dates": [_("没有可预约的日期。")]})
    series = BookingSeries.objects.create(room=found, purpose=(purpose or "").strip(), first_start=start,
                                          first_end=end, weeks=int(weeks), created_by=actor,
                                          skipped=[c["date"].isoformat() for c in clashes])
    bookings = [booking_create(actor=actor, room=found, start=p["start"], end=p["end"], purpose=purpose,
                               team=team, attendees=attendees, age_group=age_group, note=note, series=series)
                for p in free]
    audit_record(actor=actor, action=AuditAction.CREATE, obj=series, object_repr=f"{found} {purpose}"[:200],
                 detail={"weeks": int(weeks), "booked": len(bookings), "skipped": series.skipped})
    if bookings and bookings[0].status == BookingStatus.PENDING:
        _notify_pending(bookings[0])
    return series, bookings


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("room__facility", "booked_by").get(pk=booking.pk)


def _transition(actor, booking: Booking, action: str, *, reason: str = "", **fields) -> Booking:
    booking = _locked(booking)
    BOOKING.check(actor, booking, action)
    before = booking.status
    target = BOOKING.action(action).target
    booking.status = target
    for key, value in fields.items():
        setattr(booking, key, value)
    booking.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=booking,
                 detail={"action": action, "from": before, "to": target, "reason": reason})
    return booking


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    errors: dict = {}
    if required and not reason:
        errors["reason"] = [_("请填写理由。")]
    check_lengths(errors, ("reason", reason, 200, _("理由")))
    if errors:
        raise DomainError(_("请填写理由。") if not reason else _("理由过长。"), errors)
    return reason


@transaction.atomic
def booking_approve(*, actor, booking: Booking) -> Booking:
    booking = _transition(actor, booking, BookingAction.APPROVE, decided_by=actor, decided_at=timezone.now())
    notify(recipients=[booking.booked_by], title=_("场地预约已批准：%(r)s") % {"r": booking.room},
           link=reverse("facilities:booking-detail", args=[booking.pk]))
    return booking


@transaction.atomic
def booking_reject(*, actor, booking: Booking, reason: str = "") -> Booking:
    reason = _reason(reason, required=True)
    booking = _transition(actor, booking, BookingAction.REJECT, reason=reason, decided_by=actor,
                          decided_at=timezone.now(), note=reason)
    notify(recipients=[booking.booked_by], title=_("场地预约未通过：%(r)s") % {"r": booking.room}, body=reason,
           link=reverse("facilities:booking-detail", args=[booking.pk]))
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str = "") -> Booking:
    reason = _reason(reason, required=False)
    booking = _transition(actor, booking, BookingAction.CANCEL, reason=reason, cancelled_at=timezone.now(),
                          **({"note": reason} if reason else {}))
    if booking.booked_by_id != getattr(actor, "pk", None):
        notify(recipients=[booking.booked_by], title=_("场地预约已被取消：%(r)s") % {"r": booking.room},
               body=reason, link=reverse("facilities:booking-detail", args=[booking.pk]))
    return booking


@transaction.atomic
def booking_check_in(*, actor, booking: Booking) -> Booking:
    return _transition(actor, booking, BookingAction.CHECK_IN, checked_in_at=timezone.now())


@transaction.atomic
def booking_no_show(*, actor, booking: Booking) -> Booking:
    return _transition(actor, booking, BookingAction.NO_SHOW)


@transaction.atomic
def booking_close_past(*, now: dt.datetime | None = None) -> dict:
    """After a slot ends: an approved booking nobody checked in becomes a no-show, a request nobody decided is
    refused. Run by the scheduler; the operator may also record a no-show himself."""
    now = now or timezone.now()
    no_shows = list(Booking.objects.select_for_update().filter(status=BookingStatus.APPROVED, end__lte=now))
    expired = list(Booking.objects.select_for_update().filter(status=BookingStatus.PENDING, end__lte=now))
    for b in no_shows:
        b.status = BookingStatus.NO_SHOW
    for b in expired:
        b.status, b.note, b.decided_at = BookingStatus.REJECTED, _("逾期未审批"), now
    Booking.objects.bulk_update(no_shows, ["status"])
    Booking.objects.bulk_update(expired, ["status", "note", "decided_at"])
    for b, action in [(b, "no_show") for b in no_shows] + [(b, "expire") for b in expired]:
        audit_record(actor=None, action=AuditAction.TRANSITION, obj=b, username="system",
                     detail={"action": action, "to": b.status})
    return {"no_show": len(no_shows), "expired": len(expired)}


def booking_export_audit(*, actor, rows: int, filters: dict, truncated: bool) -> None:
    """Every export of the bookings is in the audit log: who, how many rows, with which filters."""
    audit_record(actor=actor, action=AuditAction.EXPORT, object_type="facilities.booking",
                 detail={"rows": rows, "filters": filters, "masked": True, "truncated": truncated})
