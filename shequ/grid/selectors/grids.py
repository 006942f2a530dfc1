"""Reads of the grids and the case catalogue."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from shequ.core.choices import NodeKind
from shequ.core.models import Node
from shequ.core.scoping import scope_node_ids

from ..models import Case, Category, PoliceItem
from .figures import open_cases


def categories(*, public_only: bool = False) -> QuerySet:
    qs = Category.objects.filter(is_active=True).select_related("main", "department")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("main__kind", "code")


def police_items() -> QuerySet:
    """The active items of the 非警务类110 hand-over list, with the 小类 each lands in."""
    return PoliceItem.objects.filter(is_active=True, category__is_active=True).select_related("category")


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
    nodes = list(grid_nodes(user=user).filter(geometry__isnull=False).select_related("parent")
                 .prefetch_related("responsibles"))
    counts = {}
    if open_counts:
        # The open-case index's own condition (OPEN_STATUS_LIST): the count reads that small index only.
        counts = dict(open_cases(Case.objects.all(), "grid_id", [n.pk for n in nodes]).values("grid_id")
                      .annotate(n=Count("id")).order_by().values_list("grid_id", "n"))
    features = []
    for n in nodes:
        people = [f"{r.get_duty_display()}：{r.name}" for r in n.responsibles.all()][:4]
        features.append({"type": "Feature", "geometry": n.geometry, "properties": {
            "id": n.pk, "code": n.code, "name": n.name, "committee": n.parent.name if n.parent else "",
            "committee_code": n.parent.code if n.parent else "", "open_cases": counts.get(n.pk, 0),
            "responsibles": people, "url": f"/grid/grids/{n.pk}/"}})
    return {"type": "FeatureCollection", "features": features}
