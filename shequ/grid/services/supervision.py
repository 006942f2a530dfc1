"""Writes of supervision (督查): an inspection scored on a scoring sheet of the targets module (use 大联动督查),
each item by its rule (points given, occurrences found × deduction, yes/no), through the targets' services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError
from shequ.core.inputs import check_length
from shequ.core.scoping import in_scope
from shequ.targets import services as targets

from ..models import Inspection, InspectionScore
from ..selectors.supervision import SHEET_TARGET, sheet_target
from .common import require_text, sole_subdistrict


@transaction.atomic
def inspection_create(*, actor, sheet, title: str, date: dt.date, department=None, committee=None, scores: dict,
                      note: str = "") -> Inspection:
    """A supervision round scored on a sheet: a mark for each item, by the item's rule."""
    if sheet.use not in SHEET_TARGET or not sheet.is_active:
        raise DomainError(_("请选择启用的大联动督查评分表。"), {"sheet": [_("不是督查评分表。")]})
    title = check_length(require_text(title, "title", _("请填写督查主题。")), 100, "title", _("督查主题"))
    note = check_length((note or "").strip(), 500, "note", _("督查意见"))
    target = sheet_target(sheet)
    if target == "department" and department is None:
        raise DomainError(_("请选择被督查的部门。"), {"department": [_("必填。")]})
    if target == "area" and committee is None:
        raise DomainError(_("请选择被督查的居民区。"), {"committee": [_("必填。")]})
    if committee is not None and not in_scope(actor, committee):
        raise DomainError(_("该居民区不在您的管辖范围内。"), {"committee": [_("超出管辖范围。")]})
    node = committee or sole_subdistrict(actor)
    if node is None:
        raise DomainError(_("您的管辖范围不止一个街道，请选择被督查的居民区。"), {"committee": [_("请选择居民区。")]})
    rows, total = targets.sheet_marks(sheet=sheet, marks=scores)
    inspection = Inspection.objects.create(sheet=sheet, title=title, date=date, department=department,
                                           committee=committee if target == "area" else None, node=node,
                                           inspector=actor, total=total, note=note)
    InspectionScore.objects.bulk_create([InspectionScore(inspection=inspection, sheet_item=item, mark=mark,
                                                         points=points) for item, mark, points in rows])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=inspection,
                 detail={"sheet": sheet.name, "total": str(total), "target": inspection.target_name})
    return inspection
