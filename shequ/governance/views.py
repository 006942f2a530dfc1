"""Pages of 综合治理: committees and members, joint meetings (agenda, attendance, minutes, decisions, the follow-up
of the previous meeting's decisions, minutes as PDF), the tasks and the 顽症 ledger. Views parse input, call one
service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError, Forbidden
from shequ.core.scoping import scoped_nodes
from shequ.core.web import forbidden, paginate, query_without_page, render_page, require, service_call

from . import pdf, selectors, services
from .forms import (AgendaForm, CommitteeForm, MeasureForm, MeetingForm, MemberForm, MinutesForm, ProblemForm,
                    TaskFilterForm, TaskForm)
from .workflows import PROBLEM, TASK


def _subdistricts(user):
    return scoped_nodes(user, NodeKind.SUBDISTRICT)


def _perform(request, call, ok_message):
    try:
        call()
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message + "".join(
            f" {m}" for v in exc.errors.values() for m in v if m != exc.message))
        return False
    messages.success(request, ok_message)
    return True


# --- committees ----------------------------------------------------------------------------------------------------

@require("governance.view")
def committee_list(request):
    form = CommitteeForm(request.POST or None, nodes=_subdistricts(request.user))
    if request.method == "POST":
        if not request.user.can("governance.manage"):
            raise forbidden(request, Forbidden(_("无权新建议事机构。")))
        if form.is_valid():
            d = form.cleaned_data
            with service_call(request, form) as call:
                committee = services.committee_create(actor=request.user, node=d["node"], name=d["name"],
                                                      kind=d["kind"], description=d["description"])
            if call.ok:
                messages.success(request, _("议事机构已建立。"))
                return redirect("governance:committee-detail", pk=committee.pk)
    return render_page(request, "governance/committee_list.html", {
        "committees": selectors.committee_list(user=request.user), "form": form,
        "can_manage": request.user.can("governance.manage")})


@require("governance.view")
def committee_detail(request, pk):
    committee = selectors.committee_get(user=request.user, pk=pk)
    can_manage = request.user.can("governance.manage")
    member_form = MemberForm(departments=selectors.departments(), prefix="m")
    meeting_form = MeetingForm(prefix="g", initial={"date": timezone.localdate()})
    if request.method == "POST":
        if not can_manage:
            raise forbidden(request, Forbidden(_("无权修改议事机构。")))
        if "m-name" in request.POST:
            member_form = MemberForm(request.POST, departments=selectors.departments(), prefix="m")
            if member_form.is_valid():
                d = member_form.cleaned_data
                with service_call(request, member_form) as call:
                    services.member_add(actor=request.user, committee=committee, name=d["name"], unit=d["unit"],
                                        post=d["post"], department=d["department"])
                if call.ok:
                    messages.success(request, _("成员已添加。"))
                    return redirect("governance:committee-detail", pk=committee.pk)
        else:
            meeting_form = MeetingForm(request.POST, prefix="g")
            if meeting_form.is_valid():
                d = meeting_form.cleaned_data
                with service_call(request, meeting_form) as call:
                    meeting = services.meeting_create(actor=request.user, committee=committee, title=d["title"],
                                                      date=d["date"], place=d["place"], chair=d["chair"])
                if call.ok:
                    messages.success(request, _("会议已登记。"))
                    return redirect("governance:meeting-detail", pk=meeting.pk)
    return render_page(request, "governance/committee_detail.html", {
        "committee": committee, "members": committee.members.filter(is_active=True).select_related("department"),
        "meetings": selectors.meeting_list(user=request.user, committee=committee)[:20],
        "member_form": member_form, "meeting_form": meeting_form, "can_manage": can_manage})


# --- meetings ------------------------------------------------------------------------------------------------------

@require("governance.view")
def meeting_list(request):
    page = paginate(request, selectors.meeting_list(user=request.user))
    return render_page(request, "governance/meeting_list.html", {
        "page": page, "query": query_without_page(request), "can_manage": request.user.can("governance.manage"),
        "committees": selectors.committee_list(user=request.user)})


def _meeting_context(request, meeting):
    tasks = list(selectors.task_list(user=request.user).filter(meeting=meeting))
    return {"meeting": meeting, "agenda": meeting.agenda.prefetch_related("cases", "orders").select_related("problem"),
            "attendance": meeting.attendance.select_related("member"),
            "members": meeting.committee.members.filter(is_active=True),
            "present_ids": set(meeting.attendance.filter(present=True).values_list("member_id", flat=True)),
            "tasks": tasks, "today": timezone.localdate(),
            "can_manage": request.user.can("governance.manage")}


@require("governance.view")
def meeting_detail(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    problems = selectors.active_problems(user=request.user).filter(node=meeting.committee.node)
    agenda_form = AgendaForm(problems=problems, prefix="a")
    minutes_form = MinutesForm(prefix="n", initial={"minutes": meeting.minutes})
    task_form = TaskForm(departments=selectors.departments(), agenda=meeting.agenda.all(), prefix="t")
    if request.method == "POST":
        if not request.user.can("governance.manage"):
            raise forbidden(request, Forbidden(_("无权修改会议。")))
        which = request.POST.get("form")
        if which == "agenda":
            agenda_form = AgendaForm(request.POST, problems=problems, prefix="a")
            if agenda_form.is_valid():
                d = agenda_form.cleaned_data
                with service_call(request, agenda_form) as call:
                    services.agenda_item_add(actor=request.user, meeting=meeting, title=d["title"], notes=d["notes"],
                                             case_numbers=d["case_numbers"], order_numbers=d["order_numbers"],
                                             problem=d["problem"], figure=d["figure"])
                if call.ok:
                    messages.success(request, _("议题已添加。"))
                    return redirect("governance:meeting-detail", pk=meeting.pk)
        elif which == "attendance":
            if _perform(request, lambda: services.meeting_attendance_record(
                    actor=request.user, meeting=meeting, present=request.POST.getlist("present")[:200]),
                    _("出席情况已保存。")):
                return redirect("governance:meeting-detail", pk=meeting.pk)
        elif which == "minutes":
            minutes_form = MinutesForm(request.POST, prefix="n")
            if minutes_form.is_valid():
                with service_call(request, minutes_form) as call:
                    services.meeting_minutes_save(actor=request.user, meeting=meeting,
                                                  minutes=minutes_form.cleaned_data["minutes"])
                if call.ok:
                    messages.success(request, _("会议纪要已保存。"))
                    return redirect("governance:meeting-detail", pk=meeting.pk)
        elif which == "task":
            task_form = TaskForm(request.POST, departments=selectors.departments(), agenda=meeting.agenda.all(),
                                 prefix="t")
            if task_form.is_valid():
                d = task_form.cleaned_data
                with service_call(request, task_form) as call:
                    services.task_create(actor=request.user, meeting=meeting, title=d["title"],
                                         department=d["department"], working_days=d["working_days"],
                                         agenda_item=d["agenda_item"])
                if call.ok:
                    messages.success(request, _("决定事项已交办。"))
                    return redirect("governance:meeting-detail", pk=meeting.pk)
    ctx = _meeting_context(request, meeting)
    ctx.update({"agenda_form": agenda_form, "minutes_form": minutes_form, "task_form": task_form,
                "previous": selectors.previous_meeting(user=request.user, meeting=meeting)})
    return render_page(request, "governance/meeting_detail.html", ctx)


@require("governance.view")
def meeting_follow_up(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    ctx = selectors.follow_up(user=request.user, meeting=meeting)
    ctx.update({"meeting": meeting, "today": timezone.localdate()})
    return render_page(request, "governance/follow_up.html", ctx)


@require("governance.view")
def meeting_pdf(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    ctx = _meeting_context(request, meeting)
    body = pdf.render_minutes(meeting=meeting, agenda=list(ctx["agenda"]), attendance=list(ctx["attendance"]),
                              tasks=ctx["tasks"], printed_by=request.user)
    audit_record(actor=request.user, action=AuditAction.PRINT, obj=meeting, detail={"document": "minutes"})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response


# --- tasks ---------------------------------------------------------------------------------------------------------

@require("governance.view")
def task_list(request):
    form = TaskFilterForm(request.GET or None)
    qs = selectors.task_list(user=request.user)
    if form.is_bound:
        if form.is_valid():
            qs = selectors.task_filter(qs, status=form.cleaned_data["status"], overdue=form.cleaned_data["overdue"])
        else:
            qs = qs.none()
    page = paginate(request, qs)
    return render_page(request, "governance/task_list.html", {
        "page": page, "query": query_without_page(request), "form": form, "today": timezone.localdate()})


@require("governance.view")
def task_detail(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    return render_page(request, "governance/task_detail.html", {
        "task": task, "notes": task.notes.select_related("author"), "evidence": task.evidence.all(),
        "actions": TASK.available(request.user, task), "today": timezone.localdate()})


@require_POST
@require("governance.view")
def task_act(request, pk, action):
    task = selectors.task_get(user=request.user, pk=pk)
    if action not in TASK.names:
        messages.error(request, _("操作无效。"))
        return redirect("governance:task-detail", pk=task.pk)
    label = TASK.action(action).label
    _perform(request, lambda: TASK.perform(request.user, task, action, note=request.POST.get("note", "")[:2000],
                                           uploads=request.FILES.getlist("evidence")),
             _("已办理：%(a)s") % {"a": label})
    return redirect("governance:task-detail", pk=task.pk)


@require("governance.view")
def evidence(request, pk):
    row = selectors.evidence_get(user=request.user, pk=pk)
    response = FileResponse(row.image.open("rb"), content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 顽症 --------------------------------------------------------------------------------------------------------

def _problem_form(request, data=None, initial=None):
    return ProblemForm(data, nodes=_subdistricts(request.user), categories=selectors.categories(),
                       grids=selectors.grids(user=request.user), initial=initial)


@require("governance.view")
def problem_list(request):
    since = timezone.now() - dt.timedelta(days=90)
    can_ledger = request.user.can("governance.ledger")
    return render_page(request, "governance/problem_list.html", {
        "problems": selectors.problem_list(user=request.user),
        "repeats": selectors.repeated_places(user=request.user, since=since) if can_ledger else [],
        "can_ledger": can_ledger})


@require("governance.ledger")
def problem_new(request):
    initial = {"first_seen": timezone.localdate()}
    for key in ("place", "category", "title"):
        if request.GET.get(key):
            initial[key] = request.GET[key][:100]
    if request.GET.get("grid"):
        initial["grids"] = [request.GET["grid"][:12]]
    subs = _subdistricts(request.user)
    if subs.count() == 1:
        initial["node"] = subs.first()
    form = _problem_form(request, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with service_call(request, form) as call:
            problem = services.problem_create(actor=request.user, node=d["node"], title=d["title"], place=d["place"],
                                              category=d["category"], description=d["description"],
                                              first_seen=d["first_seen"], grids=d["grids"])
        if call.ok:
            messages.success(request, _("顽症已登记，请确认关联的案件。"))
            return redirect("governance:problem-detail", pk=problem.pk)
    return render_page(request, "form_page.html", {"form": form, "title": _("登记顽症"),
                                                        "back": "/governance/problems/"})


@require("governance.view")
def problem_detail(request, pk):
    problem = selectors.problem_get(user=request.user, pk=pk)
    can_ledger = request.user.can("governance.ledger")
    measure_form = MeasureForm(departments=selectors.departments(), initial={"date": timezone.localdate()})
    if request.method == "POST":
        if not can_ledger:
            raise forbidden(request, Forbidden(_("无权修改顽症台账。")))
        if request.POST.get("form") == "links":
            if _perform(request, lambda: services.problem_links_confirm(
                    actor=request.user, problem=problem, case_ids=request.POST.getlist("case")[:200],
                    order_ids=request.POST.getlist("order")[:200]), _("已确认关联。")):
                return redirect("governance:problem-detail", pk=problem.pk)
        else:
            measure_form = MeasureForm(request.POST, departments=selectors.departments())
            if measure_form.is_valid():
                d = measure_form.cleaned_data
                with service_call(request, measure_form) as call:
                    services.problem_measure_add(actor=request.user, problem=problem, date=d["date"], text=d["text"],
                                                 department=d["department"])
                if call.ok:
                    messages.success(request, _("措施已记录。"))
                    return redirect("governance:problem-detail", pk=problem.pk)
    return render_page(request, "governance/problem_detail.html", {
        "problem": problem, "links": selectors.problem_links(problem), "grids": problem.grids.all(),
        "measures": problem.measures.select_related("department"),
        "suggestions": selectors.problem_suggestions(user=request.user, problem=problem) if can_ledger else None,
        "tasks": selectors.task_list(user=request.user).filter(problem=problem),
        "actions": PROBLEM.available(request.user, problem), "measure_form": measure_form,
        "can_ledger": can_ledger})


@require("governance.view")
def problem_chart(request, pk):
    problem = selectors.problem_get(user=request.user, pk=pk)
    return JsonResponse(selectors.monthly_counts(problem=problem))


@require_POST
@require("governance.view")
def problem_act(request, pk, action):
    problem = selectors.problem_get(user=request.user, pk=pk)
    if action not in PROBLEM.names:
        messages.error(request, _("操作无效。"))
    else:
        label = PROBLEM.action(action).label
        _perform(request, lambda: PROBLEM.perform(request.user, problem, action,
                                                  note=request.POST.get("note", "")[:2000]),
                 _("已办理：%(a)s") % {"a": label})
    return redirect("governance:problem-detail", pk=problem.pk)
