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
                                        action=AuditAction.CONFIG).order_by("-at", "-id")[:20])


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
