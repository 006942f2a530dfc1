"""The computed targets of this module (eco households). The other modules declare theirs on their own selectors
(`grid/target_computers.py`, `acceptance/target_computers.py`, `health/target_computers.py`): they read the
targets through its selectors and services, so importing them from here would be a cycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from .choices import EcoKind, EcoStatus
from .hooks import Computer, Figure, computer
from .models import EcoHousehold


def _households(kind: str):
    def compute(*, user, start: dt.date, end: dt.date) -> Figure:
        committees = scope_node_ids(user, NodeKind.COMMITTEE)
        rows = (EcoHousehold.objects.filter(committee_id__in=committees, kind=kind, status=EcoStatus.CERTIFIED,
                                            certified_on__gte=start, certified_on__lte=end)
                .values("committee_id").annotate(n=Count("id")).order_by())
        counts = {r["committee_id"]: Decimal(r["n"]) for r in rows}
        return Figure(Decimal(sum(counts.values())), counts)
    return compute


computer(Computer("targets.eco_households", _("生态文明户数"), _households(EcoKind.ECO),
                  _("截至期末已认定的生态文明户"), cumulative=True))
computer(Computer("targets.low_carbon_homes", _("低碳之家数"), _households(EcoKind.LOW_CARBON),
                  _("截至期末已认定的低碳之家"), cumulative=True))
