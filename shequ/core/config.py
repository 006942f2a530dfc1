"""系统配置: the system administrator's tables (taxonomy, time limits, departments, queue categories, shifts …)
in Shequ's own pages instead of the stock admin.

An app declares each table once in its `config_tables.py` (imported by its `registry.py`):

    config_table(ConfigTable("grid-category", Category, _("大联动"), fields=[...], columns=[...], search=[...]))

Every page (list with search, filters, paging and export; create; edit with the change history; delete) is
generic and reads the declaration. Writes go through `config_save` / `config_delete` below: atomic, validated
by the model's own rules, audited as configuration changes. Only `core.manage_config` (系统管理员) may use them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import Http404
from django.forms import BaseInlineFormSet, ModelForm, inlineformset_factory, modelform_factory
from django.utils.translation import gettext as _

from .audit import audit_record
from .choices import AuditAction
from .errors import ConflictError, DomainError
from .formatting import date_text, datetime_text, number_text

CAPABILITY = "core.manage_config"


@dataclass(frozen=True)
class ChildTable:
    """Rows edited on the parent's page (a category's Open311 attributes, a team's members …)."""

    model: type[models.Model]
    fields: list[str]
    fk_name: str | None = None
    label: str = ""


@dataclass(frozen=True)
class ConfigTable:
    key: str
    model: type[models.Model]
    section: str
    fields: list[str]
    columns: list[str]
    search: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # fields with choices, FKs or booleans
    order: int = 100
    help: str = ""
    children: list[ChildTable] = field(default_factory=list)
    readonly_on_edit: list[str] = field(default_factory=list)  # e.g. codes other rows refer to
    form: type[ModelForm] | None = None
    create: Callable | None = None  # (actor, form) -> (obj, message): a module's own service for new rows
    display: dict = field(default_factory=dict)  # column -> (obj) -> text, where the stored value is a code

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def queryset(self):
        qs = self.model._default_manager.all()
        return qs if qs.ordered else qs.order_by(self.columns[0], "pk")

    def form_class(self, *, editing: bool):
        base = self.form or ModelForm
        fields = [f for f in self.fields if not (editing and f in self.readonly_on_edit)]
        return modelform_factory(self.model, form=base, fields=fields)

    def formsets(self, *, instance, data=None):
        result = []
        for i, child in enumerate(self.children):
            factory = inlineformset_factory(self.model, child.model, fields=child.fields, fk_name=child.fk_name,
                                            extra=1, can_delete=True, formset=BaseInlineFormSet)
            formset = factory(data, instance=instance, prefix=f"child{i}")
            formset.title = child.label or str(child.model._meta.verbose_name_plural)
            result.append(formset)
        return result


_TABLES: dict[str, ConfigTable] = {}


def config_table(*tables: ConfigTable) -> None:
    for table in tables:
        _TABLES[table.key] = table


def tables() -> list[ConfigTable]:
    return sorted(_TABLES.values(), key=lambda t: (t.order, t.key))


def table_get(key: str) -> ConfigTable:
    try:
        return _TABLES[key]
    except KeyError:
        raise Http404(_("没有这个配置表。")) from None


def sections() -> list[tuple[str, list[ConfigTable]]]:
    grouped: dict[str, list[ConfigTable]] = {}
    for table in tables():
        grouped.setdefault(table.section, []).append(table)
    return list(grouped.items())


# --- reads -------------------------------------------------------------------------------------------------------

def rows(table: ConfigTable, *, search: str = "", filters: dict | None = None):
    qs = table.queryset()
    if search and table.search:
        condition = Q()
        for name in table.search:
            condition |= Q(**{f"{name}__icontains": search})
        qs = qs.filter(condition)
    for name, value in (filters or {}).items():
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    related = [c for c in table.columns if isinstance(table.model._meta.get_field(c), models.ForeignKey)]
    return qs.select_related(*related) if related else qs


def cell(obj, name: str, table: ConfigTable | None = None) -> str:
    """A column's value as text a clerk reads: choice labels, names, 是/否, plain numbers, Chinese dates."""
    if table is not None and name in table.display:
        return table.display[name](obj)
    model_field = obj._meta.get_field(name)
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")()) or "—"
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (int, float, Decimal)):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, dict)):
        return "、".join(str(v) for v in value) if isinstance(value, list) else "；".join(
            f"{k}：{v}" for k, v in value.items())
    return str(value)


def history(table: ConfigTable, obj) -> list:
    """This row's configuration changes (who, when, which fields) — the system administrator's own trail."""
    from .models import AuditLog

    return list(AuditLog.objects.filter(object_type=table.object_type, object_id=str(obj.pk),
                                        action=AuditAction.CONFIG).select_related("user").order_by("-at", "-id")[:20])


# --- writes (services) -------------------------------------------------------------------------------------------

def _labels(table: ConfigTable, names) -> list[str]:
    result = []
    for name in names:
        try:
            result.append(str(table.model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 - a formset's own field
            result.append(str(name))
    return result


@transaction.atomic
def config_save(*, actor, table: ConfigTable, form, formsets=()) -> models.Model:
    """Save a validated form (and its child rows); refuse with the model's own messages; audit the change."""
    if not actor.can(CAPABILITY):
        raise PermissionDenied(_("只有系统管理员可以修改配置。"))
    creating = form.instance.pk is None
    try:
        with transaction.atomic():
            obj = form.save()
            changed_children = []
            for formset in formsets:
                formset.instance = obj
                formset.save()
                if formset.has_changed():
                    changed_children.append(str(formset.title))  # a lazy label is not JSON
    except IntegrityError as exc:
        raise ConflictError(_("与已有记录重复或被其他记录引用，未保存。"), {}) from exc
    except ValidationError as exc:
        raise DomainError(_("未保存：%(m)s") % {"m": "；".join(exc.messages)}, {}) from exc
    audit_record(actor=actor, action=AuditAction.CONFIG, obj=obj,
                 detail={"op": "create" if creating else "change",
                         "fields": _labels(table, form.changed_data) + changed_children})
    return obj


@transaction.atomic
def config_delete(*, actor, table: ConfigTable, obj) -> None:
    if not actor.can(CAPABILITY):
        raise PermissionDenied(_("只有系统管理员可以修改配置。"))
    text = str(obj)[:200]
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError, IntegrityError) as exc:
        raise ConflictError(_("“%(o)s”仍被其他记录使用，不能删除；可以改为停用。") % {"o": text}, {}) from exc
    audit_record(actor=actor, action=AuditAction.CONFIG, object_type=table.object_type, object_id=str(pk),
                 object_repr=text, detail={"op": "delete"})


# --- Excel: export and import ------------------------------------------------------------------------------------
#
# One sheet per table, one column per declared field, headed by the field's Chinese name. Foreign keys are written
# as the referenced row's code (or name), choices as their Chinese label, booleans as 是/否. A row is matched on
# import by the table's code (the first unique field that cannot change after creation) or, without one, by the
# 编号 column (blank: a new row). Encrypted personal data is never exported, and a column missing from the sheet
# leaves that field as it is. Every row is validated by the same form as the page; one bad row and nothing is
# saved: the page lists each row's errors.

IMPORT_MAX_ROWS = 5000
ID_HEADER = "编号"


class ImportRowsError(DomainError):
    """The sheet has rows that cannot be saved: `rows` is [(row number, column, message)]. Nothing was saved."""

    def __init__(self, message, rows):
        super().__init__(message, {})
        self.rows = rows


def _encrypted(model_field) -> bool:
    from .crypto import EncryptedCharField

    return isinstance(model_field, EncryptedCharField)


def excel_fields(table: ConfigTable) -> list[str]:
    return [n for n in table.fields if not _encrypted(table.model._meta.get_field(n))]


def importable(table: ConfigTable) -> bool:
    """A table whose new rows need a module's own service (an API key issued …) is export-only."""
    return table.create is None


def key_field(table: ConfigTable) -> str | None:
    for name in table.readonly_on_edit:
        model_field = table.model._meta.get_field(name)
        if model_field.unique and name in table.fields:
            return name
    return None


def _reference(model) -> tuple[str | None, bool]:
    """How a row of `model` is named in a sheet: (field, unique), or (None, True) for its 编号."""
    names = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    for name in ("code", "username", "letter", "name"):
        if name in names and names[name].unique:
            return name, True
    if "name" in names:
        return "name", False
    return None, True


def excel_header(table: ConfigTable, name: str) -> str:
    model_field = table.model._meta.get_field(name)
    label = str(model_field.verbose_name)
    if isinstance(model_field, models.ForeignKey):
        ref, _unique = _reference(model_field.related_model)
        hint = {"code": _("代码"), "username": _("用户名"), "letter": _("字母"), "name": _("名称")}.get(ref, _("编号"))
        return f"{label}（{hint}）"
    return label


def _export_value(obj, name: str):
    model_field = obj._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        related = getattr(obj, name)
        if related is None:
            return None
        ref, _unique = _reference(model_field.related_model)
        return getattr(related, ref) if ref else related.pk
    value = getattr(obj, name)
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")()) if value not in (None, "") else None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, (list, dict)):
        return cell(obj, name)
    return value


def export_workbook(table: ConfigTable) -> tuple[bytes, int]:
    from .excel import new_workbook, workbook_bytes

    names = excel_fields(table)
    key = key_field(table)
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(re.sub(r"[\\/*?:\[\]]", "、", str(table.label))[:31])
    ws.append(([] if key else [ID_HEADER]) + [excel_header(table, n) for n in names])
    related = [n for n in names if isinstance(table.model._meta.get_field(n), models.ForeignKey)]
    qs = table.queryset().select_related(*related) if related else table.queryset()
    count = 0
    for obj in qs.iterator(chunk_size=1000):
        ws.append(([] if key else [obj.pk]) + [_export_value(obj, n) for n in names])
        count += 1
    return workbook_bytes(wb), count


@transaction.atomic
def config_export(*, actor, table: ConfigTable) -> tuple[bytes, int]:
    if not actor.can(CAPABILITY):
        raise PermissionDenied(_("只有系统管理员可以导出配置。"))
    content, count = export_workbook(table)
    audit_record(actor=actor, action=AuditAction.EXPORT, object_type=table.object_type,
                 detail={"table": table.key, "rows": count})
    return content, count


_TRUE = {"是", "true", "1", "y", "yes", "√", "✓"}
_FALSE = {"否", "false", "0", "n", "no", "×", ""}


def _form_value(table: ConfigTable, name: str, value):
    """A cell as the page's form would receive it; raises ValueError with a Chinese message."""
    model_field = table.model._meta.get_field(name)
    if value is None:
        return ""
    if isinstance(model_field, models.ForeignKey):
        model = model_field.related_model
        ref, unique = _reference(model)
        text = str(value).strip()
        if ref is None:
            try:
                return model._default_manager.get(pk=int(text)).pk
            except (ValueError, model.DoesNotExist):
                raise ValueError(_("找不到编号为“%(v)s”的%(m)s。") % {"v": text, "m": model._meta.verbose_name}) from None
        found = list(model._default_manager.filter(**{ref: text}).values_list("pk", flat=True)[:2])
        if not found:
            raise ValueError(_("找不到“%(v)s”（%(m)s）。") % {"v": text, "m": model._meta.verbose_name})
        if len(found) > 1:
            raise ValueError(_("有多条“%(v)s”（%(m)s），无法确定是哪一条。") % {"v": text, "m": model._meta.verbose_name})
        return found[0]
    if model_field.choices:
        text = str(value).strip()
        for code, label in model_field.flatchoices:
            if text in (str(code), str(label)):
                return code
        raise ValueError(_("“%(v)s”不是可选的值（可选：%(c)s）。") % {
            "v": text, "c": "、".join(str(label) for _code, label in model_field.flatchoices)})
    if isinstance(model_field, models.BooleanField):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("请填“是”或“否”。"))
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.datetime) and not isinstance(model_field, models.DateTimeField):
        return value.time().strftime("%H:%M") if isinstance(model_field, models.TimeField) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_sheet(table: ConfigTable, upload) -> tuple[list[str], list[tuple[int, dict]]]:
    from openpyxl import load_workbook

    from .excel import ImportFileError, check_xlsx_upload

    check_xlsx_upload(upload)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same refusal
        raise ImportFileError(_("文件不是有效的 Excel (.xlsx) 文件。")) from exc
    try:
        ws = wb.worksheets[0]
        iterator = ws.iter_rows(values_only=True)
        header = next(iterator, None) or ()
        known = {excel_header(table, n): n for n in excel_fields(table)}
        known.update({str(table.model._meta.get_field(n).verbose_name): n for n in excel_fields(table)})
        columns: list[str | None] = []
        for text in header:
            text = str(text).strip() if text is not None else ""
            if text == ID_HEADER and not key_field(table):
                columns.append(ID_HEADER)
            elif text in known:
                columns.append(known[text])
            elif text:
                raise ImportFileError(_("第1行的列“%(c)s”不是“%(t)s”的字段；请以导出的表格为模板。") % {
                    "c": text[:40], "t": table.label})
            else:
                columns.append(None)
        if not any(columns):
            raise ImportFileError(_("第1行应为列名；请以导出的表格为模板。"))
        result = []
        for number, row in enumerate(iterator, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if len(result) >= IMPORT_MAX_ROWS:
                raise ImportFileError(_("一次最多导入 %(n)d 行。") % {"n": IMPORT_MAX_ROWS})
            values = {}
            for index, name in enumerate(columns):
                if name is not None:
                    value = row[index] if index < len(row) else None
                    values[name] = value.strip() if isinstance(value, str) else value
            result.append((number, values))
        return [c for c in columns if c], result
    finally:
        wb.close()


@transaction.atomic
def config_import(*, actor, table: ConfigTable, upload) -> dict:
    """Create or update the sheet's rows; every row validated as on the page; any error: nothing saved."""
    if not actor.can(CAPABILITY):
        raise PermissionDenied(_("只有系统管理员可以修改配置。"))
    if not importable(table):
        raise DomainError(_("“%(t)s”不能从 Excel 导入，请在页面上逐条新增。") % {"t": table.label}, {})
    columns, sheet = _read_sheet(table, upload)
    key = key_field(table)
    if not sheet:
        raise DomainError(_("表格中没有数据行。"), {})
    errors: list[tuple[int, str, str]] = []
    forms = []
    seen: dict = {}
    for number, values in sheet:
        instance = None
        identity = values.get(key) if key else values.get(ID_HEADER)
        if identity not in (None, ""):
            identity = str(int(identity)) if isinstance(identity, float) and identity.is_integer() else str(identity)
            if key and table.model._meta.get_field(key).choices:
                try:
                    identity = str(_form_value(table, key, identity))
                except ValueError as exc:
                    errors.append((number, excel_header(table, key), str(exc)))
                    continue
            if identity in seen:
                errors.append((number, excel_header(table, key) if key else ID_HEADER,
                               _("与第%(n)d行重复。") % {"n": seen[identity]}))
                continue
            seen[identity] = number
            lookup = {key: identity} if key else {"pk": identity}
            try:
                instance = table.model._default_manager.filter(**lookup).first()
            except (ValueError, ValidationError):
                instance = None
            if instance is None and not key:
                errors.append((number, ID_HEADER, _("没有编号为“%(v)s”的记录；新增的行请留空编号。") % {"v": identity}))
                continue
        editing = instance is not None
        names = [n for n in columns if n != ID_HEADER and not (editing and n in table.readonly_on_edit)]
        if not editing:
            names += [n for n in excel_fields(table) if n not in names and n in table.readonly_on_edit]
        data, row_errors = {}, []
        for name in names:
            try:
                data[name] = _form_value(table, name, values.get(name))
            except ValueError as exc:
                row_errors.append((number, excel_header(table, name), str(exc)))
        if editing:
            for name in table.readonly_on_edit:
                if name != key and name in values and values[name] not in (None, "") \
                        and str(values[name]) != str(_export_value(instance, name)):
                    row_errors.append((number, excel_header(table, name), _("创建后不能修改。")))
        # The cells that could be read are still checked, so one upload shows every error of the row.
        checked = [n for n in names if n in data]
        form_class = modelform_factory(table.model, form=table.form or ModelForm, fields=checked)
        form = form_class(data, instance=instance)
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = excel_header(table, name) if name in names else _("整行")
                row_errors.extend((number, column, m) for m in messages)
        if row_errors:
            errors.extend(row_errors)
            continue
        if editing and not form.has_changed():
            continue
        forms.append((number, form, editing))
    if errors:
        raise ImportRowsError(_("有 %(n)d 处错误，全部未导入；请改正后重新上传。") % {"n": len(errors)}, errors)
    created = updated = 0
    for number, form, editing in forms:
        try:
            config_save(actor=actor, table=table, form=form)
        except DomainError as exc:
            raise ImportRowsError(_("第%(n)d行未能保存，全部未导入。") % {"n": number},
                                  [(number, _("整行"), exc.message)]) from exc
        if editing:
            updated += 1
        else:
            created += 1
    result = {"created": created, "updated": updated, "unchanged": len(sheet) - created - updated}
    audit_record(actor=actor, action=AuditAction.IMPORT, object_type=table.object_type,
                 detail={"table": table.key, "rows": len(sheet), **result})
    return result
