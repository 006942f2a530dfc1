"""Reads of inspections within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shequ.core.scoping import filter_by_scope

from ..models import Inspection


def inspection_list(*, user) -> QuerySet:
    """Inspections of the user's jurisdiction: a committee's where it was scored, a department's in the 街道 of
    the inspection."""
    return filter_by_scope(Inspection.objects.all(), user, "node").select_related(
        "template", "department", "committee", "inspector").order_by("-date", "-id")


def inspection_get(*, user, pk) -> Inspection:
    try:
        return inspection_list(user=user).get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404
