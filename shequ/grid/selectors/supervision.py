"""Reads of inspections within the user's jurisdiction, and the scoring sheets they are scored on (the targets
module's sheets of use 大联动督查, read through its selectors)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shequ.core.scoping import filter_by_scope
from shequ.targets import selectors as targets
from shequ.targets.selectors import SheetUse

from ..models import Inspection, InspectionScore

# Which object a sheet's use inspects: a department (职能部门) or a residents' area (居民区).
SHEET_TARGET = {SheetUse.INSPECT_DEPARTMENT: "department", SheetUse.INSPECT_AREA: "area"}


def inspection_sheets():
    """The active supervision sheets, by name."""
    return targets.sheets_for_use(*SHEET_TARGET)


def sheet_target(sheet) -> str:
    """"department" or "area": what an inspection on this sheet scores."""
    return SHEET_TARGET.get(sheet.use, "area")


def inspection_sheet_layout(sheet) -> list:
    return targets.sheet_layout(sheet=sheet)


def inspection_list(*, user) -> QuerySet:
    """Inspections of the user's jurisdiction: a committee's where it was scored, a department's in the 街道 of
    the inspection."""
    return filter_by_scope(Inspection.objects.all(), user, "node").select_related(
        "sheet", "department", "committee", "inspector").order_by("-date", "-id")


def inspection_get(*, user, pk) -> Inspection:
    try:
        return inspection_list(user=user).get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404


def inspection_scores(*, inspection: Inspection) -> list[InspectionScore]:
    return list(inspection.scores.select_related("sheet_item", "sheet_item__section"))


def inspection_full_points(*, inspection: Inspection):
    return sum(s.sheet_item.max_points for s in inspection_scores(inspection=inspection))
