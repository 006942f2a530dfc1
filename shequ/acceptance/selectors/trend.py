"""The hall's last working days, day by day: people served and their average wait (the home page chart)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from ..choices import TicketStatus
from ..models import Ticket


def hall_days(*, user, days: int = 10) -> list[tuple]:
    """(day, served, average wait in minutes or None) for the last `days` days the hall issued numbers."""
    nodes = scope_node_ids(user, NodeKind.SUBDISTRICT)
    recent = list(Ticket.objects.filter(node_id__in=nodes, day__lte=timezone.localdate())
                  .values_list("day", flat=True).distinct().order_by("-day")[:days])
    if not recent:
        return []
    served: dict = defaultdict(int)
    waits: dict = defaultdict(list)
    for day, status, issued, called in Ticket.objects.filter(node_id__in=nodes, day__in=recent).values_list(
            "day", "status", "issued_at", "called_at").iterator():
        if status == TicketStatus.DONE:
            served[day] += 1
        if called:
            waits[day].append((called - issued).total_seconds() / 60)
    return [(day, served[day], round(sum(waits[day]) / len(waits[day]), 1) if waits[day] else None)
            for day in sorted(recent)]
