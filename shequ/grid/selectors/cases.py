"""Reads of grid cases, always within what the user may see.

Centre staff and committee workers see the cases located in their jurisdiction; a department handler sees the
cases that are or were assigned to their department, and nothing else (other cases are 404)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import DepartmentKind, Role
from shequ.core.models import Department
from shequ.core.scoping import filter_by_scope, scope_is_whole_tree, scope_node_ids, scope_paths

from ..choices import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus, ExtensionStatus
from ..models import Case, CaseEvent, GridResponsible, WorkStation


S = CaseStatus


_NUMBERISH = re.compile(r"^[A-Za-z0-9-]{4,}$")


def acting_unit(user) -> Department | None:
    """The unit a user acts for: their department, or for a residents' committee worker the work station of their
    committee."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.department_id:
        return user.department
    if user.role == Role.COMMITTEE_WORKER:
        cached = getattr(user, "_grid_station", False)
        if cached is False:
            station = WorkStation.objects.select_related("department").filter(committee__in=user.nodes.all()).first()
            cached = user._grid_station = station.department if station else None
        return cached
    return None


def is_unit_handler(user) -> bool:
    return user.role == Role.DEPT_OFFICER and bool(user.department_id)


def case_base(*, user) -> QuerySet:
    qs = Case.objects.all()
    if is_unit_handler(user):
        dept = user.department_id
        return qs.filter(Q(unit_id=dept) | Q(pk__in=CaseEvent.objects.filter(unit_id=dept).values("case_id")))
    return filter_by_scope(qs, user, "node")


def _list_base(user) -> QuerySet:
    """`case_base` for the long lists. A 街道 (or wider) scope holds a large share of all cases: its node-id list
    is then tested on the rows the list's own index (report time, id, number…) walks to, instead of being used
    as an index itself. Otherwise SQLite's planner collects the ~100,000 cases of a 街道 by node and sorts them
    all for one page (0.3–0.6 s; 2.5 s for page 400 at a million cases). The node list is written as
    `node_id + 0`, which no index answers; a committee's scope is small and keeps its node index."""
    if is_unit_handler(user) or scope_is_whole_tree(user) or not any(
            p.count("/") <= 3 for p in scope_paths(user)):  # "/district/" or "/district/街道/"
        return case_base(user=user)
    return Case.objects.alias(scope_node=F("node_id") + 0).filter(scope_node__in=scope_node_ids(user))


def case_list(*, user, status: str = "", statuses=None, source: str = "", category_id=None, committee_id=None,
              unit_id=None, light: str = "", search: str = "", kind: str = "", urgency: str = "",
              date_from: dt.date | None = None, date_to: dt.date | None = None, mine: str = "") -> QuerySet:
    qs = _list_base(user)
    if mine == "mine":
        qs = qs.filter(reporter=user)
    elif mine == "grids":
        qs = qs.filter(grid_id__in=GridResponsible.objects.filter(user=user).values("grid_id"))
    elif mine == "today":
        qs = qs.filter(reported_at__gte=dt.datetime.combine(timezone.localdate(), dt.time.min,
                                                            tzinfo=timezone.get_current_timezone()))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if source:
        qs = qs.filter(source=source)
    if kind:
        qs = qs.filter(kind=kind)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    now = timezone.now()
    running = [S.DISPATCHED, S.HANDLING, S.RETURNED]
    if light == "red":
        qs = qs.filter(status__in=running, deadline__lte=now)
    elif light == "yellow":
        qs = qs.filter(status__in=running, warn_at__lte=now, deadline__gt=now)
    elif light == "green":
        qs = qs.filter(status__in=running, warn_at__gt=now)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(reported_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(reported_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    search = (search or "").strip()[:64]
    if search:
        if _NUMBERISH.match(search):
            # A case number (or its prefix) or an external order number: two index lookups first, so the
            # planner never walks the whole table looking for one row.
            ids = set(Case.objects.filter(number__gte=search, number__lt=search + "\uffff").order_by()
                      .values_list("pk", flat=True)[:1000])
            ids |= set(Case.objects.filter(external_no=search).order_by().values_list("pk", flat=True)[:1000])
            qs = qs.filter(pk__in=ids)
        else:
            qs = qs.filter(Q(address__contains=search) | Q(description__contains=search))
    # The category is fetched by a second query, not joined: an INNER JOIN lets SQLite's planner start from the
    # small category table and sort a whole 街道's cases (4–10 s for the API's first page at a million cases);
    # the other relations are nullable (LEFT JOINs, never reordered).
    qs = qs.select_related("grid", "committee", "unit").prefetch_related("category")
    if light:
        return qs.order_by("deadline", "id")  # the most overdue first (and the deadline index serves it)
    if search and _NUMBERISH.match(search):
        return qs.order_by("-id")  # a handful of rows found by number: let the planner use the row ids
    return qs.order_by("-reported_at", "-id")


def case_get(*, user, pk) -> Case:
    try:
        return case_base(user=user).select_related(
            "category", "category__main", "category__department", "grid", "committee", "unit", "reporter",
            "duplicate_of", "node").get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404


def case_timeline(*, case: Case):
    return case.events.select_related("actor", "unit").order_by("at", "id")


def pending_extension(*, case: Case):
    return case.extensions.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()


def pending_park(*, case: Case):
    return case.park_requests.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()


def desk_queues(*, user) -> dict:
    """受理员/值班长 desk: new reports, verified reports to file, checked cases to close, approvals."""
    qs = case_base(user=user).select_related("category", "grid", "unit")
    return {
        "reported": qs.filter(status=S.REPORTED).order_by("reported_at")[:50],
        "verifying": qs.filter(status=S.VERIFYING).order_by("verify_due")[:50],
        "verified": qs.filter(status=S.VERIFIED).order_by("verified_at")[:50],
        "checked": qs.filter(status=S.CHECKED).order_by("checked_at")[:50],
        "returned": qs.filter(status=S.RETURNED).order_by("updated_at")[:50],
        "extensions": qs.filter(extensions__status=ExtensionStatus.PENDING).distinct().order_by("deadline")[:50],
        "parked": qs.filter(status=S.PARKED).order_by("parked_at")[:50],
        "closed": qs.filter(status=S.CLOSED).order_by("-closed_at")[:20],
    }


def suggested_units(*, case: Case) -> list[tuple[Department, str]]:
    """Units the dispatcher most likely wants: the category's default unit, the committee's work station (for
    problems it can solve locally), and the units that closed this category cleanly in the last 90 days."""
    result: list[tuple[Department, str]] = []
    seen = set()
    if case.category.department_id and case.category.department.is_active:
        result.append((case.category.department, _("默认责任单位")))
        seen.add(case.category.department_id)
    station = WorkStation.objects.select_related("department").filter(committee_id=case.committee_id).first() \
        if case.committee_id else None
    if station and station.department_id not in seen and not case.events.filter(
            action="escalate", unit_id=station.department_id).exists():
        result.append((station.department, _("属地工作站")))
        seen.add(station.department_id)
    recent = _recent_units().get(case.category_id, [])
    units = {d.pk: d for d in Department.objects.filter(pk__in=[r["unit_id"] for r in recent], is_active=True)}
    for r in recent:
        unit = units.get(r["unit_id"])
        if unit and unit.pk not in seen:
            result.append((unit, _("近期办结%(n)d件") % {"n": r["n"]}))
            seen.add(unit.pk)
    return result


def _recent_units() -> dict[int, list[dict]]:
    """Per category, the three units that closed it most often without rework or return in the last 90 days.
    One grouped query for all categories, cached for ten minutes (a hint, not a rule)."""
    cached = cache.get("grid:recent-units")
    if cached is not None:
        return cached
    since = timezone.now() - dt.timedelta(days=90)
    rows = (Case.objects.filter(status__in=CLOSED_STATUSES, reported_at__gte=since, unit__isnull=False,
                                rework_count=0, return_count=0)
            .values("category_id", "unit_id").annotate(n=Count("id")).order_by("category_id", "-n"))
    result: dict[int, list[dict]] = {}
    for r in rows:
        bucket = result.setdefault(r["category_id"], [])
        if len(bucket) < 3:
            bucket.append({"unit_id": r["unit_id"], "n": r["n"]})
    cache.set("grid:recent-units", result, 600)
    return result


def dispatch_queue(*, user) -> list[tuple[Case, list]]:
    qs = case_base(user=user).filter(status=S.FILED).select_related(
        "category", "category__department", "grid", "committee").order_by("dispatch_due", "filed_at")[:100]
    return [(case, suggested_units(case=case)) for case in qs]


def dispatchable_units() -> QuerySet:
    return Department.objects.filter(is_active=True).exclude(kind=DepartmentKind.SUBDISTRICT_OFFICE,
                                                             code__in=["SLZX"]).order_by("kind", "sort_order", "code")


def unit_queues(*, user, unit: Department) -> dict:
    qs = Case.objects.filter(unit=unit).select_related("category", "grid", "committee")
    return {
        "to_sign": qs.filter(status=S.DISPATCHED).order_by("deadline"),
        "handling": qs.filter(status=S.HANDLING).order_by("deadline"),
        "waiting": qs.filter(status__in=[S.RETURNED, S.FED_BACK, S.CHECKED, S.PARKED]).order_by("-updated_at")[:50],
        "done": qs.filter(status__in=CLOSED_STATUSES).order_by("-closed_at")[:20],
    }


def station_local_reports(*, user) -> QuerySet:
    """Reports from the station's own committee waiting for acceptance (the station may solve them itself)."""
    return filter_by_scope(Case.objects.filter(status=S.REPORTED, source="station"), user, "node").select_related(
        "category", "grid").order_by("reported_at")


def inspector_tasks(*, user) -> dict:
    qs = case_base(user=user).select_related("category", "grid", "unit")
    return {
        "verify": qs.filter(status=S.VERIFYING).order_by("verify_due"),
        "check": qs.filter(status=S.FED_BACK).order_by("check_due"),
        "mine": qs.filter(reporter=user).order_by("-reported_at")[:20],
    }


def case_points(*, user, statuses=None, limit: int = 500) -> dict:
    qs = case_base(user=user).filter(lat__isnull=False, status__in=statuses or OPEN_STATUSES).select_related(
        "category").order_by("-reported_at")[:limit]
    now = timezone.now()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
         "properties": {"id": c.pk, "number": c.number, "category": c.category.name, "status": c.get_status_display(),
                        "light": c.light(now), "url": f"/grid/cases/{c.pk}/"}} for c in qs]}
