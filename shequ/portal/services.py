"""Every write of the residents' side. Keyword-only, atomic, audited; refusals are DomainError (400) or
ConflictError (409)."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.acceptance.choices import ReviewChannel
from shequ.acceptance.models import Case as AcceptanceCase
from shequ.acceptance.models import QueueCategory, ServiceItem
from shequ.acceptance.services.queue import ticket_issue
from shequ.acceptance.services.reviews import review_submit
from shequ.core import idcard, workcal
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, AuditResult, Role
from shequ.core.crypto import keyed_hash
from shequ.core.errors import ConflictError, DomainError
from shequ.core.models import User
from shequ.core.ratelimit import attempt_record, attempts_get, attempts_reset
from shequ.core.messaging import get_backend
from shequ.core.services import notify, user_create
from shequ.core.tasks import shequ_task
from shequ.grid import services as grid_services
from shequ.grid.choices import CaseStatus as GridStatus
from shequ.grid.choices import Source
from shequ.people.models import Resident

from . import selectors
from .choices import (APPOINTMENT_TRANSITIONS, CONSENT_VERSION, AppointmentStatus, CodePurpose, ReportRating)
from .hooks import due_for, tiles_changed
from .models import Appointment, AppointmentSlot, RenewalRequest, Report, ResidentAccount, SmsCode

CODE_TTL = dt.timedelta(minutes=10)
CODE_RESEND_SECONDS = 60
CODE_DAILY_LIMIT = 5
CODE_MAX_ATTEMPTS = 5
BIND_FAILURE_LIMIT = 5  # per account per hour; a wrong guess says nothing about which half was wrong
CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_IN_LATE = dt.timedelta(minutes=15)


def rule(name: str) -> int:
    """Booking rules the 街道 may change in settings: open appointments per person, no-shows in the look-back
    window that bar booking, and for how many days."""
    defaults = {"MAX_OPEN": 3, "NO_SHOW_LIMIT": 2, "NO_SHOW_WINDOW_DAYS": 90, "BAR_DAYS": 30}
    return int(getattr(settings, "PORTAL_BOOKING_RULES", {}).get(name, defaults[name]))


def _clean_phone(phone: str) -> str:
    value = (phone or "").strip().replace(" ", "")
    if not idcard.looks_like_phone(value) or not value.startswith("1") or len(value) != 11:
        raise DomainError(_("请输入11位手机号码。"), {"phone": [_("手机号码格式不正确。")]})
    return value


# --- sign-up ------------------------------------------------------------------------------------------------------

@transaction.atomic
def sms_code_send(*, phone: str, purpose: str = CodePurpose.SIGNUP) -> None:
    """Send a one-time code: at most one a minute and five a day per number."""
    phone = _clean_phone(phone)
    phone_hash = keyed_hash(phone)
    now = timezone.now()
    recent = SmsCode.objects.filter(phone_hash=phone_hash, purpose=purpose)
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
        raise DomainError(_("验证码已发送，请%(s)d秒后再试。") % {"s": CODE_RESEND_SECONDS},
                          {"phone": [_("发送过于频繁。")]})
    if recent.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= CODE_DAILY_LIMIT:
        raise DomainError(_("该号码今天获取验证码次数过多，请明天再试。"), {"phone": [_("发送次数已达上限。")]})
    code = f"{secrets.randbelow(10 ** 6):06d}"
    SmsCode.objects.create(phone_hash=phone_hash, purpose=purpose, code_hash=keyed_hash(f"{purpose}:{code}"),
                           created_at=now, expires_at=now + CODE_TTL)
    body = _("您的验证码是%(c)s，10分钟内有效。如非本人操作请忽略。") % {"c": code}
    transaction.on_commit(lambda: get_backend().send(recipient=phone, subject=_("社区服务验证码"), body=body))


def _check_code(phone_hash: str, purpose: str, code: str) -> None:
    """Use up the latest live code if it matches; a wrong guess is counted (and kept: the count commits even
    though the sign-up is refused), and the fifth wrong guess kills the code."""
    now = timezone.now()
    error = DomainError(_("验证码错误或已过期，请重新获取。"), {"code": [_("验证码错误或已过期。")]})
    with transaction.atomic():
        sms = (SmsCode.objects.select_for_update()
               .filter(phone_hash=phone_hash, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
               .order_by("-created_at").first())
        if sms is None or sms.attempts >= CODE_MAX_ATTEMPTS:
            raise error
        matches = hmac.compare_digest(sms.code_hash, keyed_hash(f"{purpose}:{(code or '').strip()}"))
        if matches:
            sms.used_at = now
            sms.save(update_fields=["used_at"])
        else:
            SmsCode.objects.filter(pk=sms.pk).update(attempts=F("attempts") + 1)
    if not matches:
        raise error


def account_signup(*, phone: str, code: str, password: str) -> ResidentAccount:
    """注册: a resident login named by the mobile number, after the SMS code is checked."""
    phone = _clean_phone(phone)
    phone_hash = keyed_hash(phone)
    try:  # checked before the code is used up, so a weak password does not cost the resident a new SMS
        validate_password(password or "", User(username=phone, role=Role.RESIDENT))  # unsaved: similarity only
    except ValidationError as exc:
        raise DomainError(_("密码不符合要求。"), {"password": exc.messages}) from None
    _check_code(phone_hash, CodePurpose.SIGNUP, code)
    with transaction.atomic():
        if ResidentAccount.objects.filter(phone_hash=phone_hash).exists():
            raise ConflictError(_("该手机号已注册，请直接登录。"), {"phone": [_("已注册。")]})
        # Named by the number's keyed hash (user_create), shown as the masked number until the real-name binding.
        user = user_create(actor=None, username=phone, full_name=idcard.mask_phone(phone),
                           role=Role.RESIDENT, password=password, password_is_temporary=False)
        account = ResidentAccount.objects.create(user=user, phone=phone, phone_hash=phone_hash,
                                                 phone_masked=idcard.mask_phone(phone))
        audit_record(actor=user, action=AuditAction.CREATE, obj=account, detail={"op": "signup"})
    return account


def account_for(user) -> ResidentAccount:
    """The resident account of a login; a resident login made by an administrator gets one on first use."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.RESIDENT:
        raise DomainError(_("请使用居民账号登录。"))
    account = ResidentAccount.objects.select_related("resident", "user").filter(user=user).first()
    if account is None:
        account, _created = ResidentAccount.objects.get_or_create(
            user=user, defaults={"phone": "", "phone_hash": f"user:{user.pk}", "phone_masked": ""})
    return account


# --- real-name binding --------------------------------------------------------------------------------------------

def account_bind(*, account: ResidentAccount, name: str, id_number: str, consent: bool) -> ResidentAccount:
    """实名绑定: name + ID number matched against the registry's keyed hash. A mismatch gives one answer whether
    the number exists or not; failures are counted and limited per account."""
    if account.is_bound:
        raise ConflictError(_("账号已完成实名绑定。"), {"id_number": [_("已绑定。")]})
    if not consent:
        raise DomainError(_("请阅读并同意《个人信息处理告知书》后再绑定。"), {"consent": [_("须同意后才能绑定。")]})
    name = (name or "").strip()
    if not 2 <= len(name) <= 32:
        raise DomainError(_("请填写身份证上的姓名。"), {"name": [_("姓名为2至32个字。")]})
    try:
        number = idcard.normalize_id_number(id_number)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), {"id_number": [str(exc)]}) from None
    key = f"portal:bind-fail:{account.pk}"
    if attempts_get(key) >= BIND_FAILURE_LIMIT:
        raise DomainError(_("核验失败次数过多，请1小时后再试，或到居委会办理。"), {"id_number": [_("暂时无法核验。")]})
    resident = (Resident.objects.filter(id_hash=keyed_hash(number), is_active=True)
                .select_related("committee").first())
    if resident is None or resident.name != name:
        attempt_record(key, 3600)
        audit_record(actor=account.user, action=AuditAction.UPDATE, obj=account, result=AuditResult.FAILURE,
                     detail={"op": "bind"})
        raise DomainError(_("姓名与身份证号未能与本街道居民信息核验一致。请核对后重试，或到居委会核实登记信息。"),
                          {"id_number": [_("核验未通过。")]})
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        if ResidentAccount.objects.filter(resident=resident).exclude(pk=account.pk).exists():
            raise ConflictError(_("该居民已绑定其他账号。如非本人操作，请到居委会处理。"),
                                {"id_number": [_("已绑定其他账号。")]})
        now = timezone.now()
        account.resident, account.bound_at = resident, now
        account.consent_version, account.consent_at = CONSENT_VERSION, now
        account.save(update_fields=["resident", "bound_at", "consent_version", "consent_at"])
        account.user.full_name = resident.name
        account.user.save(update_fields=["full_name"])
        audit_record(actor=account.user, action=AuditAction.UPDATE, obj=account,
                     detail={"op": "bind", "resident": resident.pk, "consent": CONSENT_VERSION})
    attempts_reset(key)
    return account


@transaction.atomic
def account_unbind(*, account: ResidentAccount) -> ResidentAccount:
    """Withdraw consent: the link to the registry is removed; the registry record itself is the committee's."""
    if not account.is_bound:
        raise ConflictError(_("账号尚未实名绑定。"))
    previous = account.resident_id
    account.resident, account.bound_at, account.consent_at = None, None, None
    account.save(update_fields=["resident", "bound_at", "consent_at"])
    audit_record(actor=account.user, action=AuditAction.UPDATE, obj=account,
                 detail={"op": "unbind", "resident": previous})
    return account


# --- appointments -------------------------------------------------------------------------------------------------

def slot_publish(*, actor, node, date: dt.date, start: dt.time, end: dt.time, category: QueueCategory,
                 capacity: int) -> AppointmentSlot:
    """发布预约时段 (hall supervisor). Weekends may be published too (周末上午延时服务)."""
    if not actor.can("portal.slots"):
        raise DomainError(_("只有受理大厅主管可以发布预约时段。"))
    errors = {}
    if date < timezone.localdate():
        errors["date"] = [_("不能发布过去日期的时段。")]
    if end <= start:
        errors["end"] = [_("结束时间须晚于开始时间。")]
    if not 1 <= int(capacity) <= 200:
        errors["capacity"] = [_("可预约人数为1至200。")]
    if errors:
        raise DomainError(_("时段信息有误。"), errors)
    with transaction.atomic():
        if AppointmentSlot.objects.filter(node=node, date=date, start=start, category=category).exists():
            raise ConflictError(_("该日期、时间和类别的时段已发布。"), {"start": [_("时段重复。")]})
        slot = AppointmentSlot.objects.create(node=node, date=date, start=start, end=end, category=category,
                                              capacity=capacity, created_by=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=slot, detail={"capacity": capacity})
    return slot


def _slot_start(slot: AppointmentSlot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.date, slot.start))


def _new_code() -> str:
    alphabet = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
    return "".join(secrets.choice(alphabet) for _i in range(8))


def appointment_book(*, account: ResidentAccount, slot_id, item_id, for_resident_id=None) -> Appointment:
    """预约. The seat is taken by one conditional UPDATE (booked < capacity), so parallel bookings can never exceed
    the capacity: the losers get a 409."""
    slot = AppointmentSlot.objects.select_related("category").filter(pk=_int(slot_id)).first()
    if slot is None:
        raise DomainError(_("预约时段不存在。"), {"slot": [_("时段不存在。")]})
    item = ServiceItem.objects.filter(pk=_int(item_id), is_active=True).first()
    if item is None:
        raise DomainError(_("办理事项不存在。"), {"item": [_("事项不存在或已停用。")]})
    if item.queue_category_id != slot.category_id:
        raise DomainError(_("该事项不在此时段的受理类别（%(c)s）内，请选择其他时段。") % {"c": slot.category.name},
                          {"item": [_("事项与时段类别不符。")]})
    now = timezone.now()
    if _slot_start(slot) <= now:
        raise DomainError(_("该时段已开始或已过去，请选择之后的时段。"), {"slot": [_("时段已过。")]})
    for_resident = None
    if for_resident_id not in (None, ""):
        for_resident = selectors.actable_resident(account=account, resident_id=for_resident_id)
    today = timezone.localdate()
    with transaction.atomic():
        # One booking at a time per account: the open-appointment limit cannot be raced.
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        if account.barred_until and account.barred_until >= today:
            raise DomainError(_("因多次预约未到，%(d)s前暂停网上预约，可现场取号办理。")
                              % {"d": _cn(account.barred_until)}, {"slot": [_("暂停预约中。")]})
        open_count = Appointment.objects.filter(account=account, status=AppointmentStatus.BOOKED,
                                                slot__date__gte=today).count()
        if open_count >= rule("MAX_OPEN"):
            raise DomainError(_("每人最多同时有%(n)d个未办理的预约，请先办理或取消已有预约。") % {"n": rule("MAX_OPEN")},
                              {"slot": [_("预约数已达上限。")]})
        taken = (AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity"))
                 .update(booked=F("booked") + 1))
        if not taken:
            raise ConflictError(_("该时段已约满，请选择其他时段。"), {"slot": [_("已约满。")]})
        appointment = Appointment.objects.create(slot=slot, item=item, code=_new_code(), account=account,
                                                 for_resident=for_resident, created_at=now)
        detail = {"slot": slot.pk, "item": item.code}
        if for_resident is not None:
            detail.update(acting_for=for_resident.pk, acting_by=account.resident_id)
        audit_record(actor=account.user, action=AuditAction.CREATE, obj=appointment, detail=detail)
        tiles_changed(account.pk)
        notify(recipients=[account.user], title=_("预约成功：%(i)s") % {"i": item.name},
               body=_("%(d)s %(s)s—%(e)s，预约码 %(c)s。请在时段开始前30分钟至开始后15分钟内到大厅取号机签到。")
               % {"d": _cn(slot.date), "s": f"{slot.start:%H:%M}", "e": f"{slot.end:%H:%M}", "c": appointment.code},
               link="/m/appointments/")
    return appointment


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _move(appointment: Appointment, action: str) -> str:
    sources, target = APPOINTMENT_TRANSITIONS[action]
    if appointment.status not in sources:
        raise ConflictError(_("预约当前状态为“%(s)s”，不能执行此操作。") % {"s": appointment.get_status_display()})
    appointment.status = target
    return target


def appointment_cancel(*, account: ResidentAccount, appointment: Appointment) -> Appointment:
    """取消: frees the seat. Refused once the slot has started."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
        if appointment.account_id != account.pk:
            raise DomainError(_("预约不存在。"))
        _move(appointment, "cancel")
        if _slot_start(appointment.slot) <= timezone.now():
            raise ConflictError(_("时段已开始，不能再取消。"))
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["status", "cancelled_at"])
        AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        audit_record(actor=account.user, action=AuditAction.TRANSITION, obj=appointment, detail={"op": "cancel"})
        tiles_changed(account.pk)
    return appointment


def appointment_check_in(*, code: str, node, actor=None, device=None) -> Appointment:
    """签到: at the kiosk the code, within 30 minutes before to 15 minutes after the slot's start, becomes a
    queue ticket of the item's category."""
    code = (code or "").strip().upper()
    appointment = (Appointment.objects.select_related("slot", "slot__category", "item")
                   .filter(code=code, slot__node=node).first())
    if appointment is None:
        raise DomainError(_("预约码不正确，请核对后重新输入。"), {"code": [_("预约码不正确。")]})
    start = _slot_start(appointment.slot)
    now = timezone.now()
    if appointment.status == AppointmentStatus.BOOKED and not (start - CHECK_IN_EARLY <= now <= start + CHECK_IN_LATE):
        if now < start - CHECK_IN_EARLY:
            raise DomainError(_("签到时间为时段开始前30分钟起，请稍后再来签到。"), {"code": [_("未到签到时间。")]})
        raise DomainError(_("已超过签到时间（时段开始后15分钟），请现场取号。"), {"code": [_("已过签到时间。")]})
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _move(appointment, "check_in")
        ticket = ticket_issue(node=node, category=appointment.slot.category.letter, actor=actor, device=device,
                              appointment=True)
        appointment.ticket, appointment.checked_in_at = ticket, now
        appointment.save(update_fields=["status", "ticket", "checked_in_at"])
        audit_record(actor=actor, action=AuditAction.TRANSITION, obj=appointment,
                     detail={"op": "check_in", "ticket": ticket.number}, username="" if actor else "kiosk")
        tiles_changed(appointment.account_id)
    return appointment


def appointments_mark_no_show(*, day: dt.date) -> int:
    """爽约 of one whole day: its appointments never checked in (used for a day that is over)."""
    return _mark_no_show(Q(slot__date=day), until=day)


def appointments_mark_no_show_due(*, now: dt.datetime | None = None) -> int:
    """爽约 as the check-in window closes: every appointment still booked whose slot started more than
    CHECK_IN_LATE ago (the kiosk refuses it from then on) becomes a no-show."""
    cutoff = timezone.localtime(now or timezone.now()) - CHECK_IN_LATE
    late = Q(slot__date__lt=cutoff.date()) | Q(slot__date=cutoff.date(), slot__start__lte=cutoff.time())
    return _mark_no_show(late, until=cutoff.date())


@transaction.atomic
def _mark_no_show(condition: Q, *, until: dt.date) -> int:
    """An account with too many no-shows in the look-back window is barred from booking for a period (the rule
    in `rule()`). The rows are locked first, so a check-in at the kiosk at the same moment either wins (and the
    appointment is no longer booked) or waits and then finds it a no-show."""
    late = Appointment.objects.filter(condition, status=AppointmentStatus.BOOKED)
    ids = list(late.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        return 0
    accounts = set(Appointment.objects.filter(pk__in=ids).values_list("account_id", flat=True))
    marked = Appointment.objects.filter(pk__in=ids, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.NO_SHOW)
    for account_id in accounts:
        tiles_changed(account_id)
    since = until - dt.timedelta(days=rule("NO_SHOW_WINDOW_DAYS"))
    for account in ResidentAccount.objects.filter(pk__in=accounts).select_related("user").select_for_update(
            of=("self",)):
        count = Appointment.objects.filter(account=account, status=AppointmentStatus.NO_SHOW,
                                           slot__date__gt=since, slot__date__lte=until).count()
        if count >= rule("NO_SHOW_LIMIT"):
            barred = until + dt.timedelta(days=rule("BAR_DAYS"))
            if account.barred_until and account.barred_until >= barred:
                continue
            account.barred_until = barred
            account.save(update_fields=["barred_until"])
            audit_record(actor=None, action=AuditAction.UPDATE, obj=account, username="system",
                         detail={"op": "bar", "no_shows": count, "until": account.barred_until.isoformat()})
            notify(recipients=[account.user], title=_("网上预约已暂停"),
                   body=_("您近期有%(n)d次预约未到，%(d)s前暂停网上预约。") % {"n": count,
                                                                    "d": _cn(account.barred_until)})
    audit_record(actor=None, action=AuditAction.TRANSITION, object_type="portal.appointment", username="system",
                 detail={"op": "no_show", "count": marked})
    return marked


@shequ_task(label=gettext_lazy("预约爽约标记"))
def appointments_no_show_task(since: str = "", due: str = "") -> int:
    """The periodic entry (registry.py): every quarter of an hour, as each slot's check-in window closes."""
    return appointments_mark_no_show_due()


# --- 到期提醒 and renewals ---------------------------------------------------------------------------------------

def renewal_request(*, account: ResidentAccount, key: str) -> RenewalRequest:
    """申请续约 from 到期提醒: only for an item due for the account's own people (anything else is refused as
    unknown), once per item and term; the owning module is told in the same transaction."""
    people = selectors.my_people(account)
    due = next((d for d in due_for(account, people) if d.key == str(key or "")[:64]), None)
    if due is None or not due.renewable:
        raise DomainError(_("没有找到可续约的事项，可能已办理或不在续约期内。"), {"key": [_("事项不存在。")]})
    with transaction.atomic():
        if RenewalRequest.objects.select_for_update().filter(key=due.key, end_date=due.end_date).exists():
            raise ConflictError(_("已提交过续约申请，请等待工作人员联系。"), {"key": [_("已申请。")]})
        request = RenewalRequest.objects.create(account=account, key=due.key, title=str(due.title)[:60],
                                                for_resident_id=due.person_id, end_date=due.end_date)
        detail = {"key": due.key, "end_date": due.end_date.isoformat()}
        if due.person_id != account.resident_id:
            detail.update(acting_for=due.person_id, acting_by=account.resident_id)
        audit_record(actor=account.user, action=AuditAction.CREATE, obj=request, detail=detail)
        tiles_changed(account.pk)
        due.on_renew(due, account)
        notify(recipients=[account.user], title=_("已提交续约申请：%(t)s") % {"t": due.title},
               body=_("%(p)s的%(t)s将于%(d)s到期，工作人员会与您联系办理续约。")
               % {"p": due.person_name, "t": due.title, "d": _cn(due.end_date)}, link="/m/due/")
    return request


# --- 随手拍 and ratings ---------------------------------------------------------------------------------------

def report_create(*, account: ResidentAccount, category, description: str, lat=None, lng=None, address: str = "",
                  photos=(), share_location: bool = False) -> Report:
    """随手拍: becomes a grid case through the grid module's own intake, with the rules of a public (Open311)
    report: a public category, a located point, EXIF location stripped unless the reporter shares it."""
    code = getattr(category, "code", category)
    from shequ.grid import selectors as grid_selectors

    if not grid_selectors.categories(public_only=True).filter(code=str(code or "")).exists():
        raise DomainError(_("请选择问题类别。"), {"category": [_("请从列表中选择问题类别。")]})
    if lat in (None, "") or lng in (None, ""):
        raise DomainError(_("请在地图上点选问题位置，或使用手机定位。"), {"location": [_("缺少位置。")]})
    resident = account.resident
    with transaction.atomic():
        case = grid_services.case_report(
            actor=None, category=code, source=Source.RESIDENT, description=description, lat=lat, lng=lng,
            address=address, photos=photos, keep_location=bool(share_location),
            reporter_name=resident.name if resident else "", reporter_contact=account.phone_masked)
        report = Report.objects.create(account=account, case=case)
        audit_record(actor=account.user, action=AuditAction.CREATE, obj=report, detail={"case": case.number})
        tiles_changed(account.pk)
    return report


RATABLE = {GridStatus.CLOSED, GridStatus.EVALUATED}


@transaction.atomic
def report_rate(*, account: ResidentAccount, report: Report, rating: str, note: str = "") -> Report:
    report = Report.objects.select_for_update().select_related("case").get(pk=report.pk)
    if report.account_id != account.pk:
        raise DomainError(_("上报记录不存在。"))
    if report.case.status not in RATABLE:
        raise ConflictError(_("问题处理结案后才能评价。"), {"rating": [_("尚未结案。")]})
    if report.rating:
        raise ConflictError(_("已评价过，每件只能评价一次。"), {"rating": [_("已评价。")]})
    if rating not in ReportRating.values:
        raise DomainError(_("请选择满意、基本满意或不满意。"), {"rating": [_("请选择评价。")]})
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError(_("评价意见不能超过200字。"), {"note": [_("过长。")]})
    if rating == ReportRating.UNSATISFIED and not note:
        raise DomainError(_("不满意请写明原因，便于改进。"), {"note": [_("请说明原因。")]})
    report.rating, report.rating_note, report.rated_at = rating, note, timezone.now()
    report.save(update_fields=["rating", "rating_note", "rated_at"])
    audit_record(actor=account.user, action=AuditAction.UPDATE, obj=report, detail={"rating": rating})
    return report


def case_review(*, account: ResidentAccount, case: AcceptanceCase, score, comment: str = "", tags=()):
    """好差评 on one of my finished acceptance cases, through the acceptance centre's own review rules (once per
    case; a 差评 opens a rectification)."""
    return review_submit(score=score, channel=ReviewChannel.WEB, case=case, comment=comment, tags=tags,
                         actor=account.user)
