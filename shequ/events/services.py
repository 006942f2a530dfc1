"""Writes of events and festivals: each action one `<entity>_<action>` function, atomic and audited.

Places are never over-given: a registration first bumps the event's version counter, an UPDATE that takes the
event row's lock on PostgreSQL and the database write lock on SQLite, then counts the places taken. Two residents
asking for the last place are served one after the other: the first gets it, the second goes on the wait-list.
A cancelled place goes to the first waitlisted person in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.idcard import mask_phone
from shequ.core.inputs import check_lengths, period_errors
from shequ.core.scoping import in_scope, scope_node_ids
from shequ.core.services import notify

from . import selectors
from .choices import HOLDS_PLACE, EventStatus, RegistrationAction, RegistrationStatus
from .models import Delegation, Event, EventPhoto, Festival, PartnerUnit, Registration, Series
from .workflows import CHECK_IN_EARLY, REGISTRATION, check_in_window

MAX_CAPACITY = 5000
MAX_EVENT = dt.timedelta(days=31)
MAX_MEMBERS = 200
MAX_FESTIVAL_DAYS = 366


def _may_manage(actor, node) -> None:
    if actor is None:
        return
    if not actor.can("events.manage") or node is None or not in_scope(actor, node):
        raise Forbidden(_("只有本辖区的工作人员可以组织活动。"), {"actor": [_("无权组织该辖区的活动。")]})


def _node_ok(node, errors: dict) -> None:
    if node is None or node.kind not in (NodeKind.SUBDISTRICT, NodeKind.COMMITTEE):
        errors["node"] = [_("请选择街道或居委会。")]


# --- partner units, series, festivals ------------------------------------------------------------------------------

def _may_manage_partners(actor) -> None:
    """共建单位 are the 街道's (one list every committee picks from): kept by 街道-level staff with
    `events.manage`, not by a committee worker."""
    if actor is None:
        return
    if not actor.can("events.manage") or not scope_node_ids(actor, NodeKind.SUBDISTRICT):
        raise Forbidden(_("共建单位由街道工作人员维护。"), {"actor": [_("无权管理共建单位。")]})


def _partner_data(*, name, kind, contact, errors: dict) -> dict:
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写单位名称。")]
    data = {"name": name, "kind": (kind or "").strip(), "contact": (contact or "").strip()}
    check_lengths(errors, ("name", name, 64, _("单位名称")), ("kind", data["kind"], 32, _("单位类型")),
                   ("contact", data["contact"], 32, _("联系人")))
    return data


@transaction.atomic
def partner_unit_create(*, actor, name: str, kind: str = "", contact: str = "") -> PartnerUnit:
    _may_manage_partners(actor)
    errors: dict = {}
    data = _partner_data(name=name, kind=kind, contact=contact, errors=errors)
    if errors:
        raise DomainError(_("共建单位信息有误。"), errors)
    if PartnerUnit.objects.filter(name=data["name"]).exists():
        raise ConflictError(_("已有同名共建单位。"), {"name": [_("已有同名共建单位。")]})
    unit = PartnerUnit.objects.create(**data)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=unit, detail={})
    return unit


def _changes(obj, data: dict) -> dict:
    """The fields `data` changes on `obj`, as {field: [before, after]} for the audit row; sets them."""
    changed = {}
    for field, value in data.items():
        before = getattr(obj, field)
        if before != value:
            changed[field] = [before.isoformat() if hasattr(before, "isoformat") else str(before),
                              value.isoformat() if hasattr(value, "isoformat") else str(value)]
            setattr(obj, field, value)
    return changed


@transaction.atomic
def partner_unit_update(*, actor, unit: PartnerUnit, name: str, kind: str = "", contact: str = "",
                        is_active: bool = True) -> PartnerUnit:
    """Rename or correct a partner unit; a unit no longer co-organising is set inactive (its past events keep
    it), never deleted."""
    _may_manage_partners(actor)
    unit = PartnerUnit.objects.select_for_update().get(pk=unit.pk)
    errors: dict = {}
    data = _partner_data(name=name, kind=kind, contact=contact, errors=errors)
    if errors:
        raise DomainError(_("共建单位信息有误。"), errors)
    if PartnerUnit.objects.filter(name=data["name"]).exclude(pk=unit.pk).exists():
        raise ConflictError(_("已有同名共建单位。"), {"name": [_("已有同名共建单位。")]})
    changed = _changes(unit, {**data, "is_active": bool(is_active)})
    if changed:
        unit.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=unit, detail={"changed": changed})
    return unit


def _group_data(*, name, node, description, errors: dict, label) -> dict:
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写%(l)s。") % {"l": label}]
    _node_ok(node, errors)
    description = (description or "").strip()
    check_lengths(errors, ("name", name, 64, label), ("description", description, 2000, _("简介")))
    return {"name": name, "node": node, "description": description}


def _events_stay_under(group, node, errors: dict) -> None:
    """A series or festival moved to another node must still be above every event it groups."""
    if node is None or "node" in errors or node.pk == group.node_id:
        return
    outside = [e.title for e in group.events.select_related("node") if not in_scope_or_above(node, e.node)]
    if outside:
        errors["node"] = [_("已有活动不在该辖区内：%(t)s") % {"t": "、".join(outside[:3])}]


@transaction.atomic
def series_create(*, actor, name: str, node, description: str = "") -> Series:
    _may_manage(actor, node)
    errors: dict = {}
    data = _group_data(name=name, node=node, description=description, errors=errors, label=_("系列名称"))
    if errors:
        raise DomainError(_("活动系列信息有误。"), errors)
    series = Series.objects.create(**data)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=series, detail={"node": node.code})
    return series


@transaction.atomic
def series_update(*, actor, series: Series, name: str, node, description: str = "") -> Series:
    """Edit a series: only its jurisdiction's staff, and only into their own jurisdiction."""
    series = Series.objects.select_for_update().select_related("node").get(pk=series.pk)
    _may_manage(actor, series.node)
    _may_manage(actor, node)
    errors: dict = {}
    data = _group_data(name=name, node=node, description=description, errors=errors, label=_("系列名称"))
    _events_stay_under(series, node, errors)
    if errors:
        raise DomainError(_("活动系列信息有误。"), errors)
    changed = _changes(series, data)
    if changed:
        series.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=series, detail={"changed": changed})
    return series


def _festival_dates(date_from, date_to, errors: dict) -> None:
    if not date_from or not date_to:
        errors["date_from"] = [_("请填写起止日期。")]
    else:
        errors.update(period_errors(date_from, date_to, end_field="date_to", max_days=MAX_FESTIVAL_DAYS,
                                    end_before_start=_("结束日期不能早于开始日期。"),
                                    too_long=_("一个节庆不能超过%(n)d天。") % {"n": MAX_FESTIVAL_DAYS}))


@transaction.atomic
def festival_create(*, actor, name: str, node, date_from: dt.date, date_to: dt.date,
                    description: str = "") -> Festival:
    _may_manage(actor, node)
    errors: dict = {}
    data = _group_data(name=name, node=node, description=description, errors=errors, label=_("节庆名称"))
    _festival_dates(date_from, date_to, errors)
    if errors:
        raise DomainError(_("节庆信息有误。"), errors)
    festival = Festival.objects.create(**data, date_from=date_from, date_to=date_to)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=festival, detail={"node": node.code})
    return festival


@transaction.atomic
def festival_update(*, actor, festival: Festival, name: str, node, date_from: dt.date, date_to: dt.date,
                    description: str = "") -> Festival:
    festival = Festival.objects.select_for_update().select_related("node").get(pk=festival.pk)
    _may_manage(actor, festival.node)
    _may_manage(actor, node)
    errors: dict = {}
    data = _group_data(name=name, node=node, description=description, errors=errors, label=_("节庆名称"))
    _festival_dates(date_from, date_to, errors)
    _events_stay_under(festival, node, errors)
    if errors:
        raise DomainError(_("节庆信息有误。"), errors)
    changed = _changes(festival, {**data, "date_from": date_from, "date_to": date_to})
    if changed:
        festival.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=festival, detail={"changed": changed})
    return festival


# --- events --------------------------------------------------------------------------------------------------------

@transaction.atomic
def event_create(*, actor, title: str, node, organiser: str, start: dt.datetime, end: dt.datetime, capacity,
                 venue: str = "", room=None, partners=(), series: Series | None = None,
                 festival: Festival | None = None, description: str = "", waitlist_limit: int = 20,
                 now: dt.datetime | None = None) -> Event:
    """Create an event. With a `room` the venue is booked through the facilities module (its own checks:
    opening hours, clashes, the room's capacity); a refused booking refuses the event with the booking's
    reasons on the `room` field."""
    _may_manage(actor, node)
    errors: dict = {}
    title, organiser, venue = (title or "").strip(), (organiser or "").strip(), (venue or "").strip()
    if not title:
        errors["title"] = [_("请填写活动名称。")]
    if not organiser:
        errors["organiser"] = [_("请填写主办方。")]
    _node_ok(node, errors)
    if start is None or end is None:
        errors["start"] = [_("请填写开始和结束时间。")]
    elif end <= start:
        errors["end"] = [_("结束时间必须晚于开始时间。")]
    elif end - start > MAX_EVENT:
        errors["end"] = [_("一场活动不能超过31天。")]
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        errors["capacity"] = [_("请填写名额（人数）。")]
        capacity = 0
    else:
        if not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = [_("名额须在1到%(n)d人之间。") % {"n": MAX_CAPACITY}]
    try:
        waitlist_limit = int(waitlist_limit)
    except (TypeError, ValueError):
        errors["waitlist_limit"] = [_("请填写候补名额。")]
        waitlist_limit = 0
    else:
        if not 0 <= waitlist_limit <= MAX_CAPACITY:
            errors["waitlist_limit"] = [_("候补名额须在0到%(n)d人之间。") % {"n": MAX_CAPACITY}]
    if room is None and not venue:
        errors["venue"] = [_("请填写活动地点或选择活动室。")]
    if series is not None and node is not None and not in_scope_or_above(series.node, node):
        errors["series"] = [_("活动系列不属于该辖区。")]
    if festival is not None and node is not None and not in_scope_or_above(festival.node, node):
        errors["festival"] = [_("节庆不属于该辖区。")]
    check_lengths(errors, ("title", title, 100, _("活动名称")), ("organiser", organiser, 64, _("主办方")),
                   ("venue", venue, 128, _("地点")), ("description", description or "", 4000, _("活动介绍")))
    partners = list(partners or [])
    if len(partners) > 20:
        errors["partners"] = [_("共建单位不能超过20个。")]
    if errors:
        raise DomainError(_("活动信息有误。"), errors)
    booking = None
    if room is not None:
        from shequ.facilities import services as facilities

        try:
            booking = facilities.booking_create(actor=actor, room=room, start=start, end=end, purpose=title[:200],
                                                team=organiser[:64], attendees=capacity)
        except DomainError as exc:
            messages = [m for field in exc.errors.values() for m in field] or [exc.message]
            raise exc.__class__(_("活动室预约未成功：%(m)s") % {"m": "；".join(messages)}, {"room": messages}) from exc
        if not venue:
            venue = str(booking.room)[:128]
    event = Event.objects.create(title=title, node=node, organiser=organiser, venue=venue, booking=booking,
                                 start=start, end=end, capacity=capacity, waitlist_limit=waitlist_limit,
                                 series=series, festival=festival, description=(description or "").strip(),
                                 created_by=actor)
    if partners:
        event.partners.set(partners)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=event, detail={
        "node": node.code, "capacity": capacity, "booking": booking.pk if booking else None,
        "partners": [p.pk for p in partners]})
    return event


def in_scope_or_above(group_node, event_node) -> bool:
    """A series or festival of the 街道 groups the events of its committees; a committee's only its own."""
    return event_node.path.startswith(group_node.path)


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    _may_manage(actor, event.node)
    if event.status == EventStatus.CANCELLED:
        raise ConflictError(_("活动已经取消。"), {"status": [_("活动已取消。")]})
    reason = (reason or "").strip()
    errors: dict = {}
    check_lengths(errors, ("reason", reason, 200, _("理由")))
    if errors:
        raise DomainError(_("理由过长。"), errors)
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status"])
    people = [r.user for r in event.registrations.filter(user__isnull=False).exclude(
        status=RegistrationStatus.CANCELLED).select_related("user")]
    if event.booking_id:
        from shequ.facilities import services as facilities

        try:
            facilities.booking_cancel(actor=actor, booking=event.booking, reason=_("活动取消"))
        except DomainError:
            pass  # the slot already ended or was cancelled: nothing to free
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=event, detail={"action": "cancel", "reason": reason})
    if people:
        notify(recipients=people, title=_("活动已取消：%(t)s") % {"t": event.title}, body=reason)
    return event


# --- registration ----------------------------------------------------------------------------------------------------

def _lock_event(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)
    return Event.objects.select_for_update(of=("self",)).select_related("node").get(pk=event.pk)


@transaction.atomic
def registration_create(*, actor, event: Event, name: str = "", phone: str = "",
                        now: dt.datetime | None = None) -> Registration:
    """Register for an event: a resident for himself (his account's name), the event's organisers for a walk-in
    (name and phone). A place if one is free, else the wait-list while it has room, else refused (409)."""
    if actor is None or not actor.can("events.register"):
        raise Forbidden(_("您没有报名活动的权限。"), {"actor": [_("无权报名。")]})
    if not selectors.event_visible(user=actor, event=event):
        raise DomainError(_("活动不存在。"), {"event": [_("活动不存在。")]})
    now = now or timezone.now()
    resident = actor.role == Role.RESIDENT
    errors: dict = {}
    if resident:
        name, phone, user = actor.display_name, "", actor
    else:
        if not selectors.event_manageable(user=actor, event=event):
            raise Forbidden(_("只有活动所属辖区的工作人员可以代为报名。"), {"actor": [_("不是本活动的组织者。")]})
        name, phone, user = (name or "").strip(), (phone or "").strip(), None
        if not name:
            errors["name"] = [_("请填写报名人姓名。")]
        if phone and (not phone.isdigit() or not 7 <= len(phone) <= 12):
            errors["phone"] = [_("电话号码应为7到12位数字。")]
    check_lengths(errors, ("name", name, 32, _("姓名")))
    if errors:
        raise DomainError(_("报名信息有误。"), errors)
    event = _lock_event(event)
    if event.status != EventStatus.OPEN:
        raise ConflictError(_("活动已取消，不能报名。"), {"event": [_("活动已取消。")]})
    if event.start <= now:
        raise ConflictError(_("活动已经开始，报名已截止。"), {"event": [_("报名已截止。")]})
    if user is not None and event.registrations.filter(user=user).exclude(
            status=RegistrationStatus.CANCELLED).exists():
        raise ConflictError(_("您已报名该活动。"), {"event": [_("已报名。")]})
    c = selectors.counts(event)
    if c["taken"] < event.capacity:
        status = RegistrationStatus.REGISTERED
    elif c["waiting"] < event.waitlist_limit:
        status = RegistrationStatus.WAITLISTED
    else:
        raise ConflictError(_("名额和候补都已满。"), {"event": [_("名额已满。")]})
    registration = Registration.objects.create(event=event, user=user, name=name, phone=phone,
                                               phone_masked=mask_phone(phone) if phone else "", status=status,
                                               registered_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=registration,
                 detail={"event": event.pk, "status": status})
    return registration


def _locked(registration: Registration) -> Registration:
    _lock_event(registration.event)
    return (Registration.objects.select_for_update(of=("self",)).select_related("event__node", "user")
            .get(pk=registration.pk))


@transaction.atomic
def registration_check_in(*, actor, registration: Registration, now: dt.datetime | None = None) -> Registration:
    """Check in an attendee (from two hours before the start until the end). `now` is for records entered
    after the fact (the demo's past events): the window is then checked against it instead of the clock."""
    registration = _locked(registration)
    if now is None:
        REGISTRATION.check(actor, registration, RegistrationAction.CHECK_IN)
        now = timezone.now()
    else:
        for guard in REGISTRATION.action(RegistrationAction.CHECK_IN).guards:
            if guard is check_in_window:
                continue
            refused = guard(actor, registration)
            if refused is not None:
                raise refused
        if not actor.can("events.manage") or registration.status != RegistrationStatus.REGISTERED:
            REGISTRATION.check(actor, registration, RegistrationAction.CHECK_IN)
        if now < registration.event.start - CHECK_IN_EARLY or now >= registration.event.end:
            raise ConflictError(_("活动开始前两小时起、结束前才能签到。"), {"status": [_("不在签到时间内。")]})
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = now
    registration.save(update_fields=["status", "checked_in_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=registration,
                 detail={"action": "check_in", "event": registration.event_id})
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration) -> Registration:
    registration = _locked(registration)
    REGISTRATION.check(actor, registration, RegistrationAction.CANCEL)
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=registration,
                 detail={"action": "cancel", "from": before})
    event = registration.event
    if before in HOLDS_PLACE and event.status == EventStatus.OPEN:
        promoted = selectors.waitlist(event).select_for_update().first()
        if promoted is not None and selectors.counts(event)["taken"] < event.capacity:
            promoted.status = RegistrationStatus.REGISTERED
            promoted.save(update_fields=["status"])
            audit_record(actor=None, action=AuditAction.TRANSITION, obj=promoted,
                         detail={"action": "promote", "event": event.pk})
            if promoted.user_id:
                notify(recipients=[promoted.user], title=_("候补成功：%(t)s") % {"t": event.title},
                       body=_("有人取消了报名，您已从候补转为正式报名。"))
    return registration


# --- photos ----------------------------------------------------------------------------------------------------------

@transaction.atomic
def event_photo_add(*, actor, event: Event, uploads, caption: str = "") -> list[EventPhoto]:
    """Photos of an event, through the project's photo checks (decoded by Pillow, size-capped, re-encoded without
    metadata, named by the server). Every file is checked before anything is written."""
    _may_manage(actor, event.node)
    from shequ.grid.services import clean_photos

    caption = (caption or "").strip()
    errors: dict = {}
    check_lengths(errors, ("caption", caption, 100, _("说明")))
    if errors:
        raise DomainError(_("照片说明过长。"), errors)
    cleaned = clean_photos(uploads, keep_location=False)
    if not cleaned:
        raise DomainError(_("请选择照片。"), {"photos": [_("请选择照片。")]})
    saved = []
    for photo in cleaned:
        row = EventPhoto(event=event, content_type=photo.content_type, caption=caption, uploaded_by=actor)
        row.image.save(photo.content.name, photo.content, save=False)
        row.save()
        saved.append(row)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=event, detail={"photos": [p.pk for p in saved]})
    return saved


# --- delegations -----------------------------------------------------------------------------------------------------

def _delegation_data(*, date, origin, node, members, member_count, programme, errors: dict) -> dict:
    origin = (origin or "").strip()
    members = [str(m).strip() for m in (members or []) if str(m).strip()]
    if not origin:
        errors["origin"] = [_("请填写来访单位。")]
    if date is None:
        errors["date"] = [_("请填写来访日期。")]
    _node_ok(node, errors)
    if len(members) > MAX_MEMBERS:
        errors["members"] = [_("成员不能超过%(n)d人。") % {"n": MAX_MEMBERS}]
    for m in members:
        check_lengths(errors, ("members", m, 32, _("成员姓名")))
    try:
        member_count = int(member_count) if member_count not in (None, "") else len(members)
    except (TypeError, ValueError):
        errors["member_count"] = [_("请填写人数。")]
        member_count = 0
    if not errors.get("member_count") and not 1 <= member_count <= 1000:
        errors["member_count"] = [_("人数须在1到1000之间。")]
    elif not errors.get("member_count") and member_count < len(members):
        errors["member_count"] = [_("人数不能少于所列成员（%(n)d人）。") % {"n": len(members)}]
    programme = (programme or "").strip()
    check_lengths(errors, ("origin", origin, 100, _("来访单位")), ("programme", programme, 4000, _("考察安排")))
    return {"date": date, "origin": origin, "node": node, "members": members, "member_count": member_count,
            "programme": programme}


@transaction.atomic
def delegation_create(*, actor, date: dt.date, origin: str, node, members: list[str] | None = None,
                      member_count=None, programme: str = "", facilities=()) -> Delegation:
    _may_manage(actor, node)
    errors: dict = {}
    data = _delegation_data(date=date, origin=origin, node=node, members=members, member_count=member_count,
                            programme=programme, errors=errors)
    if errors:
        raise DomainError(_("来访信息有误。"), errors)
    delegation = Delegation.objects.create(**data, created_by=actor)
    if facilities:
        delegation.facilities.set(list(facilities))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=delegation,
                 detail={"node": node.code, "members": data["member_count"]})
    return delegation


@transaction.atomic
def delegation_update(*, actor, delegation: Delegation, date: dt.date, origin: str, node,
                      members: list[str] | None = None, member_count=None, programme: str = "",
                      facilities=()) -> Delegation:
    """Correct a delegation's record: the receiving jurisdiction's staff, into their own jurisdiction. The
    member names are personal data: the audit row records that they changed and how many, not the names."""
    delegation = Delegation.objects.select_for_update().select_related("node").get(pk=delegation.pk)
    _may_manage(actor, delegation.node)
    _may_manage(actor, node)
    errors: dict = {}
    data = _delegation_data(date=date, origin=origin, node=node, members=members, member_count=member_count,
                            programme=programme, errors=errors)
    if errors:
        raise DomainError(_("来访信息有误。"), errors)
    members_changed = delegation.members != data["members"]
    data.pop("members")
    changed = _changes(delegation, data)
    if members_changed:
        delegation.members = [str(m).strip() for m in (members or []) if str(m).strip()]
        changed["members"] = len(delegation.members)
    before = set(delegation.facilities.values_list("pk", flat=True))
    after = {f.pk for f in facilities or ()}
    if before != after:
        delegation.facilities.set(list(facilities or ()))
        changed["facilities"] = [sorted(before), sorted(after)]
    if changed:
        delegation.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=delegation, detail={"changed": changed})
    return delegation
