"""HTML pages of the 12345 rules beyond the order itself: the hotline office's queue of 退单/延期 requests, the work
handed to a 科室, committee or work station (内部交办), and the monthly figures with their ranking. Thin views: the
rules are in `workflows.HOTLINE`/`HOTLINE_TASK`, the services and the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError, Forbidden
from shequ.core.excel import rows_xlsx
from shequ.core.web import forbidden, require, xlsx_response

from . import selectors
from .choices import Decision, ExtensionReason, ReturnReason
from .forms import HotlineFiguresForm
from .workflows import HOTLINE, HOTLINE_TASK


def detail_context(user, order) -> dict:
    """What the order page shows besides the order: the actions the user may take now, the requests and the work
    handed out, and the choices of the action forms."""
    tasks = list(order.tasks.select_related("department", "committee").order_by("assigned_at", "id"))
    return {
        "actions": HOTLINE.available(user, order),
        "requests": selectors.hotline_requests(order=order),
        "tasks": [(t, HOTLINE_TASK.available(user, t)) for t in tasks],
        "return_reasons": ReturnReason.choices, "extension_reasons": ExtensionReason.choices,
        "decisions": Decision.choices,
        "assignees": selectors.hotline_assignees(order=order) if user.can("grid.hotline") else [],
    }


@require("grid.hotline_decide")
def hotline_requests(request):
    """区12345热线办: the 街道's pending 退单/延期 requests, oldest first."""
    return render(request, "grid/hotline_requests.html", {"queue": selectors.hotline_request_queue(user=request.user)})


@require("grid.hotline_task")
def hotline_tasks(request):
    """交办给本单位的12345工单: open work first, by due date; each with its 承办反馈 form."""
    tasks = selectors.hotline_tasks_for(user=request.user)[:200]
    return render(request, "grid/hotline_tasks.html", {
        "tasks": [(t, HOTLINE_TASK.available(request.user, t)) for t in tasks], "now": timezone.now()})


def _task_act(request, pk, name: str, back: str):
    task = selectors.hotline_task_get(user=request.user, pk=pk)
    note = request.POST.get("note", "")
    if len(note) > 2000:
        messages.error(request, _("内容不能超过2000个字符。"))
        return redirect(back, **({"pk": task.order_id} if back == "grid:hotline-detail" else {}))
    try:
        HOTLINE_TASK.perform(request.user, task, name, note=note)
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("工单 %(n)s：已%(a)s。") % {"n": task.order.order_no,
                                                              "a": HOTLINE_TASK.action(name).label})
    return redirect(back, **({"pk": task.order_id} if back == "grid:hotline-detail" else {}))


@require("grid.hotline_task")
@require_POST
def hotline_task_finish(request, pk):
    return _task_act(request, pk, "finish", "grid:hotline-tasks")


@require("grid.hotline")
@require_POST
def hotline_task_cancel(request, pk):
    return _task_act(request, pk, "cancel", "grid:hotline-detail")


def _figures(request):
    form = HotlineFiguresForm(request.GET or None, rates=selectors.HOTLINE_RATES)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    month = data.get("month") or timezone.localdate().replace(day=1)
    return form, selectors.hotline_figures(user=request.user, month=month, rank_by=data.get("rank") or "reply")


@require("grid.hotline_view")
def hotline_figures(request):
    """12345考核: the month's seven rates by committee and by handling unit, ranked, each formula stated."""
    form, figures = _figures(request)
    return render(request, "grid/hotline_figures.html", {"form": form, "figures": figures,
                                                          "query": request.GET.urlencode()})


@require("grid.hotline_view")
def hotline_figures_export(request):
    form, figures = _figures(request)
    if figures is None:
        return render(request, "grid/hotline_figures.html", {"form": form, "figures": None}, status=400)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="grid.hotlineorder",
                 detail={"figures": figures["month"].isoformat(), "rank": figures["rank_by"]})
    month = figures["month"]
    return xlsx_response(rows_xlsx(_("12345考核"), selectors.hotline_figures_table(figures)),
                         f"hotline-figures-{month:%Y-%m}.xlsx")
