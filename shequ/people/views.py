from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError
from shequ.core.jobs import job_enqueue, job_get_own, recent_jobs
from shequ.core.web import form_add_domain_error, paginate, query_without_page, render_page, require, xlsx_response

from . import excel, selectors, services
from .filtersets import ResidentFilterSet
from .forms import ImportForm, ResidentForm, RevealForm


def _filters(request) -> ResidentFilterSet:
    return ResidentFilterSet(request.GET, queryset=selectors.resident_list(user=request.user), request=request)


@require("people.view")
def resident_list(request):
    filters = _filters(request)
    services.audit_search(actor=request.user, search=filters.search_text())
    page = paginate(request, filters.qs, 25)
    return render_page(request, "people/resident_list.html", {
        "form": filters.form, "page": page, "query": query_without_page(request),
        "bands": selectors.resident_age_bands(user=request.user) if not request.htmx else None,
    }, "people/partials/_resident_table.html")


def _data(form):
    d = form.cleaned_data
    return {k: d.get(k) for k in ("name", "id_number", "phone", "address", "relation", "hukou_type", "note")}


@require("people.edit")
def resident_create(request):
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, data=_data(form),
                                                committee=form.cleaned_data["committee"],
                                                household_number=form.cleaned_data["household_number"],
                                                tags=list(form.cleaned_data["tags"]))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记居民 %(n)s。") % {"n": resident.name})
            return redirect("people:resident-detail", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "creating": True})


@require("people.view")
def resident_detail(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    services.resident_record_view(actor=request.user, resident=resident)
    return render(request, "people/resident_detail.html", {
        "r": resident, "reveal_form": RevealForm(), "members": selectors.household_members(
            household=resident.household) if resident.household else [],
    })


@require("people.reveal")
@require_POST
def resident_reveal(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = services.resident_reveal(actor=request.user, resident=resident,
                                                reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
    return render(request, "people/partials/_reveal.html", {"r": resident, "reveal_form": form,
                                                            "revealed": revealed})


@require("people.edit")
def resident_edit(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    initial = {"name": resident.name, "id_number": resident.id_number, "phone": resident.phone,
               "committee": resident.committee, "address": resident.address,
               "household_number": resident.household.number if resident.household else "",
               "relation": resident.relation, "hukou_type": resident.hukou_type, "tags": resident.tags.all(),
               "note": resident.note, "version": resident.version}
    form = ResidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(actor=request.user, resident=resident, data=_data(form),
                                     committee=form.cleaned_data["committee"],
                                     household_number=form.cleaned_data["household_number"],
                                     tags=list(form.cleaned_data["tags"]),
                                     expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("居民信息已保存。"))
            return redirect("people:resident-detail", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "r": resident})


@require("people.view")
def household_detail(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    return render(request, "people/household_detail.html", {
        "h": household, "members": selectors.household_members(household=household)})


@require("people.export")
def resident_export(request):
    filters = _filters(request)
    if not filters.is_valid():
        # An export with a filter it cannot read would export every resident in scope: show the errors instead.
        return render(request, "people/resident_list.html", {
            "form": filters.form, "page": paginate(request, filters.qs, 25), "query": query_without_page(request),
        }, status=400)
    search = filters.search_text()
    detail = {k: getattr(v, "code", v) for k, v in filters.cleaned().items() if k != "q"}
    if search:
        detail["search"] = selectors.search_kind(search)
    content, count, truncated = excel.export_residents(actor=request.user, queryset=filters.qs, filters=detail)
    response = xlsx_response(content, f"residents-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    response["X-Export-Rows"] = str(count)
    response["X-Export-Truncated"] = "1" if truncated else "0"
    return response


@require("people.import")
def resident_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            excel.check_upload(upload)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            job = job_enqueue(kind=excel.IMPORT_KIND, user=request.user, file=upload, filename=upload.name)
            return redirect("people:import-status", pk=job.pk)
    jobs = recent_jobs(user=request.user, kind=excel.IMPORT_KIND)
    return render(request, "people/import.html", {"form": form, "jobs": jobs})


def _own_job(request, pk):
    return job_get_own(user=request.user, pk=pk, kind=excel.IMPORT_KIND)


@require("people.import")
def import_status(request, pk):
    job = _own_job(request, pk)
    return render_page(request, "people/import_status.html", {"job": job},
                       "people/partials/_import_progress.html")


@require("people.import")
def import_errors(request, pk):
    job = _own_job(request, pk)
    if not job.is_finished:
        raise Http404
    return xlsx_response(excel.error_report(job.result.get("errors", [])), f"import-{job.pk}-errors.xlsx")


@require("people.import")
def import_template(request):
    return xlsx_response(excel.template_workbook(), "resident-import-template.xlsx")

