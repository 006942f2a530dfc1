"""全市通办 transfers (通办转递): the list, a transfer with its steps, the paper batch and its hand-over sheet."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from shequ.core.scoping import acting_subdistrict
from shequ.core.web import paginate, query_without_page, render_page, require, service_call

from .. import selectors, services
from ..choices import TransferStatus
from ..filtersets import TransferFilterSet
from ..transfer_forms import BatchForm, HomeCentreForm, TransferStepForm
from ..workflows import TRANSFER

CAP = "acceptance.transfer"
EVENT_LABELS = {"open": _lazy("转出登记"), "send": _lazy("寄出纸质材料"), "receive": _lazy("签收"),
                "review": _lazy("审核"), "return": _lazy("回传结果"), "cancel": _lazy("撤回")}


@require(CAP)
def transfer_list(request):
    filters = TransferFilterSet(request.GET or None, queryset=selectors.transfer_list(user=request.user),
                                request=request)
    page = paginate(request, filters.qs, 30)
    return render_page(request, "acceptance/transfers/list.html", {
        "filters": filters, "page": page, "query": query_without_page(request),
        "to_send": selectors.transfers_to_send(user=request.user).count()},
        "acceptance/transfers/_rows.html")


def _detail_context(request, transfer, form=None):
    form = form or TransferStepForm()
    actions = [(a, [form[name] for name in a.form]) for a in TRANSFER.available(request.user, transfer,
                                                                               buttons_only=True)]
    return {"t": transfer, "case": transfer.case, "events": list(transfer.events.all()), "form": form,
            "actions": actions, "status_labels": dict(TransferStatus.choices), "action_labels": EVENT_LABELS,
            "may_send": TRANSFER.refusal(request.user, transfer, "send") is None,
            "own_case": request.user.can("acceptance.case_view")
            and selectors.case_queryset(user=request.user).filter(pk=transfer.case_id).exists()}


@require(CAP)
def transfer_detail(request, pk):
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    return render(request, "acceptance/transfers/detail.html", _detail_context(request, transfer))


@require(CAP)
@require_POST
def transfer_action(request, pk, action):
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    form = TransferStepForm(request.POST)
    if form.is_valid():
        with service_call(request, form) as call:
            TRANSFER.perform(request.user, transfer, action, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已记录：%(a)s。") % {"a": TRANSFER.action(action).label})
            return redirect("acceptance:transfer-detail", pk=transfer.pk)
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    return render(request, "acceptance/transfers/detail.html", _detail_context(request, transfer, form), status=400)


@require(CAP)
def batch_new(request):
    pending = list(selectors.transfers_to_send(user=request.user))
    form = BatchForm(request.POST or None, pending=pending,
                     initial={"transfers": [request.GET["transfer"]]} if request.GET.get("transfer") else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            batch = services.batch_create(actor=request.user, transfers=d["transfers"],
                                          courier_name=d["courier_name"], courier_phone=d["courier_phone"],
                                          note=d["note"])
        if call.ok:
            messages.success(request, _("批次 %(n)s 已登记寄出，请打印交接单随材料交付。") % {"n": batch.number})
            return redirect("acceptance:transfer-batch", pk=batch.pk)
    groups = [(home, list(rows)) for home, rows in groupby(pending, key=lambda t: t.home_name)]
    checked = set(form["transfers"].value() or [])
    return render(request, "acceptance/transfers/batch_new.html",
                  {"form": form, "groups": groups, "checked": {str(v) for v in checked}},
                  status=400 if form.is_bound and form.errors else 200)


@require(CAP)
def batch_detail(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    return render(request, "acceptance/transfers/batch.html",
                  {"batch": batch, "rows": selectors.batch_transfers(batch=batch)})


@require(CAP)
def batch_pdf(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    content = services.batch_print(actor=request.user, batch=batch)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{batch.number}.pdf"'
    return response


def intake_home_form(request) -> HomeCentreForm:
    """The intake page's 户籍地/居住地 fields (used when the registry does not know the applicant)."""
    centres = services.home_centre_choices(exclude=acting_subdistrict(request.user))
    return HomeCentreForm(request.POST or None, centres=centres)
