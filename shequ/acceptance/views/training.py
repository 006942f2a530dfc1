"""Staff files, trainings and certifications of the window clerks, and a clerk's yearly summary (统一招聘、
统一培训、统一考核). The hall supervisor keeps them; the centre leader reads them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError
from shequ.core.inputs import query_int
from shequ.core.web import form_add_domain_error, require, xlsx_response

from .. import excel, selectors, services
from ..forms import AttendanceForm, ClerkFileForm, TrainingForm
from ..models import Certification, TrainingAttendance


@require("acceptance.staff_files")
def staff_list(request):
    node = services.centre_for(request.user)
    return render(request, "acceptance/staff_list.html", {
        "rows": selectors.staff_rows(node=node), "today": timezone.localdate(),
        "expiring_days": selectors.staff_files.EXPIRING_DAYS})


def _year(request) -> int:
    today = timezone.localdate()
    year = query_int(request.GET.get("year"))
    return year if year and 2000 <= year <= today.year else today.year


@require("acceptance.staff_files")
def staff_detail(request, user_id):
    node = services.centre_for(request.user)
    clerk = selectors.clerk_get(user=request.user, node=node, pk=user_id)
    today = timezone.localdate()
    year = _year(request)
    return render(request, "acceptance/staff_detail.html", {
        "clerk": clerk, "file": getattr(clerk, "clerk_file", None), "today": today,
        "certifications": selectors.certifications_of(clerk), "summary": selectors.year_summary(
            user=request.user, clerk=clerk, year=year, today=today),
        "years": list(range(today.year, today.year - 4, -1)),
        "soon": today + dt.timedelta(days=selectors.staff_files.EXPIRING_DAYS)})


@require("acceptance.staff_files")
def staff_year_export(request, user_id):
    node = services.centre_for(request.user)
    clerk = selectors.clerk_get(user=request.user, node=node, pk=user_id)
    summary = selectors.year_summary(user=request.user, clerk=clerk, year=_year(request))
    content = excel.year_summary_workbook(actor=request.user, node_name=node.name, clerk=clerk,
                                          file=getattr(clerk, "clerk_file", None), summary=summary)
    return xlsx_response(content, f"clerk-{clerk.pk}-{summary['year']}.xlsx")


@require("acceptance.supervise")
def staff_edit(request, user_id):
    node = services.centre_for(request.user)
    clerk = selectors.clerk_get(user=request.user, node=node, pk=user_id)
    file = getattr(clerk, "clerk_file", None)
    initial = {}
    if file:
        initial = {"hired_on": file.hired_on, "post_level": file.post_level, "contract_type": file.contract_type,
                   "contract_start": file.contract_start, "contract_end": file.contract_end, "note": file.note}
    form = ClerkFileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.clerk_file_save(actor=request.user, node=node, user=clerk, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("%(u)s的档案已保存。") % {"u": clerk.display_name})
            return redirect("acceptance:staff-detail", user_id=clerk.pk)
    return render(request, "acceptance/staff_form.html", {"form": form, "clerk": clerk, "file": file})


@require("acceptance.supervise")
@require_POST
def certification_revoke(request, pk):
    node = services.centre_for(request.user)
    cert = Certification.objects.filter(pk=pk).select_related("user").first()
    if cert is None:
        raise Http404
    clerk = selectors.clerk_get(user=request.user, node=node, pk=cert.user_id)
    try:
        services.certification_revoke(actor=request.user, node=node, certification=cert,
                                      reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该事项受理资格。"))
    return redirect("acceptance:staff-detail", user_id=clerk.pk)


# --- trainings ----------------------------------------------------------------------------------------------------

@require("acceptance.staff_files")
def training_list(request):
    services.centre_for(request.user)
    sessions = list(selectors.training_list(user=request.user)[:200])
    counts = {}
    for a in TrainingAttendance.objects.filter(session__in=sessions):
        c = counts.setdefault(a.session_id, [0, 0])
        c[0] += 1 if a.present else 0
        c[1] += 1 if a.passed else 0
    return render(request, "acceptance/training_list.html", {
        "rows": [{"session": s, "present": counts.get(s.pk, [0, 0])[0], "passed": counts.get(s.pk, [0, 0])[1]}
                 for s in sessions]})


@require("acceptance.supervise")
def training_new(request):
    node = services.centre_for(request.user)
    form = TrainingForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = services.training_save(actor=request.user, node=node, topic=d["topic"], date=d["date"],
                                             hours=d["hours"], items=form.covered_items(), trainer=d["trainer"],
                                             valid_months=d["valid_months"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("培训已登记，请录入出勤和考核结果。"))
            return redirect("acceptance:training-detail", pk=session.pk)
    return render(request, "acceptance/training_form.html", {"form": form})


@require("acceptance.staff_files")
def training_detail(request, pk):
    node = services.centre_for(request.user)
    session = selectors.training_get(user=request.user, pk=pk)
    clerks = selectors.staff_files.centre_clerks(node)
    recorded = {a.user_id: a for a in session.attendance.all()}
    initial = {}
    for uid, a in recorded.items():
        initial.update({f"present_{uid}": a.present, f"passed_{uid}": a.passed, f"score_{uid}": a.score})
    editable = request.user.can("acceptance.supervise")
    form = AttendanceForm(request.POST or None, clerks=clerks, initial=initial)
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            try:
                certified = services.training_record(actor=request.user, session=session, results=form.results())
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("已登记培训结果，新取得或续期事项资格 %(n)d 项。") % {"n": len(certified)})
                return redirect("acceptance:training-detail", pk=session.pk)
    return render(request, "acceptance/training_detail.html", {
        "session": session, "form": form, "editable": editable, "recorded": recorded,
        "items": session.items.select_related("queue_category", "department"),
        "future": session.date > timezone.localdate()})
