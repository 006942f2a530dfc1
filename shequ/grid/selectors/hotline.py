"""Reads of 12345 work orders within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.scoping import filter_by_scope

from ..choices import CLOSED_STATUSES, CaseAction, HotlineStatus
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


def hotline_reply_draft(*, order: HotlineOrder) -> str:
    """The reply the page proposes once the linked grid case is closed: the unit's handling feedback and the
    closing check, for the operator to confirm or edit (the order is never answered on its own)."""
    case = order.case
    if case is None or case.status not in CLOSED_STATUSES or order.status != HotlineStatus.SIGNED:
        return ""
    feedback = case.events.filter(action=CaseAction.FEEDBACK).exclude(note="").order_by("-at", "-id").first()
    parts = [_("经网格案件 %(n)s 处置，已于%(d)s结案。") % {
        "n": case.number, "d": timezone.localtime(case.closed_at).strftime("%Y年%-m月%-d日") if case.closed_at else ""}]
    if feedback:
        parts.append(_("处置情况：%(f)s") % {"f": feedback.note})
    return "".join(parts)[:490]
