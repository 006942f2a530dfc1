"""Reads of the catalogue, reviews and rectifications, devices and 民生档案 requests."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.scoping import filter_by_scope, scope_node_ids

from ..choices import RECTIFICATION_OPEN, TicketStatus
from ..models import (ArchiveAccessLog, ArchiveRequest, Device, ItemMaterial, Rectification, Review, ServiceItem,
                      Ticket)


def catalogue_list(*, search: str = "", department=None, category: str = "", queue_category=None,
                   include_inactive: bool = False) -> QuerySet:
    qs = ServiceItem.objects.select_related("department", "queue_category").annotate(
        material_count=Count("materials"))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = catalogue_filter_search(qs, search)
    if department is not None:
        qs = qs.filter(department=department)
    if category:
        qs = qs.filter(category=category)
    if queue_category is not None:
        qs = qs.filter(queue_category=queue_category)
    return qs.order_by("queue_category__sort_order", "sort_order", "code")


def catalogue_filter_search(qs: QuerySet, search: str) -> QuerySet:
    """Part of an item's name, or the start of its code."""
    search = (search or "").strip()[:50]
    return qs.filter(Q(name__contains=search) | Q(code__istartswith=search)) if search else qs


def item_get(*, pk) -> ServiceItem:
    try:
        return ServiceItem.objects.select_related("department", "queue_category").get(pk=int(pk))
    except (ServiceItem.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def item_for_intake(*, code: str) -> ServiceItem | None:
    """The active item with this code, its department and its materials (as `item.materials.all()`), or None. One
    statement when the item has materials (they are read with the item joined), two when it has none."""
    code = (code or "").strip()
    materials = list(ItemMaterial.objects.select_related("item__department")
                     .filter(item__code=code, item__is_active=True).order_by("sort_order", "id"))
    if materials:
        item = materials[0].item
        for m in materials:
            m.item = item
    else:
        item = ServiceItem.objects.select_related("department").filter(code=code, is_active=True).first()
        if item is None:
            return None
    known = item.materials.all()
    known._result_cache, known._prefetch_done = materials, True
    item._prefetched_objects_cache = {"materials": known}
    return item


def count_waiting(user) -> int:
    return Ticket.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT), day=timezone.localdate(),
                                 status=TicketStatus.WAITING).count()


def review_list(*, user, score: str = "") -> QuerySet:
    qs = filter_by_scope(Review.objects.all(), user, "node", NodeKind.SUBDISTRICT)
    if not user.can("acceptance.supervise"):
        qs = qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    if score == "poor":
        qs = qs.filter(score__lte=2)
    elif score.isdigit():
        qs = qs.filter(score=int(score))
    return qs.select_related("case", "ticket", "window", "clerk", "department").order_by("-created_at", "-id")


def rectification_list(*, user, status: str = "pending") -> QuerySet:
    qs = filter_by_scope(Rectification.objects.all(), user, "node", NodeKind.SUBDISTRICT)
    if not user.can("acceptance.supervise"):
        qs = qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    if status == "pending":
        qs = qs.filter(status__in=RECTIFICATION_OPEN)
    elif status == "overdue":
        qs = qs.filter(status__in=RECTIFICATION_OPEN, deadline__lt=timezone.localdate())
    elif status:
        qs = qs.filter(status=status)
    return qs.select_related("review", "review__case", "review__ticket", "review__clerk", "department")\
        .order_by("deadline", "-created_at")


def rectification_get(*, user, pk) -> Rectification:
    try:
        return rectification_list(user=user, status="").select_related("review__window").get(pk=int(pk))
    except (Rectification.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def count_open_rectifications(user) -> int:
    return rectification_list(user=user).count()


def device_list(*, user) -> QuerySet:
    return filter_by_scope(Device.objects.all(), user, "node", NodeKind.SUBDISTRICT).select_related("window")


def archive_list(*, user, status: str = "") -> QuerySet:
    qs = filter_by_scope(ArchiveRequest.objects.all(), user, "node", NodeKind.SUBDISTRICT)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("created_by").order_by("-id")


def archive_get(*, user, pk) -> ArchiveRequest:
    try:
        return archive_list(user=user).select_related("result_by", "issued_by", "archive").get(pk=int(pk))
    except (ArchiveRequest.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def archive_log_list() -> QuerySet:
    """The whole access log, for the auditor (not scoped: the auditor reads every centre's log); filtered by
    `filtersets.ArchiveLogFilterSet`."""
    return ArchiveAccessLog.objects.select_related("user").order_by("-at", "-id")


ITEM_USE_DAYS = 90


def item_use_counts(*, node_id: int | None) -> dict[int, int]:
    """How often each item was taken in at this centre in the last 90 days (most-used items first in the intake
    picker). Cached for ten minutes: the order of a list may lag, the count of a case never does."""
    from django.core.cache import cache

    from ..models import Case

    key = f"acceptance:item-use:{node_id or 0}"
    counts = cache.get(key)
    if counts is None:
        since = timezone.now() - dt.timedelta(days=ITEM_USE_DAYS)
        qs = Case.objects.filter(received_at__gte=since)
        if node_id:
            qs = qs.filter(node_id=node_id)
        counts = dict(qs.values_list("item_id").annotate(n=Count("id")).values_list("item_id", "n"))
        cache.set(key, counts, 600)
    return counts
