"""The service catalogue (事项目录): browse, the 办事指南 of one item, edit, Excel export and import."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError
from shequ.core.web import form_add_domain_error, paginate, query_without_page, render_page, require, xlsx_response

from .. import excel, selectors, services
from ..filtersets import CatalogueFilterSet
from ..forms import CategoryForm, ImportForm, ItemForm, MaterialFormSet
from ..models import CatalogueImport, QueueCategory, ServiceItem


def _filters(request) -> CatalogueFilterSet:
    items = selectors.catalogue_list(include_inactive=request.user.can("acceptance.catalogue_manage"))
    return CatalogueFilterSet(request.GET, queryset=items, request=request)


def _page_context(request, filters) -> dict:
    return {"form": filters.form, "page": paginate(request, filters.qs, 30), "query": query_without_page(request),
            "categories": QueueCategory.objects.all(), "total": ServiceItem.objects.filter(is_active=True).count()}


@require("acceptance.catalogue")
def catalogue(request):
    filters = _filters(request)
    return render_page(request, "acceptance/catalogue.html", {
        **_page_context(request, filters)}, "acceptance/partials/_catalogue_rows.html")


@require("acceptance.catalogue")
def item_detail(request, pk):
    item = selectors.item_get(pk=pk)
    return render(request, "acceptance/item_detail.html", {"item": item, "materials": item.materials.all()})


def _materials_initial(item):
    return [{"name": m.name, "is_key": m.is_key, "original_required": m.original_required, "copies": m.copies,
             "note": m.note, "condition": m.condition} for m in item.materials.all()] if item else []


@require("acceptance.catalogue_manage")
def item_edit(request, pk=None):
    item = selectors.item_get(pk=pk) if pk else None
    initial = {}
    if item:
        initial = {f: getattr(item, f) for f in ("code", "name", "department", "category", "queue_category", "mode",
                                                  "limit_days", "legal_limit_days", "tongban", "separated",
                                                  "agent_allowed", "agent_note", "fee", "fee_note", "online",
                                                  "conditions", "legal_basis", "sort_order", "is_active")}
    form = ItemForm(request.POST or None, initial=initial)
    formset = MaterialFormSet(request.POST or None, initial=_materials_initial(item), prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        materials = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]
        try:
            item, outcome = services.item_save(actor=request.user, data=form.cleaned_data, materials=materials,
                                               item=item)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("事项“%(n)s”已保存。") % {"n": item.name})
            return redirect("acceptance:item-detail", pk=item.pk)
    return render(request, "acceptance/item_form.html", {"form": form, "formset": formset, "item": item})


@require("acceptance.catalogue")
def catalogue_export(request):
    filters = _filters(request)
    if not filters.is_valid():  # an unreadable filter would otherwise export the whole catalogue
        return render(request, "acceptance/catalogue.html", _page_context(request, filters), status=400)
    return xlsx_response(excel.export_catalogue(actor=request.user, queryset=filters.qs),
                         f"catalogue-{timezone.localdate():%Y%m%d}.xlsx")


@require("acceptance.catalogue_manage")
def catalogue_template(request):
    return xlsx_response(excel.template_workbook(), "catalogue-template.xlsx")


@require("acceptance.catalogue_manage")
def catalogue_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = excel.import_catalogue(actor=request.user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("acceptance:catalogue-import-result", pk=record.pk)
    return render(request, "acceptance/catalogue_import.html", {
        "form": form, "imports": CatalogueImport.objects.filter(created_by=request.user)[:10]})


@require("acceptance.catalogue_manage")
def catalogue_import_result(request, pk):
    record = get_object_or_404(CatalogueImport, pk=pk, created_by=request.user)
    if request.GET.get("download") == "errors":
        return xlsx_response(excel.error_report(record.errors), f"catalogue-import-{record.pk}-errors.xlsx")
    return render(request, "acceptance/catalogue_import_result.html", {"record": record})


@require("acceptance.catalogue_manage")
def categories(request, pk=None):
    """Ticket categories (取号类别): the letters on the kiosk; a window serves some of them."""
    category = get_object_or_404(QueueCategory, pk=pk) if pk else None
    initial = {f: getattr(category, f) for f in ("letter", "name", "description", "default_service_minutes",
                                                  "sort_order", "is_active")} if category else {}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.category_save(actor=request.user, category=category, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("取号类别 %(c)s 已保存。") % {"c": saved})
            return redirect("acceptance:categories")
    return render(request, "acceptance/categories.html", {
        "form": form, "category": category, "categories": QueueCategory.objects.all()})
