"""Writes of supervision (督查): an inspection scored on a sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError
from shequ.core.scoping import in_scope

from ..models import Inspection, InspectionScore, InspectionTemplate
from .common import require_text, sole_subdistrict


@transaction.atomic
def inspection_create(*, actor, template: InspectionTemplate, title: str, date: dt.date, department=None,
                      committee=None, scores: dict, note: str = "") -> Inspection:
    """A supervision round scored on a sheet: each item between 0 and its points."""
    title = require_text(title, "title", _("请填写督查主题。"))
    if template.target == "department" and department is None:
        raise DomainError(_("请选择被督查的部门。"), {"department": [_("必填。")]})
    if template.target == "area" and committee is None:
        raise DomainError(_("请选择被督查的居民区。"), {"committee": [_("必填。")]})
    if committee is not None and not in_scope(actor, committee):
        raise DomainError(_("该居民区不在您的管辖范围内。"), {"committee": [_("超出管辖范围。")]})
    node = committee or sole_subdistrict(actor)
    if node is None:
        raise DomainError(_("您的管辖范围不止一个街道，请选择被督查的居民区。"), {"committee": [_("请选择居民区。")]})
    items = list(template.items.all())
    errors, rows, total = {}, [], 0
    for item in items:
        raw = scores.get(item.pk, scores.get(str(item.pk)))
        try:
            points = Decimal(str(raw))
        except (InvalidOperation, TypeError, ValueError):
            errors[f"item_{item.pk}"] = [_("“%(n)s”须填写分数。") % {"n": item.name}]
            continue
        if points < 0 or points > item.max_points:
            errors[f"item_{item.pk}"] = [_("“%(n)s”得分须在0到%(m)s之间。") % {"n": item.name, "m": item.max_points}]
            continue
        rows.append((item, points))
        total += points
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    inspection = Inspection.objects.create(template=template, title=title[:100], date=date, department=department,
                                           committee=committee, node=node, inspector=actor, total=total,
                                           note=(note or "")[:500])
    InspectionScore.objects.bulk_create([InspectionScore(inspection=inspection, item=i, points=p) for i, p in rows])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=inspection,
                 detail={"template": template.name, "total": str(total), "target": inspection.target_name})
    return inspection
