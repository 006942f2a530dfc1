"""民生档案 lookup at the window, and the access log for the auditor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError
from shequ.core.web import form_add_domain_error, paginate, query_without_page, render_page, require

from .. import selectors, services
from ..choices import ARCHIVE_TYPES, ArchiveLogAction, ArchiveRelation, ArchiveStatus
from ..filtersets import ArchiveLogFilterSet
from ..forms import ArchiveIssueForm, ArchiveRequestForm, ArchiveResultForm
from ..workflows import archive_available_actions


@require("acceptance.archive")
def archive_list(request):
    status = request.GET.get("status", "")
    if status not in ArchiveStatus.values:
        status = ""
    page = paginate(request, selectors.archive_list(user=request.user, status=status), 30)
    return render_page(request, "acceptance/archive_list.html", {
        "page": page, "status": status, "statuses": ArchiveStatus.choices, "query": query_without_page(request)},
        "acceptance/partials/_archive_rows.html")


@require("acceptance.archive")
def archive_new(request):
    form = ArchiveRequestForm(request.POST or None)
    resident = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = services.archive_request_create(
                actor=request.user, record_type=d["record_type"], relation=d["relation"], id_check=d["id_check"],
                purpose=d["purpose"], requester_resident=d["requester_resident"],
                requester={"name": d["requester_name"], "id_number": d["requester_id_number"]},
                subject_name=d["subject_name"], subject_id_number=d["subject_id_number"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if req.status == ArchiveStatus.REFUSED:
                messages.warning(request, _("不予查询：%(r)s") % {"r": req.refusal_reason})
            else:
                messages.success(request, _("查档申请 %(n)s 已提交档案馆。") % {"n": req.number})
            return redirect("acceptance:archive-detail", pk=req.pk)
    if form.is_bound and str(form.data.get("requester_resident", "")).isdigit():
        from shequ.people import selectors as people

        try:
            resident = people.resident_get(user=request.user, pk=form.data["requester_resident"])
        except Http404:
            resident = None
    types = [(code, name, [str(ArchiveRelation(r).label).split("（")[0] for r in extra], note)
             for code, (name, extra, note) in ARCHIVE_TYPES.items()]
    return render(request, "acceptance/archive_form.html", {"form": form, "resident": resident, "types": types})


@require("acceptance.archive")
def archive_detail(request, pk):
    req = selectors.archive_get(user=request.user, pk=pk)
    services.archive_record_view(actor=request.user, request=req)
    return render(request, "acceptance/archive_detail.html", {
        "req": req, "result_form": ArchiveResultForm(), "issue_form": ArchiveIssueForm(),
        "actions": archive_available_actions(request.user, req),
        "type_name": ARCHIVE_TYPES[req.record_type][0]})


@require("acceptance.archive")
@require_POST
def archive_action(request, pk, action):
    req = selectors.archive_get(user=request.user, pk=pk)
    try:
        if action == "result":
            form = ArchiveResultForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.archive_record_result(actor=request.user, request=req, found=d["found"],
                                               file_reference=d["file_reference"], pages=d["pages"] or 0,
                                               result_note=d["result_note"])
        elif action == "issue":
            form = ArchiveIssueForm(request.POST)
            if form.is_valid():
                services.archive_issue(actor=request.user, request=req, copies=form.cleaned_data["copies"])
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("acceptance:archive-detail", pk=req.pk)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("已记录。"))
    return redirect("acceptance:archive-detail", pk=req.pk)


@require("core.read_audit")
def archive_log(request):
    filters = ArchiveLogFilterSet(request.GET or None, queryset=selectors.archive_log_list())
    page = paginate(request, filters.qs, 50)
    return render(request, "acceptance/archive_log.html", {
        "page": page, "query": query_without_page(request), "actions": ArchiveLogAction.choices, "filters": filters,
        "types": {code: name for code, (name, _e, _n) in ARCHIVE_TYPES.items()}})
