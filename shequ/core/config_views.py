"""系统配置 pages: thin adapters over `shequ.core.config` (the declarations and their services)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import config
from .errors import DomainError
from .web import form_add_domain_error, paginate, query_without_page, render_page, require, xlsx_response


class _Filters(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def __init__(self, table: config.ConfigTable, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not table.search:
            del self.fields["q"]
        for name in table.filters:
            model_field = table.model._meta.get_field(name)
            label = model_field.verbose_name
            if isinstance(model_field, models.BooleanField):
                self.fields[name] = forms.TypedChoiceField(
                    label=label, required=False, coerce=lambda v: v == "1", empty_value=None,
                    choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))])
            elif isinstance(model_field, models.ForeignKey):
                self.fields[name] = forms.ModelChoiceField(
                    label=label, required=False, empty_label=_("全部"),
                    queryset=model_field.related_model._default_manager.all())
            elif model_field.choices:
                self.fields[name] = forms.ChoiceField(label=label, required=False,
                                                      choices=[("", _("全部"))] + list(model_field.choices or []))


@require(config.CAPABILITY)
def config_index(request):
    sections = [(name, [(t, t.queryset().count()) for t in items]) for name, items in config.sections()]
    return render(request, "core/config/index.html", {"sections": sections})


@require(config.CAPABILITY)
def config_list(request, key):
    table = config.table_get(key)
    form = _Filters(table, request.GET or None)
    if form.is_bound and not form.is_valid():
        qs = table.model._default_manager.none()  # an invalid filter shows its error, never every row
    else:
        data = form.cleaned_data if form.is_bound else {}
        qs = config.rows(table, search=(data.get("q") or "").strip(),
                         filters={k: v for k, v in data.items() if k != "q"})
    page = paginate(request, qs, 30)
    page_rows = [(obj, [config.cell(obj, c, table) for c in table.columns]) for obj in page]
    headers = [str(table.model._meta.get_field(c).verbose_name) for c in table.columns]
    return render_page(request, "core/config/list.html", {
        "table": table, "form": form, "page": page, "rows": page_rows, "headers": headers,
        "importable": config.importable(table),
        "query": query_without_page(request)}, "core/config/_rows.html")


def _edit(request, table, obj):
    editing = obj is not None
    form_class = table.form_class(editing=editing)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=obj)
    formsets = table.formsets(instance=obj or table.model(), data=data)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            if not editing and table.create is not None:
                saved, notice = table.create(actor=request.user, form=form)
                if notice:
                    messages.warning(request, notice)
            else:
                saved = config.config_save(actor=request.user, table=table, form=form, formsets=formsets)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存“%(o)s”。") % {"o": saved})
            return redirect("core:config-list", key=table.key)
    readonly = [(str(table.model._meta.get_field(n).verbose_name), config.cell(obj, n, table))
                for n in table.readonly_on_edit] if editing else []
    return render(request, "core/config/form.html", {
        "table": table, "form": form, "formsets": formsets, "obj": obj, "readonly": readonly,
        "history": config.history(table, obj) if editing else []})


@require(config.CAPABILITY)
def config_create(request, key):
    return _edit(request, config.table_get(key), None)


@require(config.CAPABILITY)
def config_edit(request, key, pk):
    table = config.table_get(key)
    return _edit(request, table, get_object_or_404(table.queryset(), pk=pk))


@require(config.CAPABILITY)
@require_POST
def config_delete(request, key, pk):
    table = config.table_get(key)
    obj = get_object_or_404(table.queryset(), pk=pk)
    name = str(obj)
    try:
        config.config_delete(actor=request.user, table=table, obj=obj)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("core:config-edit", key=key, pk=pk)
    messages.success(request, _("已删除“%(o)s”。") % {"o": name})
    return redirect("core:config-list", key=key)


@require(config.CAPABILITY)
def config_export(request, key):
    table = config.table_get(key)
    content, _count = config.config_export(actor=request.user, table=table)
    return xlsx_response(content, f"config-{table.key}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


@require(config.CAPABILITY)
def config_import(request, key):
    table = config.table_get(key)
    if not config.importable(table):
        messages.error(request, _("“%(t)s”不能从 Excel 导入，请在页面上逐条新增。") % {"t": table.label})
        return redirect("core:config-list", key=key)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = config.config_import(actor=request.user, table=table, upload=form.cleaned_data["file"])
        except config.ImportRowsError as exc:
            form.add_error(None, exc.message)
            row_errors = exc.rows
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("导入完成：新增 %(c)d 条，修改 %(u)d 条，未变 %(s)d 条。") % {
                "c": result["created"], "u": result["updated"], "s": result["unchanged"]})
            return redirect("core:config-list", key=key)
    key_name = config.key_field(table)
    return render(request, "core/config/import.html", {
        "table": table, "form": form, "row_errors": row_errors,
        "columns": [config.excel_header(table, n) for n in config.excel_fields(table)],
        "key_column": config.excel_header(table, key_name) if key_name else config.ID_HEADER,
        "max_rows": config.IMPORT_MAX_ROWS})
