"""Reads of day care (日托): enrolments, a day's attendance and the month's statement per person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet

from shequ.facilities.selectors import facility_list

from ..choices import EnrolmentStatus
from ..models import Attendance, DayCareEnrolment, Incident
from .common import get_or_404, scoped
from .meals import month_bounds

DAY_CARE = "day_care"


def daycare_facilities(*, user) -> QuerySet:
    return facility_list(user=user).filter(level=DAY_CARE, is_active=True)


def daycare_enrolment_list(*, user, facility_id=None, include_ended: bool = False) -> QuerySet:
    qs = scoped(DayCareEnrolment.objects.all(), user, facility="facility")
    if not include_ended:
        qs = qs.filter(status=EnrolmentStatus.ACTIVE)
    if facility_id:
        qs = qs.filter(facility_id=facility_id)
    return qs.select_related("resident", "resident__committee", "facility").order_by("resident__name_pinyin", "id")


def daycare_enrolment_get(*, user, pk) -> DayCareEnrolment:
    return get_or_404(daycare_enrolment_list(user=user, include_ended=True), pk)


def attendance_day(*, user, day: dt.date, facility_id=None) -> list[dict]:
    """Each enrolled person of the day with his attendance (or none yet)."""
    enrolments = list(daycare_enrolment_list(user=user, facility_id=facility_id))
    records = {a.enrolment_id: a for a in Attendance.objects.filter(enrolment__in=enrolments, date=day)}
    return [{"enrolment": e, "attendance": records.get(e.pk)} for e in enrolments]


def attendance_get(*, user, pk) -> Attendance:
    qs = Attendance.objects.filter(enrolment__in=daycare_enrolment_list(user=user, include_ended=True))
    return get_or_404(qs.select_related("enrolment__resident", "enrolment__facility"), pk)


def attendance_flagged(*, user, date_from: dt.date, date_to: dt.date) -> QuerySet:
    qs = Attendance.objects.filter(enrolment__in=daycare_enrolment_list(user=user, include_ended=True),
                                   date__gte=date_from, date__lte=date_to)
    return (qs.exclude(temperature_flag="", pressure_flag="").select_related("enrolment__resident")
            .order_by("-date", "enrolment__resident__name_pinyin"))


def incident_list(*, user, enrolment=None) -> QuerySet:
    qs = Incident.objects.filter(enrolment__in=daycare_enrolment_list(user=user, include_ended=True))
    if enrolment is not None:
        qs = qs.filter(enrolment=enrolment)
    return qs.select_related("enrolment__resident", "reported_by")


def monthly_statement(*, enrolment: DayCareEnrolment, month: dt.date) -> dict:
    """月度对账单: the days attended in the month, the fee for them at the enrolment's daily rate, and the days
    whose health check was out of range."""
    first, last = month_bounds(month)
    days = list(Attendance.objects.filter(enrolment=enrolment, date__gte=first, date__lte=last).order_by("date"))
    fee = (enrolment.daily_fee * len(days)).quantize(Decimal("0.01"))
    return {"month": first, "days": days, "count": len(days), "fee": fee,
            "flagged": sum(1 for d in days if d.flagged),
            "incidents": list(Incident.objects.filter(enrolment=enrolment, occurred_at__date__gte=first,
                                                      occurred_at__date__lte=last))}
