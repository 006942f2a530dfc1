"""Reads of 12345 work orders within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.core.scoping import filter_by_scope

from ..choices import HotlineStatus
from ..models import HotlineOrder


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
