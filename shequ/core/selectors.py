from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .choices import NodeKind
from .models import AuditLog, Department, Node, User
from .scoping import ancestor_codes, scope_node_ids


def unread_count(user) -> int:
    """Unread notifications of a user, counted once per request (the shell's bell and a page may both ask)."""
    cached = getattr(user, "_sq_unread_count", None)
    if cached is None:
        cached = user.notifications.filter(read_at__isnull=True).count()
        user._sq_unread_count = cached
    return cached


def node_tree(*, user) -> list[Node]:
    """Nodes a staff member may see: their scope, plus its ancestors so the tree reads from the top."""
    if user.can("core.manage_config") or user.can("core.manage_users"):
        return list(Node.objects.order_by("path"))
    ids = scope_node_ids(user)
    nodes = list(Node.objects.filter(id__in=ids).order_by("path"))
    codes = {code for n in nodes for code in ancestor_codes(n, include_self=False)}
    ancestors = list(Node.objects.filter(code__in=codes))
    return sorted({n.pk: n for n in nodes + ancestors}.values(), key=lambda n: n.path)


def grid_features(*, user, committee: Node | None = None) -> dict:
    """GeoJSON FeatureCollection of the grids in the user's scope (for the map)."""
    qs = Node.objects.filter(kind=NodeKind.GRID, geometry__isnull=False, is_active=True).select_related("parent")
    if not (user.can("core.manage_config") or user.can("core.manage_users")):
        qs = qs.filter(id__in=scope_node_ids(user, NodeKind.GRID))
    if committee is not None:
        qs = qs.filter(parent=committee)
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": n.geometry,
             "properties": {"id": n.pk, "code": n.code, "name": n.name,
                            "committee": n.parent.name if n.parent else ""}}
            for n in qs.order_by("code")
        ],
    }


def department_list(*, user) -> QuerySet:
    return Department.objects.select_related("node").order_by("sort_order", "code")


def user_list() -> QuerySet:
    """Every account, for the security administrator; filtered by `filtersets.UserFilterSet`."""
    return User.objects.select_related("department").prefetch_related("nodes").order_by("username")


def audit_list(*, date_from: dt.date | None = None, date_to: dt.date | None = None, username: str = "",
               action: str = "", object_type: str = "", object_id: str = "", result: str = "") -> QuerySet:
    qs = AuditLog.objects.all()
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if username:
        qs = qs.filter(username=username)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if result:
        qs = qs.filter(result=result)
    return qs.order_by("-at", "-id")


def operations_overview(*, status: str = "") -> dict:
    """The system administrator's view of background work: each schedule entry with its next and last run, and
    the task runs (failed and retrying first). Labels, times, attempts and masked errors only — no arguments."""
    from .choices import TaskRunStatus
    from .dbrouter import replicas_status
    from .models import ScheduledRun, TaskRun
    from .schedule import entries

    now = timezone.now()
    last = {}
    for occurrence in ScheduledRun.objects.select_related("run").order_by("name", "-due_at"):
        last.setdefault(occurrence.name, occurrence)
    schedule = [{"entry": e, "next": e.next_after(now), "last": last.get(e.name)} for e in entries()]
    runs = TaskRun.objects.all()
    if status in TaskRunStatus.values:
        runs = runs.filter(status=status)
    counts = {s: 0 for s in TaskRunStatus.values}
    for value, n in TaskRun.objects.values_list("status").annotate(n=models.Count("id")).order_by():
        counts[value] = n
    labels = {e.name: e.label for e in entries()}
    return {"schedule": schedule, "runs": runs, "counts": counts, "labels": labels,
            "replicas": replicas_status(), "replica_bound": settings.DATABASE_REPLICA_MAX_LAG}
