"""家庭医生签约 pages: thin adapters over `selectors` and `services` (the staff shell) and the residents' page
under /health/m/ (the account's own people only, through `portal.selectors`/`portal.services`)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.audit import audit_denied
from shequ.core.jobs import job_enqueue, job_get_own, recent_jobs
from shequ.core.web import paginate, query_without_page, render_page, require, service_call, xlsx_response
from shequ.people import services as people_services
from shequ.portal import selectors as portal_selectors
from shequ.portal import services as portal_services

from . import excel, selectors, services
from .choices import KeyGroup
from .filtersets import ContractFilterSet
from .forms import ACTION_FORMS, CoverageForm, ImportForm, LookupForm, RevealForm, SignForm
from .workflows import CONTRACT


# --- lists --------------------------------------------------------------------------------------------------------

def _list(request, *, due: bool):
    filters = ContractFilterSet(request.GET or None, user=request.user, due=due)
    people_services.audit_search(actor=request.user, search=filters.selector_kwargs()["search"])
    page = paginate(request, filters.qs.order_by("end_date", "id") if due else filters.qs.order_by("-id"))
    return render_page(request, "health/contract_list.html",
                       {"filters": filters, "form": filters.form, "page": page, "query": query_without_page(request),
                        "due": due, "today": timezone.localdate(), "due_limit": selectors.due_limit()},
                       "health/partials/_contract_rows.html")


@require("health.view")
def contract_list(request):
    return _list(request, due=False)


@require("health.view")
def due_list(request):
    return _list(request, due=True)


@require("health.view")
def contract_export(request):
    filters = ContractFilterSet(request.GET or None, user=request.user)
    if filters.is_bound and not filters.is_valid():
        return render(request, "health/contract_list.html", {"filters": filters, "form": filters.form,
                                                             "page": None, "query": ""}, status=400)
    content, count, truncated = excel.export_contracts(actor=request.user, queryset=filters.qs.order_by("-id"),
                                                       filters=filters.active())
    response = xlsx_response(content, f"health-contracts-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    response["X-Export-Rows"] = str(count)
    response["X-Export-Truncated"] = "1" if truncated else "0"
    return response


# --- one contract -------------------------------------------------------------------------------------------------

def _detail_context(request, contract, forms=None):
    actions = CONTRACT.available(request.user, contract)
    forms = forms or {}
    # A refused action (no longer offered: renewal not yet open, the contract closed meanwhile) keeps its form
    # on the page so the refusal is shown where it was asked.
    actions += [CONTRACT.action(name) for name in forms if name not in {a.name for a in actions}]
    return {"contract": contract, "chain": selectors.contract_chain(contract=contract),
            "events": selectors.contract_events(contract=contract), "today": timezone.localdate(),
            "actions": [(a, forms.get(a.name) or ACTION_FORMS[a.name](
                initial={"version": contract.version, "doctor": contract.doctor_id,
                         "district_hospital": contract.district_hospital_id,
                         "city_hospital": contract.city_hospital_id}, prefix=a.name)) for a in actions],
            "reveal_form": RevealForm(), "due_limit": selectors.due_limit()}


@require("health.view")
def contract_detail(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk)
    services.contract_record_view(actor=request.user, contract=contract)
    return render(request, "health/contract_detail.html", _detail_context(request, contract))


@require_POST
@require("health.manage")
def contract_action(request, pk, action):
    contract = selectors.contract_get(user=request.user, pk=pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        with service_call(request, form) as call:
            result = CONTRACT.perform(request.user, contract, action, **data)
        if call.ok:
            messages.success(request, {"renew": _("已续约，新协议 %(n)s。"), "switch": _("已改签，新协议 %(n)s。"),
                                       "terminate": _("已解约：%(n)s。")}[action] % {"n": result.number})
            return redirect("health:contract-detail", pk=result.pk)
    return render(request, "health/contract_detail.html",
                  _detail_context(request, contract, {action: form}), status=400)


@require_POST
@require("health.reveal")
def contract_reveal(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        with service_call(request, form):
            revealed = services.contract_reveal(actor=request.user, contract=contract,
                                                reason=form.cleaned_data["reason"])
    return render(request, "health/partials/_reveal.html", {"contract": contract, "reveal_form": form,
                                                            "revealed": revealed},
                  status=200 if revealed is not None else 400)


# --- signing ------------------------------------------------------------------------------------------------------

@require("health.manage")
def sign(request):
    lookup = LookupForm(request.GET or None)
    resident = None
    if request.GET and lookup.is_valid():
        people_services.audit_search(actor=request.user, search=lookup.cleaned_data["id_number"])
        resident = selectors.resident_for_signing(user=request.user, id_number=lookup.cleaned_data["id_number"])
        if resident is None:
            lookup.add_error("id_number", _("您管辖的居委会中没有该身份证号的居民，请先在居民信息库登记。"))
    members = selectors.household_members(resident=resident) if resident else []
    current = {m.pk: selectors.active_contract_of(resident_id=m.pk) for m in members}
    signable = [m for m in members if current[m.pk] is None]
    form = SignForm(request.POST or None, members=signable) if resident else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        chosen = [m for m in signable if str(m.pk) in d["members"]]
        with service_call(request, form) as call:
            if len(chosen) == 1:
                contracts = [services.contract_sign(
                    actor=request.user, resident=chosen[0], doctor=d["doctor"],
                    district_hospital=d["district_hospital"], city_hospital=d["city_hospital"],
                    start_date=d["start_date"], end_date=d["end_date"], conditions=d["conditions"])]
            else:
                contracts = services.contract_sign_household(
                    actor=request.user, residents=chosen, doctor=d["doctor"],
                    district_hospital=d["district_hospital"], city_hospital=d["city_hospital"],
                    start_date=d["start_date"], end_date=d["end_date"])
        if call.ok:
            messages.success(request, _("已签约 %(n)d 人。") % {"n": len(contracts)})
            return redirect("health:contract-detail", pk=contracts[0].pk)
    return render(request, "health/sign.html", {"lookup": lookup, "resident": resident, "members": members,
                                                "current": current, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- import -------------------------------------------------------------------------------------------------------

@require("health.import")
def contract_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with service_call(request, form) as call:
            excel.check_upload(upload)
        if call.ok:
            job = job_enqueue(kind=excel.IMPORT_KIND, user=request.user, file=upload, filename=upload.name)
            return redirect("health:import-status", pk=job.pk)
    jobs = recent_jobs(user=request.user, kind=excel.IMPORT_KIND)
    return render(request, "health/import.html", {"form": form, "jobs": jobs},
                  status=400 if request.method == "POST" else 200)


def _own_job(request, pk):
    return job_get_own(user=request.user, pk=pk, kind=excel.IMPORT_KIND)


@require("health.import")
def import_status(request, pk):
    return render_page(request, "health/import_status.html", {"job": _own_job(request, pk)},
                       "health/partials/_import_progress.html")


@require("health.import")
def import_errors(request, pk):
    job = _own_job(request, pk)
    if not job.is_finished:
        raise Http404
    return xlsx_response(excel.error_report(job.result.get("errors", [])), f"health-import-{job.pk}-errors.xlsx")


@require("health.import")
def import_template(request):
    return xlsx_response(excel.template_workbook(), "health-contract-template.xlsx")


# --- coverage -----------------------------------------------------------------------------------------------------

@require("health.view")
def coverage(request):
    form = CoverageForm(request.GET or None)
    group = form.cleaned_data.get("group") or KeyGroup.ALL if form.is_valid() else KeyGroup.ALL
    table = selectors.coverage(user=request.user, group=group)
    chart = {"labels": [r["committee"].name for r in table["rows"]],
             "rates": [float(r["rate"]) if r["rate"] is not None else None for r in table["rows"]],
             "target": float(table["target"]) if table["target"] is not None else None,
             "name": str(KeyGroup(group).label)}
    return render(request, "health/coverage.html", {
        "form": form, "table": table, "groups": selectors.coverage_by_group(user=request.user), "chart": chart,
        "group_label": KeyGroup(group).label}, status=200 if form.is_valid() or not request.GET else 400)


@require_POST
@require("health.view")
def coverage_refresh(request):
    services.coverage_refresh(actor=request.user)
    messages.success(request, _("已重新统计签约覆盖率。"))
    return redirect(reverse("health:coverage") + ("?" + request.POST.get("query", "") if request.POST.get("query")
                                                   else ""))


# --- the residents' side (/health/m/) -----------------------------------------------------------------------------

def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if not user.can("portal.use"):
            audit_denied(actor=user, what=f"{request.method} {request.path} needs portal.use")
            raise PermissionDenied("portal.use")
        request.account = portal_services.account_for(user)
        return view(request, *args, **kwargs)

    return wrapper


@resident_required
def my_contracts(request):
    account = request.account
    people = ([account.resident] if account.resident_id else []) + portal_selectors.actable_residents(
        account=account)
    contracts = selectors.contracts_for_residents(residents=people)
    signed = {c.resident_id for c in contracts}
    return render(request, "health/m/mine.html", {
        "account": account, "contracts": contracts, "unsigned": [p for p in people if p.pk not in signed],
        "today": timezone.localdate(), "due_limit": selectors.due_limit()})
