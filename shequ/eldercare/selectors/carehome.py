"""Reads of the care home (敬老院): applications, the ranked waiting list and bed occupancy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from shequ.facilities.selectors import facility_list
from shequ.people.selectors import resident_tag_codes

from ..choices import ApplicationStatus, BedStatus
from ..models import Bed, CareHomeApplication
from ..pricing import age_on
from .common import get_or_404, scoped

CARE_HOME = "care_home"
OPEN_STATUSES = (ApplicationStatus.APPLIED, ApplicationStatus.ASSESSED, ApplicationStatus.WAITING)

# 轮候优先分 (shown on the waiting-list page): the assessed care grade weighs most, then hardship and age, then
# time already waited, so that nobody waits for ever behind newer urgent cases.
GRADE_POINTS = 10  # per care grade (1–6)
DIBAO_POINTS = 20
ALONE_POINTS = 10
AGE_POINTS = ((90, 15), (80, 10))
MONTH_POINTS, MONTH_CAP = 1, 24


@dataclass
class Ranked:
    application: CareHomeApplication
    score: int
    parts: list[tuple[str, int]]
    rank: int = 0


def carehome_facilities(*, user) -> QuerySet:
    return facility_list(user=user).filter(level=CARE_HOME, is_active=True)


def carehome_choices() -> list:
    """Every active care home with beds registered here: a committee files applications for its residents to any
    of them, even one that lies outside its own jurisdiction (the 街道's 敬老院)."""
    seen = {}
    for bed in Bed.objects.select_related("facility").filter(facility__is_active=True,
                                                                facility__level=CARE_HOME).order_by("facility_id"):
        seen.setdefault(bed.facility_id, bed.facility)
    return sorted(seen.values(), key=lambda f: f.name_pinyin)


def application_list(*, user, status: str = "", include_closed: bool = False, facility_id=None) -> QuerySet:
    qs = scoped(CareHomeApplication.objects.all(), user, facility="facility")
    if status:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if facility_id:
        qs = qs.filter(facility_id=facility_id)
    return qs.select_related("resident", "resident__committee", "facility", "bed").order_by("-applied_at", "-id")


def application_get(*, user, pk) -> CareHomeApplication:
    return get_or_404(application_list(user=user, include_closed=True), pk)


def priority(application: CareHomeApplication, today: dt.date) -> tuple[int, list[tuple[str, int]]]:
    tags = resident_tag_codes(resident=application.resident)
    parts = []
    if application.care_grade:
        parts.append(("grade", application.care_grade * GRADE_POINTS))
    if "dibao" in tags:
        parts.append(("dibao", DIBAO_POINTS))
    if "living_alone" in tags:
        parts.append(("alone", ALONE_POINTS))
    age = age_on(application.resident.birth_date, today)
    for threshold, points in AGE_POINTS:
        if age >= threshold:
            parts.append(("age", points))
            break
    if application.waiting_since:
        months = (today.year - application.waiting_since.year) * 12 + today.month - application.waiting_since.month
        if months > 0:
            parts.append(("months", min(months, MONTH_CAP) * MONTH_POINTS))
    return sum(p for _k, p in parts), parts


def waiting_list(*, user, facility_id=None) -> list[Ranked]:
    """The applications waiting for a bed, best first: higher score, then the earlier start of waiting."""
    today = timezone.localdate()
    ranked = []
    for application in application_list(user=user, status=ApplicationStatus.WAITING, facility_id=facility_id):
        score, parts = priority(application, today)
        ranked.append(Ranked(application, score, parts))
    ranked.sort(key=lambda r: (-r.score, r.application.waiting_since or today, r.application.applied_at))
    for i, r in enumerate(ranked, 1):
        r.rank = i
    return ranked


def bed_list(*, user, facility_id=None) -> QuerySet:
    facilities = carehome_facilities(user=user)
    if facility_id:
        facilities = facilities.filter(pk=facility_id)
    return Bed.objects.filter(facility__in=facilities).select_related("facility", "application__resident")


def occupancy(*, user) -> dict:
    beds = list(bed_list(user=user))
    occupied = sum(1 for b in beds if b.status == BedStatus.OCCUPIED)
    usable = sum(1 for b in beds if b.status != BedStatus.CLOSED)
    return {"beds": len(beds), "usable": usable, "occupied": occupied, "free": usable - occupied,
            "rate": round(occupied * 100 / usable) if usable else 0}



