"""Writes of day care (日托): enrolment, the daily attendance with its health check, incidents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import ConflictError, DomainError

from ..choices import CareGrade, EnrolmentStatus, IncidentKind
from ..models import Attendance, DayCareEnrolment, Incident
from .common import check_reach, length, raise_if

# Out-of-range readings are flagged for the nurse (体温 °C, 血压 mmHg): the common adult reference values.
TEMPERATURE_LOW, TEMPERATURE_HIGH = Decimal("36.0"), Decimal("37.3")  # < low or ≥ high
SYSTOLIC_HIGH, DIASTOLIC_HIGH = 140, 90  # ≥ either: high
SYSTOLIC_LOW, DIASTOLIC_LOW = 90, 60  # < either: low
# Values outside these bounds are typing errors, refused rather than stored.
TEMPERATURE_BOUNDS = (Decimal("34.0"), Decimal("43.0"))
SYSTOLIC_BOUNDS, DIASTOLIC_BOUNDS = (60, 260), (30, 160)


def temperature_flag(value: Decimal | None) -> str:
    if value is None:
        return ""
    return "low" if value < TEMPERATURE_LOW else "high" if value >= TEMPERATURE_HIGH else ""


def pressure_flag(systolic: int | None, diastolic: int | None) -> str:
    if systolic is None or diastolic is None:
        return ""
    if systolic >= SYSTOLIC_HIGH or diastolic >= DIASTOLIC_HIGH:
        return "high"
    if systolic < SYSTOLIC_LOW or diastolic < DIASTOLIC_LOW:
        return "low"
    return ""


def _money(value, errors, field):
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = [_("请输入金额。")]
        return None
    if amount < 0 or amount > Decimal("10000"):
        errors[field] = [_("金额超出范围。")]
        return None
    return amount


@transaction.atomic
def daycare_enrol(*, actor, facility, resident, care_grade, daily_fee, start_date: dt.date,
                  emergency_contact: str = "") -> DayCareEnrolment:
    check_reach(actor, capability="eldercare.daycare", facility=facility, resident=resident)
    errors: dict[str, list] = {}
    if facility is None or facility.level != "day_care":
        errors["facility"] = [_("请选择日间照料中心。")]
    try:
        grade = int(care_grade)
    except (TypeError, ValueError):
        grade = 0
    if grade not in CareGrade.values:
        errors["care_grade"] = [_("照护等级应为 1 至 6 级。")]
    fee = _money(daily_fee, errors, "daily_fee")
    if not isinstance(start_date, dt.date):
        errors["start_date"] = [_("请填写入托日期。")]
    contact = length(errors, "emergency_contact", emergency_contact, 100)
    raise_if(errors, _("日托登记信息有误。"))
    try:
        with transaction.atomic():
            enrolment = DayCareEnrolment.objects.create(
                facility=facility, resident=resident, care_grade=grade, daily_fee=fee, start_date=start_date,
                emergency_contact=contact, created_by=actor)
    except IntegrityError:
        raise ConflictError(_("该居民已在日托。"), {"resident": [_("该居民已在日托。")]}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=enrolment, object_repr=resident.name,
                 detail={"facility": facility.pk, "care_grade": grade, "daily_fee": str(fee)})
    return enrolment


def _reading(value, cast, bounds, field, errors):
    if value in (None, ""):
        return None
    try:
        number = cast(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = [_("请输入数字。")]
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors[field] = [_("数值应在 %(a)s 至 %(b)s 之间，请核对。") % {"a": bounds[0], "b": bounds[1]}]
        return None
    return number


@transaction.atomic
def attendance_record(*, actor, enrolment: DayCareEnrolment, date: dt.date, arrived_at: dt.time,
                      left_at: dt.time | None = None, temperature=None, systolic=None, diastolic=None,
                      note: str = "") -> Attendance:
    """A day's attendance with the health check; out-of-range readings are flagged (and named on the page)."""
    check_reach(actor, capability="eldercare.attendance", facility=enrolment.facility, resident=enrolment.resident)
    errors: dict[str, list] = {}
    if enrolment.status != EnrolmentStatus.ACTIVE:
        errors["enrolment"] = [_("该居民已退出日托。")]
    if not isinstance(date, dt.date) or date > timezone.localdate():
        errors["date"] = [_("不能登记未来日期的出勤。")]
    if not isinstance(arrived_at, dt.time):
        errors["arrived_at"] = [_("请填写到达时间。")]
    elif left_at is not None and left_at <= arrived_at:
        errors["left_at"] = [_("离开时间应晚于到达时间。")]
    t = _reading(temperature, lambda v: Decimal(v).quantize(Decimal("0.1")), TEMPERATURE_BOUNDS, "temperature",
                 errors)
    s = _reading(systolic, int, SYSTOLIC_BOUNDS, "systolic", errors)
    d = _reading(diastolic, int, DIASTOLIC_BOUNDS, "diastolic", errors)
    if (s is None) != (d is None) and "systolic" not in errors and "diastolic" not in errors:
        errors["diastolic" if d is None else "systolic"] = [_("血压需同时填写收缩压和舒张压。")]
    elif s is not None and d is not None and d >= s:
        errors["diastolic"] = [_("舒张压应低于收缩压。")]
    note = length(errors, "note", note, 200)
    raise_if(errors, _("出勤记录有误。"))
    record = Attendance(enrolment=enrolment, date=date, arrived_at=arrived_at, left_at=left_at,
                        temperature="" if t is None else str(t), systolic="" if s is None else str(s),
                        diastolic="" if d is None else str(d), temperature_flag=temperature_flag(t),
                        pressure_flag=pressure_flag(s, d), note=note, recorded_by=actor)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ConflictError(_("该居民当天已有出勤记录。"), {"date": [_("当天已登记。")]}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=record, object_repr=enrolment.resident.name,
                 detail={"date": date.isoformat(), "flagged": record.flagged})
    return record


@transaction.atomic
def attendance_leave(*, actor, attendance: Attendance, left_at: dt.time) -> Attendance:
    attendance = Attendance.objects.select_for_update().select_related("enrolment__facility",
                                                                        "enrolment__resident").get(pk=attendance.pk)
    check_reach(actor, capability="eldercare.attendance", facility=attendance.enrolment.facility,
                resident=attendance.enrolment.resident)
    if not isinstance(left_at, dt.time) or left_at <= attendance.arrived_at:
        raise DomainError(_("离开时间应晚于到达时间。"), {"left_at": [_("离开时间应晚于到达时间。")]})
    attendance.left_at = left_at
    attendance.save(update_fields=["left_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=attendance, detail={"left_at": left_at.isoformat()})
    return attendance


@transaction.atomic
def incident_create(*, actor, enrolment: DayCareEnrolment, occurred_at: dt.datetime, kind: str, description: str,
                    action_taken: str = "", family_notified: bool = False) -> Incident:
    check_reach(actor, capability="eldercare.attendance", facility=enrolment.facility, resident=enrolment.resident)
    errors: dict[str, list] = {}
    if kind not in IncidentKind.values:
        errors["kind"] = [_("请选择事件类型。")]
    if not isinstance(occurred_at, dt.datetime) or occurred_at > timezone.now():
        errors["occurred_at"] = [_("发生时间不能晚于现在。")]
    description = length(errors, "description", description, 500)
    if not description and "description" not in errors:
        errors["description"] = [_("请填写经过。")]
    action_taken = length(errors, "action_taken", action_taken, 500)
    raise_if(errors, _("事件记录有误。"))
    incident = Incident.objects.create(enrolment=enrolment, occurred_at=occurred_at, kind=kind,
                                       description=description, action_taken=action_taken,
                                       family_notified=bool(family_notified), reported_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=incident, object_repr=enrolment.resident.name,
                 detail={"kind": kind})
    return incident
