"""Writes of the volunteer service: each action one `<entity>_<action>` function, atomic and audited.

Sign-ups never exceed the slots: `signup_create` and `signup_cancel` lock the activity row first
(`SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction begins IMMEDIATE and holds the write lock), keep
the confirmed and wait-listed counters on it, and a check constraint (`confirmed <= slots`) is the last word.

Credited hours are kept as a running total on the volunteer (`credited_minutes`), changed only here and only by
approving a record (or a correction, which replaces the corrected record's minutes by its own). The command
`manage.py volunteer_totals` recomputes every total from the approved records and reports any difference. The same
approval keeps the team's monthly total (`TeamMonth`, the 街道's monthly report), checked by the same command."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind, Role
from shequ.core.crypto import keyed_hash
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.idcard import (InvalidIdNumber, birth_date_of, mask_id_number, mask_phone, normalize_id_number,
                               normalize_phone)
from shequ.core.inputs import check_lengths
from shequ.core.scoping import in_scope
from shequ.core.services import notify

from . import selectors
from .choices import ActivityStatus, NoticeStatus, RecordStatus, SignupStatus, TeamKind
from .models import (Activity, Centre, Certificate, HonourHours, Record, Signup, StarNotice, Station, Team,
                     TeamMonth, Volunteer)

# Check-in opens half an hour before the start; check-out closes half an hour after the end, and so does the code.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_OUT_LATE = dt.timedelta(minutes=30)
MAX_ACTIVITY = dt.timedelta(hours=12)
MAX_AHEAD = dt.timedelta(days=366)
MAX_SLOTS = 500


def _text(errors: dict, field: str, value, limit: int, label: str, required: bool = False) -> str:
    text = ("" if value is None else str(value)).strip()
    check_lengths(errors, (field, text, limit, label))
    if required and not text:
        errors.setdefault(field, []).append(_("请填写%(label)s。") % {"label": label})
    return text


def _skills(errors: dict, value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").split(",")
    items = [str(s).strip() for s in (value or []) if str(s).strip()]
    if len(items) > 20 or any(len(s) > 20 for s in items):
        errors.setdefault("skills", []).append(_("技能最多20项，每项不超过20个字。"))
    return list(dict.fromkeys(items))


# --- organisation -----------------------------------------------------------------------------------------------

def _may_set_up(actor, node) -> None:
    if actor is None:
        return
    if not (actor.can("volunteers.manage") and actor.role == Role.LEADER and in_scope(actor, node)):
        raise Forbidden(_("只有街道管理人员可以设置志愿中心、服务站和队伍。"), {"actor": [_("无权设置。")]})


@transaction.atomic
def centre_create(*, actor, node, name: str, person_in_charge: str, phone: str = "", address: str = "",
                  admins=()) -> Centre:
    _may_set_up(actor, node)
    errors: dict = {}
    name = _text(errors, "name", name, 64, _("名称"), True)
    person = _text(errors, "person_in_charge", person_in_charge, 32, _("负责人"), True)
    if node is None or node.kind != NodeKind.SUBDISTRICT:
        errors["node"] = [_("志愿中心设在街道。")]
    if errors:
        raise DomainError(_("志愿中心信息有误。"), errors)
    if Centre.objects.filter(node=node).exists():
        raise ConflictError(_("该街道已有志愿中心。"), {"node": [_("该街道已有志愿中心。")]})
    centre = Centre.objects.create(node=node, name=name, person_in_charge=person, phone=phone.strip(),
                                   address=address.strip())
    centre.admins.set(admins)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=centre, detail={"node": node.code})
    return centre


@transaction.atomic
def station_create(*, actor, centre: Centre, committee, head_name: str, head_phone: str = "") -> Station:
    _may_set_up(actor, centre.node)
    errors: dict = {}
    head = _text(errors, "head_name", head_name, 32, _("站长"), True)
    if committee is None or committee.kind != NodeKind.COMMITTEE or not committee.path.startswith(centre.node.path):
        errors["committee"] = [_("请选择本街道的居委会。")]
    if errors:
        raise DomainError(_("服务站信息有误。"), errors)
    if Station.objects.filter(committee=committee).exists():
        raise ConflictError(_("该居委会已有志愿服务站。"), {"committee": [_("该居委会已有志愿服务站。")]})
    station = Station.objects.create(centre=centre, committee=committee, head_name=head, head_phone=head_phone,
                                     name=_("%(c)s志愿服务站") % {"c": committee.name})
    audit_record(actor=actor, action=AuditAction.CREATE, obj=station, detail={"committee": committee.code})
    return station


@transaction.atomic
def team_create(*, actor, centre: Centre, name: str, kind: str, committee=None, founded: dt.date | None = None,
                description: str = "", admins=()) -> Team:
    _may_set_up(actor, centre.node)
    errors: dict = {}
    name = _text(errors, "name", name, 64, _("名称"), True)
    description = _text(errors, "description", description, 500, _("简介"))
    if kind not in TeamKind.values:
        errors["kind"] = [_("请选择队伍类别。")]
    if kind == TeamKind.BRAND:
        if committee is None or committee.kind != NodeKind.COMMITTEE or \
                not committee.path.startswith(centre.node.path):
            errors["committee"] = [_("品牌队伍须属于本街道的一个居委会。")]
        elif Team.objects.filter(kind=TeamKind.BRAND, committee=committee).exists():
            errors["committee"] = [_("每个居委会只有一支品牌队伍。")]
    elif committee is not None:
        errors["committee"] = [_("常设队伍和技能队伍面向全街道，不属于居委会。")]
    if kind == TeamKind.STANDING and Team.objects.filter(centre=centre, kind=TeamKind.STANDING).count() >= 3:
        errors["kind"] = [_("常设队伍只有三支（市容环境、平安、助老扶困）。")]
    if errors:
        raise DomainError(_("队伍信息有误。"), errors)
    if Team.objects.filter(name=name).exists():
        raise ConflictError(_("已有同名队伍。"), {"name": [_("已有同名队伍。")]})
    team = Team.objects.create(centre=centre, name=name, kind=kind, committee=committee, founded=founded,
                               description=description)
    team.admins.set(admins)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=team, detail={"kind": kind})
    return team


# --- volunteers -------------------------------------------------------------------------------------------------

@transaction.atomic
def volunteer_register(*, actor, committee=None, name: str = "", id_number: str = "", phone: str = "",
                       user=None, resident=None, skills=None, availability: str = "", national_number: str = "",
                       consent: bool = False, teams=()) -> Volunteer:
    """Real-name registration. From the residents registry (`resident`, a record the caller may see) the name,
    ID number, phone and committee come from the record; otherwise name, ID number (GB 11643 check) and phone
    are given. A person registers once (the ID number's keyed hash is unique); a login may be attached (a
    resident's or a committee worker's own account: a volunteer is not a second account)."""
    errors: dict = {}
    if resident is not None:
        name, id_number, phone, committee = resident.name, resident.id_number, resident.phone, resident.committee
    name = _text(errors, "name", name, 32, _("姓名"), True)
    try:
        id_number = normalize_id_number(id_number)
    except InvalidIdNumber as exc:
        errors["id_number"] = [str(exc)]
    phone = (phone or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    elif resident is None:
        errors["phone"] = [_("请填写联系电话。")]
    if committee is None or committee.kind != NodeKind.COMMITTEE:
        errors["committee"] = [_("请选择所属居委会。")]
    if not consent:
        errors["consent"] = [_("须同意志愿服务组织按规定保存服务记录。")]
    skills = _skills(errors, skills)
    availability = _text(errors, "availability", availability, 100, _("可服务时间"))
    national_number = _text(errors, "national_number", national_number, 32, _("全国志愿者编号"))
    if errors:
        raise DomainError(_("志愿者登记信息有误。"), errors)
    self_service = actor is not None and user is not None and user.pk == actor.pk
    if actor is not None and not self_service and not (actor.can("volunteers.manage") and in_scope(actor, committee)):
        raise Forbidden(_("只能为本辖区的居民登记志愿者。"), {"actor": [_("无权登记。")]})
    digest = keyed_hash(id_number)
    if Volunteer.objects.filter(id_hash=digest).exists():
        raise ConflictError(_("此人已登记为志愿者。"), {"id_number": [_("此人已登记为志愿者。")]})
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise ConflictError(_("该账号已绑定志愿者档案。"), {"user": [_("该账号已绑定志愿者档案。")]})
    volunteer = Volunteer.objects.create(
        user=user, resident_id=getattr(resident, "pk", None), name=name, id_number=id_number, id_hash=digest,
        id_masked=mask_id_number(id_number), phone=phone, phone_masked=mask_phone(phone), committee=committee,
        skills=skills, availability=availability, national_number=national_number, consent_at=timezone.now())
    if teams:
        volunteer.teams.set(teams)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=volunteer,
                 detail={"committee": committee.code, "from_registry": resident is not None,
                         "account": getattr(user, "username", "")})
    return volunteer


@transaction.atomic
def volunteer_join_team(*, actor, volunteer: Volunteer, team: Team) -> None:
    if not (selectors.may_organise(user=actor, team=team) or (actor is not None and volunteer.user_id == actor.pk)):
        raise Forbidden(_("无权调整队伍成员。"), {"actor": [_("无权调整队伍成员。")]})
    volunteer.teams.add(team)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=volunteer, detail={"join_team": team.pk})


# --- activities -------------------------------------------------------------------------------------------------

def _activity_data(*, title, start, end, place, slots, description, min_age, max_age, skills, signup_deadline,
                   creating: bool) -> dict:
    errors: dict = {}
    title = _text(errors, "title", title, 100, _("标题"), True)
    place = _text(errors, "place", place, 128, _("地点"), True)
    description = _text(errors, "description", description, 2000, _("内容"))
    now = timezone.now()
    if not isinstance(start, dt.datetime):
        errors["start"] = [_("请填写开始时间。")]
    if not isinstance(end, dt.datetime):
        errors["end"] = [_("请填写结束时间。")]
    if not errors.get("start") and not errors.get("end"):
        if end <= start:
            errors["end"] = [_("结束时间应晚于开始时间。")]
        elif end - start > MAX_ACTIVITY:
            errors["end"] = [_("一次活动不超过12小时。")]
        if creating and start <= now:
            errors["start"] = [_("开始时间应晚于现在。")]
        if start > now + MAX_AHEAD:
            errors["start"] = [_("最多提前一年发布活动。")]
    try:
        slots = int(slots)
        if not 1 <= slots <= MAX_SLOTS:
            raise ValueError
    except (TypeError, ValueError):
        errors["slots"] = [_("名额应为1到500之间的整数。")]
    for field, value in (("min_age", min_age), ("max_age", max_age)):
        if value not in (None, "") and (not str(value).isdigit() or not 0 < int(value) < 120):
            errors[field] = [_("年龄应为1到119之间的整数。")]
    min_age = int(min_age) if min_age not in (None, "") and "min_age" not in errors else None
    max_age = int(max_age) if max_age not in (None, "") and "max_age" not in errors else None
    if min_age and max_age and min_age > max_age:
        errors["max_age"] = [_("最高年龄不能小于最低年龄。")]
    skills = _skills(errors, skills)
    if signup_deadline is not None and isinstance(start, dt.datetime) and signup_deadline > start:
        errors["signup_deadline"] = [_("报名截止时间不能晚于活动开始。")]
    if errors:
        raise DomainError(_("活动信息有误。"), errors)
    return {"title": title, "place": place, "description": description, "start": start, "end": end,
            "slots": slots, "min_age": min_age, "max_age": max_age, "skills": skills,
            "signup_deadline": signup_deadline}


_BOOKING_FIELDS = {"attendees": "slots", "purpose": "title", "team": "team", "note": "description"}


def _book_room(*, actor, room, data: dict, team: Team):
    """The activity's room, booked through the facilities services for [start, end) with the slots as the
    expected attendance. A clash is refused with the booking that holds the time; the facility's other refusals
    (closed, over capacity, not bookable) come back on the activity's fields."""
    from shequ.facilities import services as facilities

    try:
        return facilities.booking_create(actor=actor, room=room, start=data["start"], end=data["end"],
                                         purpose=(_("志愿活动：%(t)s") % {"t": data["title"]})[:200],
                                         team=team.name[:64], attendees=data["slots"])
    except Forbidden:
        message = _("您没有预约场地的权限，请填写地点或请场地管理员预约。")
        raise Forbidden(message, {"room": [message]}) from None
    except ConflictError as exc:
        message = _("活动室在该时段已被占用：%(m)s") % {"m": exc.message}
        raise ConflictError(message, {"room": [exc.message]}) from None
    except DomainError as exc:
        errors: dict = {}
        for field, messages in (exc.errors or {}).items():
            errors.setdefault(_BOOKING_FIELDS.get(field, field), []).extend(messages)
        raise DomainError(_("活动室不能预约：%(m)s") % {"m": "；".join(m for ms in errors.values() for m in ms)},
                          errors or {"room": [exc.message]}) from None


def _room_place(actor, room) -> str:
    from shequ.facilities import selectors as facilities

    try:
        found = facilities.room_get(user=actor, pk=getattr(room, "pk", room))
    except Exception:  # Http404: an invisible room; booking_create refuses it with its own message
        return ""
    return f"{found.facility.name}{found.name}"[:128]


@transaction.atomic
def activity_create(*, actor, team: Team, title: str, start, end, place: str = "", slots, description: str = "",
                    min_age=None, max_age=None, skills=None, signup_deadline=None, room=None) -> Activity:
    """Publish an activity. With `room` (a bookable room of the facilities module) the place is that room and
    the activity holds a booking of it for its time, made in the same transaction."""
    if not selectors.may_organise(user=actor, team=team):
        raise Forbidden(_("只有%(t)s的管理员或志愿中心可以发布活动。") % {"t": team.name},
                        {"team": [_("无权为该队伍发布活动。")]})
    if room not in (None, "") and not (place or "").strip():
        place = _room_place(actor, room)
    data = _activity_data(title=title, start=start, end=end, place=place, slots=slots, description=description,
                          min_age=min_age, max_age=max_age, skills=skills, signup_deadline=signup_deadline,
                          creating=True)
    booking = _book_room(actor=actor, room=room, data=data, team=team) if room not in (None, "") else None
    activity = Activity.objects.create(team=team, node=team.node, created_by=actor, booking=booking,
                                       code_secret=secrets.token_hex(16), **data)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=activity,
                 detail={"team": team.pk, "start": data["start"].isoformat(), "slots": data["slots"],
                         "booking": booking.pk if booking else None})
    return activity


def _release_room(*, actor, activity: Activity, reason: str) -> None:
    """Cancel the activity's room booking (if it still holds the room). The booking belongs to the organiser
    who placed the activity: another organiser's cancellation of the activity releases it in the booker's name,
    with the canceller in the reason (the activity's own audit row names him)."""
    from shequ.facilities import selectors as facilities_selectors
    from shequ.facilities import services as facilities

    booking = facilities_selectors.booking_list(user=activity.booking.booked_by).filter(
        pk=activity.booking_id, status__in=["pending", "approved"]).first()
    if booking is None or booking.end <= timezone.now():
        return
    who = getattr(actor, "full_name", "") or getattr(actor, "username", "")
    note = (_("志愿活动取消：%(r)s") % {"r": reason} + (f"（{who}）" if who else ""))[:200]
    facilities.booking_cancel(actor=booking.booked_by, booking=booking, reason=note)


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not selectors.may_organise(user=actor, team=activity.team):
        raise Forbidden(_("无权取消该活动。"), {"actor": [_("无权取消该活动。")]})
    errors: dict = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), True)
    if errors:
        raise DomainError(_("请填写取消理由。"), errors)
    if activity.status != ActivityStatus.PUBLISHED or activity.start <= timezone.now():
        raise ConflictError(_("活动已开始或已取消。"), {"status": [_("活动已开始或已取消。")]})
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    if activity.booking_id:
        _release_room(actor=actor, activity=activity, reason=reason)
    users = [s.volunteer.user for s in activity.signups.filter(status__in=[SignupStatus.CONFIRMED,
                                                                           SignupStatus.WAITLISTED])
             .select_related("volunteer__user")]
    notify(recipients=users, title=_("志愿活动取消：%(t)s") % {"t": activity.title}, body=reason,
           link=reverse("volunteers:m-activity", args=[activity.pk]))
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=activity,
                 detail={"to": "cancelled", "reason": reason, "booking_released": activity.booking_id})
    return activity


def _volunteer_required(actor) -> Volunteer:
    volunteer = selectors.volunteer_of(actor)
    if volunteer is None:
        raise DomainError(_("请先登记为志愿者。"), {"volunteer": [_("尚未登记为志愿者。")]})
    return volunteer


def _conditions(activity: Activity, volunteer: Volunteer, now: dt.datetime) -> None:
    if activity.status != ActivityStatus.PUBLISHED:
        raise ConflictError(_("活动已取消。"), {"status": [_("活动已取消。")]})
    if now >= (activity.signup_deadline or activity.start):
        raise DomainError(_("报名已截止。"), {"activity": [_("报名已截止。")]})
    if activity.min_age or activity.max_age:
        born = birth_date_of(volunteer.id_number)
        day = timezone.localtime(activity.start).date()
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if (activity.min_age and age < activity.min_age) or (activity.max_age and age > activity.max_age):
            raise DomainError(_("不符合活动的年龄要求。"), {"activity": [_("不符合活动的年龄要求。")]})
    missing = [s for s in activity.skills if s not in volunteer.skills]
    if missing:
        raise DomainError(_("活动需要以下技能：%(s)s。") % {"s": "、".join(missing)},
                          {"activity": [_("缺少所需技能。")]})


@transaction.atomic
def signup_create(*, actor, activity: Activity) -> tuple[Signup, int]:
    """Sign up: confirmed while there are slots, else on the wait-list. Returns (signup, position) with position
    the place on the wait-list, or the confirmed number."""
    volunteer = _volunteer_required(actor)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = timezone.now()
    _conditions(activity, volunteer, now)
    if selectors.signup_of(activity=activity, volunteer=volunteer) is not None:
        raise ConflictError(_("您已报名该活动。"), {"activity": [_("已报名。")]})
    if activity.confirmed < activity.slots:
        activity.confirmed += 1
        signup = Signup(activity=activity, volunteer=volunteer, status=SignupStatus.CONFIRMED)
        position = activity.confirmed
    else:
        activity.waitlisted += 1
        activity.wait_seq += 1
        signup = Signup(activity=activity, volunteer=volunteer, status=SignupStatus.WAITLISTED,
                        wait_position=activity.wait_seq)
        position = activity.waitlisted
    try:
        with transaction.atomic():
            activity.save(update_fields=["confirmed", "waitlisted", "wait_seq"])
            signup.save()
    except IntegrityError:
        raise ConflictError(_("报名未成功，请重试。"), {"activity": [_("报名冲突。")]}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=activity, object_type="volunteers.signup",
                 object_id=signup.pk, detail={"status": signup.status, "position": position})
    return signup, position


@transaction.atomic
def signup_cancel(*, actor, activity: Activity) -> Signup:
    """Cancel one's sign-up; a freed slot goes to the first on the wait-list, who is told."""
    volunteer = _volunteer_required(actor)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    signup = selectors.signup_of(activity=activity, volunteer=volunteer)
    if signup is None:
        raise ConflictError(_("您没有报名该活动。"), {"activity": [_("未报名。")]})
    if timezone.now() >= activity.start:
        raise ConflictError(_("活动已开始，不能取消报名。"), {"activity": [_("活动已开始。")]})
    was = signup.status
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    promoted = None
    if was == SignupStatus.CONFIRMED:
        activity.confirmed -= 1
        promoted = activity.signups.filter(status=SignupStatus.WAITLISTED).select_related("volunteer__user") \
            .order_by("wait_position", "id").first()
        if promoted is not None:
            promoted.status = SignupStatus.CONFIRMED
            promoted.save(update_fields=["status"])
            activity.confirmed += 1
            activity.waitlisted -= 1
    else:
        activity.waitlisted -= 1
    activity.save(update_fields=["confirmed", "waitlisted"])
    if promoted is not None:
        notify(recipients=[promoted.volunteer.user], title=_("候补成功：%(t)s") % {"t": activity.title},
               body=_("有人取消报名，您已从候补转为正式报名。"),
               link=reverse("volunteers:m-activity", args=[activity.pk]))
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=activity, object_type="volunteers.signup",
                 object_id=signup.pk, detail={"from": was, "to": "cancelled",
                                              "promoted": promoted.pk if promoted else None})
    return signup


# --- check-in / check-out -----------------------------------------------------------------------------------------

def _window(at: dt.datetime, minutes: int) -> int:
    return int(at.timestamp() // (max(1, minutes) * 60))


def activity_code(*, activity: Activity, at: dt.datetime | None = None) -> str:
    """The 6-digit code the organiser shows: an HMAC of the activity's secret and the current time window, so it
    rotates every few minutes and no two activities share one."""
    at = at or timezone.now()
    window = _window(at, selectors.rules().code_minutes)
    digest = hmac.new(activity.code_secret.encode(), f"{activity.pk}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _check_code(activity: Activity, code, now: dt.datetime) -> None:
    code = str(code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise DomainError(_("请输入6位数字签到码。"), {"code": [_("请输入6位数字签到码。")]})
    if now < activity.start - CHECK_IN_EARLY:
        raise DomainError(_("活动开始前30分钟起才能签到。"), {"code": [_("尚未到签到时间。")]})
    if now > activity.end + CHECK_OUT_LATE:
        raise DomainError(_("活动已结束，签到码已失效。"), {"code": [_("签到码已失效。")]})
    step = dt.timedelta(minutes=selectors.rules().code_minutes)
    # The current code and the one just before it (a code read at the end of its window still works).
    if not any(hmac.compare_digest(code, activity_code(activity=activity, at=now - k * step)) for k in (0, 1)):
        raise DomainError(_("签到码错误或已过期。"), {"code": [_("签到码错误或已过期。")]})


@transaction.atomic
def record_check_in(*, actor, activity: Activity, code) -> Record:
    volunteer = _volunteer_required(actor)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = timezone.now()
    if activity.status != ActivityStatus.PUBLISHED:
        raise DomainError(_("活动已取消。"), {"activity": [_("活动已取消。")]})
    signup = selectors.signup_of(activity=activity, volunteer=volunteer)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise DomainError(_("您没有该活动的正式报名，不能签到。"), {"activity": [_("未正式报名。")]})
    _check_code(activity, code, now)
    if now > activity.end:
        raise DomainError(_("活动已结束，不能再签到。"), {"code": [_("活动已结束。")]})
    if Record.objects.filter(activity=activity, volunteer=volunteer).exclude(
            status__in=[RecordStatus.SUPERSEDED]).exists():
        raise ConflictError(_("您已签到过。"), {"activity": [_("已签到。")]})
    record = Record.objects.create(activity=activity, volunteer=volunteer, status=RecordStatus.OPEN,
                                   check_in=now, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=record, object_repr=record.number,
                 detail={"activity": activity.pk, "check_in": now.isoformat()})
    return record


def credit_for(*, activity: Activity, check_in: dt.datetime, check_out: dt.datetime,
               min_share: int | None = None) -> tuple[int, int]:
    """(stay minutes, credited minutes): the stay inside the activity's time; credited only when it reaches
    `min_share` per cent of the activity's length (default from the rules, 60 %)."""
    share = selectors.rules().min_share if min_share is None else min_share
    begin, finish = max(check_in, activity.start), min(check_out, activity.end)
    stay = max(0, int((finish - begin).total_seconds() // 60))
    length = activity.minutes
    credited = stay if stay * 100 >= share * length else 0
    return stay, credited


@transaction.atomic
def record_check_out(*, actor, activity: Activity, code) -> Record:
    volunteer = _volunteer_required(actor)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = timezone.now()
    record = selectors.open_record(activity=activity, volunteer=volunteer)
    if record is None:
        raise DomainError(_("您还没有签到，不能签退。"), {"activity": [_("尚未签到。")]})
    _check_code(activity, code, now)
    record.check_out = now
    record.stay_minutes, record.credited_minutes = credit_for(activity=activity, check_in=record.check_in,
                                                              check_out=now)
    record.status = RecordStatus.PENDING
    record.save(update_fields=["check_out", "stay_minutes", "credited_minutes", "status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=record, object_repr=record.number,
                 detail={"check_out": now.isoformat(), "stay": record.stay_minutes,
                         "credited": record.credited_minutes})
    return record


# --- review of records -------------------------------------------------------------------------------------------

def _may_review(actor, record: Record) -> None:
    if not selectors.may_organise(user=actor, team=record.activity.team):
        raise Forbidden(_("只有活动所属队伍的管理员或志愿中心可以审核。"), {"actor": [_("无权审核。")]})


def _team_month_add(*, team_id: int, check_in: dt.datetime, minutes: int, records: int) -> None:
    """Add to a team's month (the local month of the check-in), creating the row the first time. The row is
    written in the approval's transaction, so the report and the records never disagree."""
    month = selectors.month_of(check_in)
    row, _created = TeamMonth.objects.get_or_create(team_id=team_id, month=month)
    TeamMonth.objects.filter(pk=row.pk).update(credited_minutes=F("credited_minutes") + minutes,
                                              records=F("records") + records)


def _locked_volunteer(pk: int) -> Volunteer:
    return Volunteer.objects.select_for_update().get(pk=pk)


@transaction.atomic
def record_approve(*, actor, record: Record) -> Record:
    """Approve: the record's credited minutes join the volunteer's total; an approved correction replaces the
    minutes of the record it corrects (which becomes superseded). Then the star notice check."""
    record = Record.objects.select_for_update().select_related("activity__team__centre").get(pk=record.pk)
    _may_review(actor, record)
    if record.status != RecordStatus.PENDING:
        raise ConflictError(_("只有待审核的记录可以认定。"), {"status": [_("记录不是待审核状态。")]})
    volunteer = _locked_volunteer(record.volunteer_id)
    delta = record.credited_minutes
    old = None
    if record.corrects_id:
        old = Record.objects.select_for_update().get(pk=record.corrects_id)
        if old.status == RecordStatus.APPROVED:
            delta -= old.credited_minutes
            _team_month_add(team_id=record.activity.team_id, check_in=old.check_in, minutes=-old.credited_minutes,
                            records=-1)
        old.status = RecordStatus.SUPERSEDED
        old.save(update_fields=["status"])
    record.status, record.decided_by, record.decided_at = RecordStatus.APPROVED, actor, timezone.now()
    record.save(update_fields=["status", "decided_by", "decided_at"])
    Volunteer.objects.filter(pk=volunteer.pk).update(credited_minutes=F("credited_minutes") + delta)
    _team_month_add(team_id=record.activity.team_id, check_in=record.check_in, minutes=record.credited_minutes,
                    records=1)
    volunteer.refresh_from_db(fields=["credited_minutes", "star"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=record, object_repr=record.number,
                 detail={"to": "approved", "credited": record.credited_minutes, "delta": delta,
                         "supersedes": old.pk if old else None, "total": volunteer.credited_minutes})
    _star_notices(volunteer)
    return record


@transaction.atomic
def record_reject(*, actor, record: Record, reason: str) -> Record:
    record = Record.objects.select_for_update().select_related("activity__team__centre").get(pk=record.pk)
    _may_review(actor, record)
    errors: dict = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), True)
    if errors:
        raise DomainError(_("不予认定须写明理由。"), errors)
    if record.status != RecordStatus.PENDING:
        raise ConflictError(_("只有待审核的记录可以不予认定。"), {"status": [_("记录不是待审核状态。")]})
    record.status, record.reason = RecordStatus.REJECTED, reason
    record.decided_by, record.decided_at = actor, timezone.now()
    record.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=record, object_repr=record.number,
                 detail={"to": "rejected", "reason": reason})
    return record


@transaction.atomic
def record_correct(*, actor, record: Record, check_in: dt.datetime, check_out: dt.datetime, reason: str) -> Record:
    """A correction (a forgotten check-out, a wrong time): a new pending record referencing the old one. The old
    one keeps its status and minutes until the correction is approved."""
    record = Record.objects.select_for_update().select_related("activity__team__centre").get(pk=record.pk)
    _may_review(actor, record)
    errors: dict = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), True)
    if not isinstance(check_in, dt.datetime) or not isinstance(check_out, dt.datetime) or check_out <= check_in:
        errors["check_out"] = [_("签退时间应晚于签到时间。")]
    if errors:
        raise DomainError(_("更正信息有误。"), errors)
    if record.status == RecordStatus.SUPERSEDED or record.status == RecordStatus.PENDING:
        raise ConflictError(_("待审核或已被更正的记录不能再更正。"), {"status": [_("不能更正。")]})
    if record.corrections.filter(status=RecordStatus.PENDING).exists():
        raise ConflictError(_("该记录已有待审核的更正。"), {"status": [_("已有待审核的更正。")]})
    activity = record.activity
    if check_in < activity.start - CHECK_IN_EARLY or check_out > activity.end + CHECK_OUT_LATE:
        raise DomainError(_("更正的时间应在活动时间内。"), {"check_in": [_("时间超出活动范围。")]})
    stay, credited = credit_for(activity=activity, check_in=check_in, check_out=check_out)
    if record.status == RecordStatus.OPEN:
        record.status = RecordStatus.SUPERSEDED  # never checked out: nothing was credited
        record.save(update_fields=["status"])
    new = Record.objects.create(activity=activity, volunteer_id=record.volunteer_id, status=RecordStatus.PENDING,
                                check_in=check_in, check_out=check_out, stay_minutes=stay, credited_minutes=credited,
                                corrects=record, reason=reason, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=new, object_repr=new.number,
                 detail={"corrects": record.pk, "reason": reason, "credited": credited})
    return new


# --- honour hours, stars ------------------------------------------------------------------------------------------

def _centre_of(volunteer: Volunteer) -> Centre:
    centre = selectors.centre_for(node=volunteer.committee)
    if centre is None:
        raise DomainError(_("该街道尚未设立志愿中心。"), {"centre": [_("没有志愿中心。")]})
    return centre


@transaction.atomic
def honour_add(*, actor, volunteer: Volunteer, minutes, reason: str) -> HonourHours:
    """荣誉时数, kept apart: they never count toward stars and are never converted into credited hours."""
    if not selectors.may_manage(user=actor, centre=_centre_of(volunteer)):
        raise Forbidden(_("只有志愿中心管理人员可以添加荣誉时长。"), {"actor": [_("无权添加。")]})
    errors: dict = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), True)
    try:
        minutes = int(minutes)
        if not 1 <= minutes <= 100 * 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["minutes"] = [_("时长应为1到6000分钟。")]
    if errors:
        raise DomainError(_("荣誉时长信息有误。"), errors)
    volunteer = _locked_volunteer(volunteer.pk)
    honour = HonourHours.objects.create(volunteer=volunteer, minutes=minutes, reason=reason, added_by=actor)
    Volunteer.objects.filter(pk=volunteer.pk).update(honour_minutes=F("honour_minutes") + minutes)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=honour, object_repr=volunteer.name,
                 detail={"volunteer": volunteer.pk, "minutes": minutes, "reason": reason})
    return honour


def _star_notices(volunteer: Volunteer) -> list[StarNotice]:
    rules = selectors.rules()
    reached = selectors.star_for(volunteer.credited_minutes, rules.thresholds)
    today = timezone.localdate()
    made = []
    for star in range(volunteer.star + 1, reached + 1):
        if StarNotice.objects.filter(volunteer=volunteer, star=star,
                                     status__in=[NoticeStatus.NOTICE, NoticeStatus.GRANTED]).exists():
            continue
        made.append(StarNotice.objects.create(
            volunteer=volunteer, star=star, hours=round(volunteer.credited_minutes / 60, 1), notice_from=today,
            notice_until=today + dt.timedelta(days=rules.notice_days)))
    for notice in made:
        audit_record(actor=None, action=AuditAction.CREATE, obj=notice, object_repr=volunteer.name,
                     detail={"star": notice.star, "until": notice.notice_until.isoformat()})
    return made


@transaction.atomic
def star_grant(*, actor, notice: StarNotice) -> StarNotice:
    notice = StarNotice.objects.select_for_update().select_related("volunteer__committee").get(pk=notice.pk)
    if not selectors.may_manage(user=actor, centre=_centre_of(notice.volunteer)):
        raise Forbidden(_("只有志愿中心管理人员可以授予星级。"), {"actor": [_("无权授予。")]})
    if notice.status != NoticeStatus.NOTICE:
        raise ConflictError(_("该公示已处理。"), {"status": [_("已处理。")]})
    if timezone.localdate() <= notice.notice_until:
        raise ConflictError(_("公示期满（%(d)s）后才能授予。") % {"d": notice.notice_until.isoformat()},
                            {"status": [_("公示期未满。")]})
    volunteer = _locked_volunteer(notice.volunteer_id)
    notice.status, notice.decided_by, notice.decided_at = NoticeStatus.GRANTED, actor, timezone.now()
    notice.save(update_fields=["status", "decided_by", "decided_at"])
    if notice.star > volunteer.star:
        Volunteer.objects.filter(pk=volunteer.pk).update(star=notice.star)
    notify(recipients=[volunteer.user], title=_("您已获评%(n)s星志愿者") % {"n": notice.star},
           link=reverse("volunteers:me"))
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=notice, object_repr=volunteer.name,
                 detail={"to": "granted", "star": notice.star})
    return notice


@transaction.atomic
def star_withdraw(*, actor, notice: StarNotice, reason: str) -> StarNotice:
    notice = StarNotice.objects.select_for_update().select_related("volunteer__committee").get(pk=notice.pk)
    if not selectors.may_manage(user=actor, centre=_centre_of(notice.volunteer)):
        raise Forbidden(_("只有志愿中心管理人员可以撤回公示。"), {"actor": [_("无权撤回。")]})
    errors: dict = {}
    reason = _text(errors, "reason", reason, 200, _("理由"), True)
    if errors:
        raise DomainError(_("撤回须写明理由。"), errors)
    if notice.status != NoticeStatus.NOTICE:
        raise ConflictError(_("该公示已处理。"), {"status": [_("已处理。")]})
    notice.status, notice.reason, notice.decided_by, notice.decided_at = (NoticeStatus.WITHDRAWN, reason, actor,
                                                                          timezone.now())
    notice.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=notice, object_repr=notice.volunteer.name,
                 detail={"to": "withdrawn", "reason": reason})
    return notice


# --- certificates -------------------------------------------------------------------------------------------------

@transaction.atomic
def certificate_issue(*, actor, volunteer: Volunteer, handler: str = "", note: str = "") -> Certificate:
    """A record certificate from the records (谁记录谁证明), free and on request: the volunteer downloads his own,
    the centre's staff issue one for him. Numbered in the centre's register per year."""
    centre = _centre_of(volunteer)
    own = actor is not None and volunteer.user_id == actor.pk
    if not own and not selectors.may_manage(user=actor, centre=centre):
        raise Forbidden(_("只能开具本人的证明。"), {"actor": [_("无权开具。")]})
    centre = Centre.objects.select_for_update().get(pk=centre.pk)  # the register's numbers, one at a time
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    approved = Record.objects.filter(volunteer=volunteer, status=RecordStatus.APPROVED)
    if not approved.exists() and not volunteer.honour_minutes:
        raise DomainError(_("还没有认定的服务记录，暂不能开具证明。"), {"volunteer": [_("没有服务记录。")]})
    errors: dict = {}
    note = _text(errors, "note", note, 200, _("备注"))
    if errors:
        raise DomainError(_("证明信息有误。"), errors)
    titles = list(approved.order_by("check_in").values_list("activity__team__name", flat=True).distinct())
    first = approved.order_by("check_in").values_list("check_in", flat=True).first()
    last = approved.order_by("-check_in").values_list("check_in", flat=True).first()
    content = _("参加%(teams)s组织的志愿服务活动") % {"teams": "、".join(dict.fromkeys(titles)) or centre.name}
    year = timezone.localdate().year
    seq = Certificate.objects.filter(centre=centre, number__startswith=f"ZYZM{year}").count() + 1
    handler = handler.strip() or (actor.full_name if actor is not None and not own else "") or centre.person_in_charge
    cert = Certificate.objects.create(
        number=f"ZYZM{year}{centre.pk:02d}{seq:05d}", volunteer=volunteer, centre=centre,
        credited_minutes=volunteer.credited_minutes, honour_minutes=volunteer.honour_minutes,
        records=approved.count(), star=volunteer.star, content=content,
        period_from=timezone.localtime(first).date() if first else None,
        period_to=timezone.localtime(last).date() if last else None, person_in_charge=centre.person_in_charge,
        handler=handler[:32], contact=centre.phone, issued_on=timezone.localdate(), issued_by=actor, note=note)
    audit_record(actor=actor, action=AuditAction.PRINT, obj=cert,
                 detail={"volunteer": volunteer.pk, "credited": cert.credited_minutes, "own": own})
    return cert


# --- reminders ----------------------------------------------------------------------------------------------------

REMIND_BEFORE = dt.timedelta(hours=2)


def activity_remind_due(*, now: dt.datetime | None = None) -> int:
    """Tell the confirmed volunteers of every activity starting within two hours (once)."""
    now = now or timezone.now()
    sent = 0
    due = Activity.objects.filter(status=ActivityStatus.PUBLISHED, reminded_at__isnull=True, start__gt=now,
                                  start__lte=now + REMIND_BEFORE)
    for activity in due:
        with transaction.atomic():
            if not Activity.objects.filter(pk=activity.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            users = [s.volunteer.user for s in activity.signups.filter(status=SignupStatus.CONFIRMED)
                     .select_related("volunteer__user")]
            start = timezone.localtime(activity.start)
            notify(recipients=users, send_message=True,
                   title=_("活动提醒：%(t)s") % {"t": activity.title},
                   body=_("%(h)s开始，地点：%(p)s。请按时到场，向组织者获取签到码签到。")
                   % {"h": f"{start:%H:%M}", "p": activity.place},
                   link=reverse("volunteers:m-activity", args=[activity.pk]))
            sent += len([u for u in users if u is not None])
    return sent
