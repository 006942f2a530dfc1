"""Reads of the clerks' staff files, trainings and certifications, scoped to the reader's centre (others 404),
and the yearly summary of a clerk built from the monthly assessment as computed by `figures`."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone

from shequ.core import workcal
from shequ.core.models import User
from shequ.core.scoping import in_scope, scope_node_ids

from ..models import Certification, ClerkFile, TrainingAttendance, TrainingSession
from .figures import figures

CLERK_ROLES = ("window_clerk", "hall_supervisor")
EXPIRING_DAYS = 60


def centre_clerks(node) -> list[User]:
    """The active window staff of a centre, clerks first."""
    return sorted((u for u in User.objects.filter(role__in=CLERK_ROLES, is_active=True).prefetch_related("nodes")
                   if in_scope(u, node)), key=lambda u: (u.role != "window_clerk", u.username))


def clerk_get(*, user, node, pk: int) -> User:
    """A clerk of the reader's centre (404 otherwise: another centre's staff is not even named)."""
    clerk = User.objects.filter(pk=pk, role__in=CLERK_ROLES).prefetch_related("nodes").first()
    if clerk is None or not in_scope(clerk, node) or not in_scope(user, node):
        raise Http404
    return clerk


def staff_rows(*, node, today: dt.date | None = None) -> list[dict]:
    """One row per clerk: file, valid / expiring certifications, training hours this year."""
    today = today or timezone.localdate()
    clerks = centre_clerks(node)
    files = {f.user_id: f for f in ClerkFile.objects.filter(user__in=clerks)}
    certs: dict[int, list[Certification]] = {}
    for c in Certification.objects.filter(user__in=clerks, revoked_at=None, expires_on__gte=today):
        certs.setdefault(c.user_id, []).append(c)
    hours: dict[int, float] = {}
    for a in TrainingAttendance.objects.filter(user__in=clerks, present=True, session__date__year=today.year)\
            .select_related("session"):
        hours[a.user_id] = hours.get(a.user_id, 0) + float(a.session.hours)
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    return [{"user": u, "file": files.get(u.pk),
             "valid": sum(1 for c in certs.get(u.pk, []) if c.certified_on <= today),
             "expiring": sum(1 for c in certs.get(u.pk, []) if c.expires_on <= soon),
             "hours": hours.get(u.pk, 0)} for u in clerks]


def certifications_of(clerk) -> list[Certification]:
    return list(Certification.objects.filter(user=clerk).select_related("item__queue_category", "session"))


def trainings_of(clerk) -> list[TrainingAttendance]:
    return list(TrainingAttendance.objects.filter(user=clerk).select_related("session")
                .order_by("-session__date", "-session_id"))


def training_list(*, user):
    return (TrainingSession.objects.filter(node_id__in=scope_node_ids(user)).prefetch_related("items")
            .order_by("-date", "-id"))


def training_get(*, user, pk: int) -> TrainingSession:
    session = TrainingSession.objects.filter(pk=pk, node_id__in=scope_node_ids(user)).select_related("node").first()
    if session is None:
        raise Http404
    return session


def year_summary(*, user, clerk, year: int, today: dt.date | None = None) -> dict:
    """A clerk's year: each month's assessment row as `figures` computes it (months to come and months before
    the hiring month are left out),
    the trainings attended and the certifications held at the end of the year (or today)."""
    today = today or timezone.localdate()
    file = ClerkFile.objects.filter(user=clerk).first()
    hired = file.hired_on.replace(day=1) if file else None
    months = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        if start > today:
            break
        if hired and start < hired:
            continue  # not yet on the staff
        end = workcal.month_end(start)
        row = next((r for r in figures(user=user, by="clerk", date_from=start, date_to=end)
                    if r.key is not None and r.key.pk == clerk.pk), None)
        months.append({"month": start, "row": row})
    rows = [m["row"] for m in months if m["row"] is not None]
    scored = [r.score for r in rows if r.score is not None]  # None: no clerk sheet in force
    attended = [a for a in trainings_of(clerk) if a.session.date.year == year]
    end = min(dt.date(year, 12, 31), today)
    held = [c for c in certifications_of(clerk) if c.valid_on(end)]
    return {
        "year": year, "months": months, "trainings": attended, "certifications": held,
        "served": sum(r.served for r in rows), "accepted": sum(r.accepted for r in rows),
        "reviews": sum(r.reviews for r in rows), "poor": sum(r.poor for r in rows),
        "half_days": sum(r.half_days for r in rows),
        "avg_score": round(sum(scored) / len(scored), 1) if scored else None,
        "hours": sum(float(a.session.hours) for a in attended if a.present),
        "passed": sum(1 for a in attended if a.passed),
    }
