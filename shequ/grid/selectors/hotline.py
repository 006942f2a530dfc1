"""Reads of 12345 work orders within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import NodeKind, Role
from shequ.core.models import Department, Node
from shequ.core.scoping import ancestor_codes, filter_by_scope, scope_node_ids

from ..choices import CLOSED_STATUSES, TASK_UNIT_KINDS, CaseAction, HotlineStatus, RequestStatus, TaskStatus
from ..models import HotlineOrder, HotlineRequest, HotlineTask
from .cases import acting_unit


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
    """The reply the page proposes once the linked grid case is closed (the unit's handling feedback and the
    closing check) or, without one, once the work handed out inside the 街道 is reported back, for the operator
    to confirm or edit (the order is never answered on its own)."""
    if order.status != HotlineStatus.SIGNED:
        return ""
    case = order.case
    if case is None or case.status not in CLOSED_STATUSES:
        done = [t for t in order.tasks.select_related("department", "committee").order_by("done_at", "id")
                if t.status == TaskStatus.DONE]
        if not done or order.tasks.filter(status=TaskStatus.OPEN).exists():
            return ""
        return "".join(_("经%(u)s办理：%(r)s。") % {"u": t.assignee_name, "r": t.result.rstrip("。")}
                       for t in done)[:490]
    feedback = case.events.filter(action=CaseAction.FEEDBACK).exclude(note="").order_by("-at", "-id").first()
    parts = [_("经网格案件 %(n)s 处置，已于%(d)s结案。") % {
        "n": case.number, "d": timezone.localtime(case.closed_at).strftime("%Y年%-m月%-d日") if case.closed_at else ""}]
    if feedback:
        parts.append(_("处置情况：%(f)s") % {"f": feedback.note})
    return "".join(parts)[:490]


def hotline_requests(*, order: HotlineOrder):
    """The order's 退单/延期 requests, newest first (the page and the API list them)."""
    return order.requests.select_related("requested_by", "decided_by").order_by("-requested_at", "-id")


def hotline_request_queue(*, user) -> QuerySet:
    """Pending 退单/延期 requests within the user's jurisdiction, oldest first (the hotline office's queue)."""
    orders = filter_by_scope(HotlineOrder.objects.all(), user, "node")
    return HotlineRequest.objects.filter(status=RequestStatus.PENDING, order__in=orders).select_related(
        "order", "order__node").order_by("requested_at", "id")


def hotline_tasks_for(*, user, open_only: bool = False) -> QuerySet:
    """The work handed to the user's 科室 or work station, or to the user's committees (内部交办)."""
    q = Q(pk__in=[])
    unit = acting_unit(user)
    if unit is not None:
        q |= Q(department=unit)
    if user.role == Role.COMMITTEE_WORKER:
        q |= Q(committee_id__in=scope_node_ids(user, NodeKind.COMMITTEE))
    qs = HotlineTask.objects.filter(q).select_related("order", "department", "committee")
    if open_only:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("status", "due", "id")


def hotline_task_get(*, user, pk) -> HotlineTask:
    """A task its assignee may see (or, for the desk, any task of an order in scope); else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404
    task = hotline_tasks_for(user=user).filter(pk=pk).first()
    if task is None and user.can("grid.hotline_view"):
        task = HotlineTask.objects.filter(pk=pk, order__in=filter_by_scope(
            HotlineOrder.objects.all(), user, "node")).select_related("order", "department", "committee").first()
    if task is None:
        raise Http404
    return task


def hotline_assignees(*, order: HotlineOrder) -> list[tuple[str, str]]:
    """Whom the desk may hand the order's work to: the 街道's 科室 and work stations, then its committees."""
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, code__in=ancestor_codes(order.node)).first()
    if sub is None:
        return []
    units = Department.objects.filter(kind__in=TASK_UNIT_KINDS, node__path__startswith=sub.path).order_by("kind", "code")
    committees = Node.objects.filter(kind=NodeKind.COMMITTEE, is_active=True, path__startswith=sub.path).order_by(
        "sort_order", "code")
    return ([(f"dept:{d.code}", d.name) for d in units] + [(f"committee:{c.code}", c.name) for c in committees])
