"""Reads of the 大联动 module, always within what the user may see.

Centre staff and committee workers see the cases located in their jurisdiction; a department handler sees the
cases that are or were assigned to their department, and nothing else (other cases are 404)."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import DepartmentKind, NodeKind, Role
from shequ.core.models import Department, Node
from shequ.core.scoping import filter_by_scope, scope_is_whole_tree, scope_node_ids, scope_paths

from .choices import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus, ExtensionStatus, HotlineStatus, ShiftCode
from .models import (Case, CaseEvent, Category, DutyTeam, HotlineOrder, Inspection, PatrolLog, RosterDay,
                     RosterOverride, ShiftPattern, ShiftType, TeamMember, WorkStation)

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
              date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet:
    qs = _list_base(user)
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


# --- queues per role --------------------------------------------------------------------------------------------

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
    from django.core.cache import cache

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


# --- taxonomy and grids ---------------------------------------------------------------------------------------

def categories(*, public_only: bool = False) -> QuerySet:
    qs = Category.objects.filter(is_active=True).select_related("main", "department")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("main__kind", "code")


def grid_nodes(*, user) -> QuerySet:
    qs = Node.objects.filter(kind=NodeKind.GRID, is_active=True).select_related("parent")
    if not user.can("core.manage_config"):
        qs = qs.filter(id__in=scope_node_ids(user, NodeKind.GRID))
    return qs.order_by("code")


def grid_get(*, user, pk) -> Node:
    try:
        return grid_nodes(user=user).get(pk=int(pk))
    except (Node.DoesNotExist, ValueError, TypeError):
        raise Http404


def grid_features(*, user, open_counts: bool = True) -> dict:
    nodes = list(grid_nodes(user=user).filter(geometry__isnull=False).prefetch_related("responsibles"))
    counts = {}
    if open_counts:
        counts = dict(Case.objects.filter(grid__in=nodes, status__in=OPEN_STATUSES).values("grid_id")
                      .annotate(n=Count("id")).values_list("grid_id", "n"))
    features = []
    for n in nodes:
        people = [f"{r.get_duty_display()}：{r.name}" for r in n.responsibles.all()][:4]
        features.append({"type": "Feature", "geometry": n.geometry, "properties": {
            "id": n.pk, "code": n.code, "name": n.name, "committee": n.parent.name if n.parent else "",
            "committee_code": n.parent.code if n.parent else "", "open_cases": counts.get(n.pk, 0),
            "responsibles": people, "url": f"/grid/grids/{n.pk}/"}})
    return {"type": "FeatureCollection", "features": features}


def case_points(*, user, statuses=None, limit: int = 500) -> dict:
    qs = case_base(user=user).filter(lat__isnull=False, status__in=statuses or OPEN_STATUSES).select_related(
        "category").order_by("-reported_at")[:limit]
    now = timezone.now()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
         "properties": {"id": c.pk, "number": c.number, "category": c.category.name, "status": c.get_status_display(),
                        "light": c.light(now), "url": f"/grid/cases/{c.pk}/"}} for c in qs]}


# --- 12345 ------------------------------------------------------------------------------------------------------

def hotline_list(*, user, status: str = "", search: str = "", overdue: str = "") -> QuerySet:
    qs = filter_by_scope(HotlineOrder.objects.all(), user, "node").select_related("case", "node")
    if status:
        qs = qs.filter(status=status)
    now = timezone.now()
    if overdue == "sign":
        qs = qs.filter(status=HotlineStatus.RECEIVED, sign_due__lt=now)
    elif overdue == "reply":
        qs = qs.filter(status=HotlineStatus.SIGNED, reply_due__lt=now)
    search = (search or "").strip()[:40]
    if search:
        qs = qs.filter(Q(order_no__startswith=search) | Q(title__contains=search) | Q(address__contains=search))
    return qs.order_by("-received_at", "-id")


def hotline_get(*, user, pk) -> HotlineOrder:
    try:
        return filter_by_scope(HotlineOrder.objects.all(), user, "node").select_related(
            "case", "category", "merged_into", "signed_by").get(pk=int(pk))
    except (HotlineOrder.DoesNotExist, ValueError, TypeError):
        raise Http404


# --- roster ---------------------------------------------------------------------------------------------------------

def shift_types() -> dict[str, ShiftType]:
    return {s.code: s for s in ShiftType.objects.all()}


def _pattern():
    return ShiftPattern.objects.filter(is_active=True).order_by("-id").first()


def team_shift(team: DutyTeam, day: dt.date, pattern=None, generated: dict | None = None) -> str:
    if generated is not None and (day, team.pk) in generated:
        return generated[(day, team.pk)]
    pattern = pattern or _pattern()
    if pattern is None:
        return ""
    from .services import shift_for

    return shift_for(pattern, team, day)


def current_shift_code(at: dt.datetime | None = None) -> str:
    code, _day = current_shift(at)
    return code


def current_shift(at: dt.datetime | None = None) -> tuple[str, dt.date | None]:
    """The shift running at `at` and the day it belongs to (a night shift after midnight belongs to the day
    before)."""
    local = timezone.localtime(at or timezone.now())
    t = local.time()
    for code, shift in shift_types().items():
        if shift.crosses_midnight:
            if t >= shift.start:
                return code, local.date()
            if t < shift.end:
                return code, local.date() - dt.timedelta(days=1)
        elif shift.start <= t < shift.end:
            return code, local.date()
    return "", None


def on_duty(*, at: dt.datetime | None = None) -> dict:
    """Who is on duty now: the team working the current shift, minus members on leave, plus swaps in."""
    code, day = current_shift(at)
    result = {"shift": shift_types().get(code), "code": code, "day": day, "team": None, "members": []}
    if not code:
        return result
    pattern = _pattern()
    generated = {(r.date, r.team_id): r.shift for r in RosterDay.objects.filter(date=day)}
    team = next((t for t in DutyTeam.objects.all() if team_shift(t, day, pattern, generated) == code), None)
    overrides = {o.member_id: o for o in RosterOverride.objects.filter(date=day).select_related("member")}
    members = []
    if team:
        for m in team.members.filter(is_active=True):
            override = overrides.get(m.pk)
            if override is None or override.shift == code:
                members.append(m)
    for override in overrides.values():
        if override.shift == code and override.member not in members and override.member.is_active:
            members.append(override.member)
    result.update(team=team, members=members)
    return result


def roster_month(*, year: int, month: int) -> dict:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    teams = list(DutyTeam.objects.prefetch_related("members"))
    generated = {(r.date, r.team_id): r.shift for r in RosterDay.objects.filter(date__range=(first, last))}
    pattern = _pattern()
    grid = {team.pk: [team_shift(team, d, pattern, generated) for d in days] for team in teams}
    overrides = list(RosterOverride.objects.filter(date__range=(first, last)).select_related("member", "member__team"))
    return {"days": days, "teams": teams, "grid": grid, "generated": bool(generated), "overrides": overrides,
            "first": first, "last": last}


def team_members() -> QuerySet:
    return TeamMember.objects.select_related("team", "user").order_by("team__code", "sort_order", "id")


def shift_label(code: str) -> str:
    return str(ShiftCode(code).label) if code in ShiftCode.values else ""


# --- patrol and supervision -------------------------------------------------------------------------------------

def team_member_of(*, user) -> TeamMember | None:
    return TeamMember.objects.filter(user=user).select_related("team").first() if user else None


def patrol_logs(*, user) -> QuerySet:
    """Patrol logs of the user's jurisdiction; a patrol member sees only their own."""
    qs = filter_by_scope(PatrolLog.objects.all(), user, "node").select_related(
        "member", "member__team").prefetch_related("checkins__grid")
    if user.role == Role.PATROL:
        qs = qs.filter(member__user=user)
    return qs.order_by("-started_at", "-id")


def patrol_current(*, user) -> PatrolLog | None:
    return PatrolLog.objects.filter(member__user=user, ended_at__isnull=True).select_related("member").first()


def inspection_list(*, user) -> QuerySet:
    """Inspections of the user's jurisdiction: a committee's where it was scored, a department's in the 街道 of
    the inspection."""
    return filter_by_scope(Inspection.objects.all(), user, "node").select_related(
        "template", "department", "committee", "inspector").order_by("-date", "-id")


def inspection_get(*, user, pk) -> Inspection:
    try:
        return inspection_list(user=user).get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404
