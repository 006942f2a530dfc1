"""Cases (办件): intake at the window, the case page with its actions, documents, lists for the back office
and the supervisor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import workcal
from shequ.core.errors import DomainError, Forbidden
from shequ.core.inputs import SEARCH_TEXT_MESSAGE, query_int, query_text
from shequ.core.web import forbidden, form_add_domain_error, paginate, query_without_page, render_page, require

from .. import selectors, services
from ..choices import CASE_EVENT_LABELS, CaseDecision, CaseStatus, ItemMode
from ..filtersets import BackofficeFilterSet, CaseFilterSet
from ..forms import (CompleteForm, DeliverForm, IntakeForm, NoteForm, ReasonsForm, RejectForm,
                     ReturnForm, RongqueForm, SupplementForm, TerminateForm)
from ..models import ServiceItem, Ticket
from ..workflows import CASE, case_available_actions
from .transfers import intake_home_form


# --- intake ----------------------------------------------------------------------------------------------------

def _preview_due(item: ServiceItem) -> dict:
    """What accepting this item today would mean: the due date (暂定 when next year's holidays are not entered),
    or why there is none (the current year has no calendar)."""
    today = timezone.localdate()
    try:
        warn, due, provisional = services.due_preview(today, item.limit_days)
    except workcal.CalendarUnavailable as exc:
        return {"due": None, "calendar_error": exc.message}
    return {"due": due, "warn": warn, "provisional": provisional, "calendar_error": ""}


def _materials_context(item: ServiceItem | None, *, checked: set, answered) -> dict:
    """The intake checklist: the item's 情形 questions and the materials of the situations that apply."""
    all_materials = list(item.materials.all()) if item else []
    questions = services.item_situations(all_materials)
    yes = [q for q in questions if q in set(answered)]
    return {"item": item, "checked": checked, "situations": questions, "answered": yes,
            "materials": [m for m in all_materials if not m.condition or m.condition in yes]}


@require("acceptance.intake")
def item_materials(request):
    """Fragment: the checklist and facts of the chosen item (htmx, on item change)."""
    item = None
    if query_int(request.GET.get("item")):
        item = ServiceItem.objects.filter(pk=query_int(request.GET["item"]), is_active=True).select_related(
            "department", "queue_category").first()
    checked = {query_int(v) for v in request.GET.getlist("materials")} - {None}
    context = _materials_context(item, checked=checked, answered=request.GET.getlist("situations"))
    if item:
        context.update(_preview_due(item))
    return render(request, "acceptance/partials/_item_materials.html", context)


@require("acceptance.intake")
def applicant_search(request):
    """Fragment: residents of the clerk's jurisdiction matching a name, initials, full ID number or phone."""
    from shequ.people import selectors as people
    from shequ.people.services import audit_search

    q = query_text(request.GET.get("q"))
    invalid, q = q is None, q or ""
    target = request.GET.get("target", "applicant")
    results = []
    if len(q) >= 2 or (q and not q.isascii()):
        audit_search(actor=request.user, search=q)
        results = list(people.resident_list(user=request.user, search=q)[:8])
    return render(request, "acceptance/partials/_applicant_results.html", {
        "results": results, "q": q, "target": target,
        "invalid": SEARCH_TEXT_MESSAGE % {"n": 64} if invalid else ""})


@require("acceptance.intake")
def applicant_pick(request, pk):
    from shequ.people import selectors as people

    resident = people.resident_get(user=request.user, pk=pk)
    target = request.GET.get("target", "applicant")
    return render(request, "acceptance/partials/_applicant_chip.html", {"r": resident, "target": target})


def _ticket_for(request, value) -> Ticket | None:
    if not query_int(value):
        return None
    try:
        return selectors.ticket_get(user=request.user, pk=value)
    except Http404:
        return None


@require("acceptance.intake")
def case_intake(request):
    initial = {"ticket": request.GET.get("ticket") or None, "decision": CaseDecision.ACCEPT}
    if query_int(request.GET.get("item")):
        initial["item"] = query_int(request.GET["item"])
    ticket_value = request.POST.get("ticket") if request.method == "POST" else initial.get("ticket")
    ticket = _ticket_for(request, ticket_value)
    form = IntakeForm(request.POST or None, initial=initial, category=ticket.category if ticket else None,
                      use_counts=selectors.item_use_counts(node_id=ticket.node_id if ticket else None))
    home_form = intake_home_form(request)
    resident = None
    if request.method == "POST" and form.is_valid() and home_form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_intake(
                actor=request.user, item=d["item"], decision=d["decision"],
                applicant_resident=d["applicant_resident"],
                applicant={"name": d["applicant_name"], "id_number": d["applicant_id_number"],
                           "phone": d["applicant_phone"]},
                agent={"name": d["agent_name"], "id_number": d["agent_id_number"], "relation": d["agent_relation"],
                       "authorized": d["agent_authorized"]},
                ticket=d["ticket"], provided=request.POST.getlist("materials"),
                rongque_deadline=d["rongque_deadline"], promise_signed=d["promise_signed"],
                reasons=form.combined_reasons(), note=d["note"], situations=request.POST.getlist("situations"),
                home=home_form.home())
        except DomainError as exc:
            form_add_domain_error(form, exc)
            form_add_domain_error(home_form, exc)
            if any(f in form.fields for f in exc.errors) and exc.message not in form.non_field_errors():
                form.add_error(None, exc.message)
        else:
            label = CaseStatus(case.status).label
            messages.success(request, _("办件 %(n)s 已登记：%(s)s。") % {"n": case.number, "s": label})
            return redirect("acceptance:case-detail", pk=case.pk)
    if form.is_bound and str(form.data.get("applicant_resident", "")).isdigit():
        from shequ.people import selectors as people

        try:
            resident = people.resident_get(user=request.user, pk=form.data["applicant_resident"])
        except Http404:
            resident = None
    item = None
    item_value = form.data.get("item") if form.is_bound else initial.get("item")
    if query_int(item_value):
        item = ServiceItem.objects.filter(pk=query_int(item_value), is_active=True).first()
    checked = {query_int(v) for v in request.POST.getlist("materials")} - {None}
    materials_ctx = _materials_context(item, checked=checked, answered=request.POST.getlist("situations"))
    if item:
        materials_ctx.update(_preview_due(item))
    return render(request, "acceptance/case_intake.html", {
        "form": form, "home_form": home_form, "resident": resident, "ticket": ticket, **materials_ctx})


# --- lists -----------------------------------------------------------------------------------------------------

@require("acceptance.case_view")
def case_list(request):
    filters = CaseFilterSet(request.GET, queryset=selectors.case_list(user=request.user), request=request)
    rows, next_before = selectors.keyset_page(filters.qs, before=request.GET.get("before"))
    today = timezone.localdate()
    params = request.GET.copy()
    params.pop("before", None)
    return render_page(request, "acceptance/case_list.html", {
        "form": filters.form, "rows": [(c, selectors.case_light(c, today)) for c in rows], "next_before": next_before,
        "query": params.urlencode(), "first_page": not request.GET.get("before"),
    }, "acceptance/partials/_case_rows.html")


@require("acceptance.backoffice")
def backoffice(request):
    """The department's queue, most urgent first: searched, filtered, paged and counted like the other lists."""
    today = timezone.localdate()
    filters = BackofficeFilterSet(request.GET, queryset=selectors.backoffice_queue(user=request.user),
                                  request=request)
    page = paginate(request, filters.qs)
    return render_page(request, "acceptance/backoffice.html", {
        "form": filters.form, "page": page, "query": query_without_page(request),
        "rows": [(c, selectors.case_light(c, today)) for c in page.object_list],
    }, "acceptance/partials/_backoffice_rows.html")


@require("acceptance.case_view")
def overdue(request):
    today = timezone.localdate()
    late: dict = {}  # working days late, computed once per distinct due date
    rows = list(selectors.overdue(user=request.user)[:200])
    for c in rows:
        if c.due_date not in late:
            late[c.due_date] = workcal_days_late(c, today)
    return render(request, "acceptance/overdue.html", {
        "overdue": [(c, selectors.case_light(c, today), late[c.due_date]) for c in rows],
        "soon": [(c, selectors.case_light(c, today)) for c in selectors.due_soon(user=request.user)[:200]],
        "rongque": list(selectors.rongque_late(user=request.user)[:200]),
        "today": today,
    })


def workcal_days_late(case, today) -> int | str:
    try:
        return workcal.count_working_days(case.due_date, today)
    except workcal.CalendarUnavailable:
        return "—"


# --- the case page and its actions ----------------------------------------------------------------------------

def _can_backoffice(user, case) -> bool:
    return user.can("acceptance.backoffice") and user.department_id == case.department_id


@require("acceptance.case_view")
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    services.case_record_view(actor=request.user, case=case)
    user = request.user
    front = user.can("acceptance.intake")
    back = _can_backoffice(user, case)
    materials = list(case.materials.all())
    events = list(case.events.select_related("actor"))
    context = {
        "case": case, "light": selectors.case_light(case), "materials": materials, "events": events,
        "event_labels": CASE_EVENT_LABELS, "status_labels": dict(CaseStatus.choices), "front": front, "back": back,
        "actions": case_available_actions(user, case),  # the buttons: the declared workflow's offer
        "documents": [(k, services.DOCUMENTS[k]) for k in services.documents_available(case)],
        "pending_materials": [m for m in materials if not m.provided],
        "review": case.reviews.first(),
        "forms": {
            "supplement": SupplementForm(case=case),
            "rongque": RongqueForm(initial={"rongque_deadline": _default_rq(case)}),
            "reject": RejectForm(), "terminate": TerminateForm(), "approve": NoteForm(), "refuse": ReasonsForm(),
            "return": ReturnForm(), "complete": CompleteForm(), "deliver": DeliverForm(),
        },
        "is_instant": case.item.mode == ItemMode.INSTANT,
        "transfer": selectors.transfer_of_case(user=user, case=case),
    }
    if case.status == CaseStatus.NOTIFIED:
        context.update(_preview_due(case.item))
    return render(request, "acceptance/case_detail.html", context)


def _default_rq(case):
    try:
        return services.due_preview(timezone.localdate(), min(case.item.limit_days, 5))[1]
    except workcal.CalendarUnavailable:
        return None


def _form_error_text(form) -> str:
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


CASE_ACTION_NAMES = tuple(a.name for a in CASE.actions if a.button)  # the page's forms, from the declaration


@require("acceptance.case_view")
@require_POST
def case_action(request, pk, action):
    case = selectors.case_get(user=request.user, pk=pk)
    if action not in CASE_ACTION_NAMES:
        raise Http404
    actor = request.user
    form = None
    try:
        if action == "supplement":
            form = SupplementForm(request.POST, case=case)
            if form.is_valid():
                services.case_supplement(actor=actor, case=case, materials=form.cleaned_data["materials"])
        elif action == "accept":
            services.case_accept(actor=actor, case=case)
        elif action == "rongque":
            form = RongqueForm(request.POST)
            if form.is_valid():
                services.case_rongque(actor=actor, case=case, deadline=form.cleaned_data["rongque_deadline"],
                                      promise_signed=form.cleaned_data["promise_signed"])
        elif action == "reject":
            form = RejectForm(request.POST)
            if form.is_valid():
                services.case_reject(actor=actor, case=case, reasons=form.combined())
        elif action == "terminate":
            form = TerminateForm(request.POST)
            if form.is_valid():
                services.case_terminate(actor=actor, case=case, reason=form.combined())
        elif action == "resubmit":
            services.case_resubmit(actor=actor, case=case)
        elif action == "claim":
            services.case_claim(actor=actor, case=case)
        elif action == "approve":
            form = NoteForm(request.POST)
            if form.is_valid():
                services.case_approve(actor=actor, case=case, note=form.cleaned_data["note"])
        elif action == "refuse":
            form = ReasonsForm(request.POST)
            if form.is_valid():
                services.case_refuse(actor=actor, case=case, reasons=form.cleaned_data["reasons"])
        elif action == "return":
            form = ReturnForm(request.POST)
            if form.is_valid():
                services.case_return(actor=actor, case=case, reason=form.cleaned_data["reason"],
                                     materials=form.material_list(),
                                     second_reason=form.cleaned_data["second_reason"])
        elif action == "complete":
            form = CompleteForm(request.POST)
            if form.is_valid():
                services.case_complete(actor=actor, case=case, result_note=form.cleaned_data["result_note"])
        elif action == "deliver":
            form = DeliverForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.case_deliver(actor=actor, case=case, to=d["to"], id_check=d["id_check"],
                                      recipient_name=d["recipient_name"], recipient_id_number=d["recipient_id_number"],
                                      authorized=d["authorized"])
    except Forbidden as exc:
        raise forbidden(request, exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("acceptance:case-detail", pk=case.pk)
    if form is not None and not form.is_valid():
        messages.error(request, _form_error_text(form) or _("提交的内容有误。"))
    else:
        case.refresh_from_db()
        messages.success(request, _("%(a)s：办件 %(n)s 现为“%(s)s”。") % {
            "a": CASE_EVENT_LABELS.get(action, action), "n": case.number, "s": case.get_status_display()})
    return redirect("acceptance:case-detail", pk=case.pk)


@require("acceptance.case_view")
def case_pdf(request, pk, kind):
    case = selectors.case_get(user=request.user, pk=pk)
    if kind not in services.DOCUMENTS:
        raise Http404
    try:
        filename, content = services.case_print(actor=request.user, case=case, kind=kind)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("acceptance:case-detail", pk=case.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
