"""Figures other modules read (the leader's cockpit, the monthly brief): the evaluation indicators of the user's
committees, the open cases per committee, and the 12345 三率. Scoped like every grid read."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Q

from shequ.core.choices import NodeKind
from shequ.core.scoping import filter_by_scope, scope_is_whole_tree, scope_node_ids

from ..choices import OPEN_STATUS_LIST, HotlineStatus, Resolution, Satisfaction
from ..models import Case, HotlineOrder


def _committees(user, committee_ids=None):
    if user is None:
        return committee_ids
    ids = None if scope_is_whole_tree(user) else scope_node_ids(user, NodeKind.COMMITTEE)
    if committee_ids is not None:
        ids = set(committee_ids) if ids is None else ids & set(committee_ids)
    return ids


def indicators(*, user, start: dt.date, end: dt.date, by: str = "total", committee_ids=None) -> list[dict]:
    """`stats.indicators` (结案率, 按期结案率 …) over the user's committees (optionally some of them)."""
    from .. import stats

    return stats.indicators(start=start, end=end, by=by, node_ids=_committees(user, committee_ids))


assert all(value.replace("_", "").isalpha() for value in OPEN_STATUS_LIST)
_OPEN_SQL = '"grid_case"."status" IN (%s)' % ", ".join(f"'{value}'" for value in OPEN_STATUS_LIST)


def open_cases(qs, field: str, ids):
    """The open cases of `qs` whose `field` (committee_id, grid_id) is one of `ids`, read from the open-case index
    (`grid_case_open`): its condition is written out with its constants (SQLite uses a partial index only when
    the query repeats its condition term for term, which bound parameters never do), and on SQLite the id test
    is kept off every other index (`+column`), which the planner otherwise prefers: it then walked a committee
    index over every case (2.8 s a count at a million cases, three counts in a cold cockpit → 0.04 s)."""
    ids = list(ids)
    if not ids:
        return qs.none()
    prefix = "+" if connection.vendor == "sqlite" else ""
    return qs.extra(where=[_OPEN_SQL, f'{prefix}"grid_case"."{field}" IN ({", ".join(["%s"] * len(ids))})'],
                    params=ids)


def open_by_committee(*, user, committee_ids=None) -> dict[int, int]:
    ids = _committees(user, committee_ids)
    if ids is None:
        qs = Case.objects.extra(where=[_OPEN_SQL])  # the open-case index's own condition: reads it only
    else:
        qs = open_cases(Case.objects.all(), "committee_id", ids)
    return dict(qs.values("committee_id").annotate(n=Count("id")).order_by().values_list("committee_id", "n"))


def hotline_rates(*, user, start: dt.date, end: dt.date, node_ids=None) -> dict:
    """12345 三率 of the orders received in [start, end] (the reading shown with the figures):
    先行联系率 = orders whose first contact was recorded within its limit (1 working day after 签收) ÷
    (received − merged); 实际解决率 = replies recorded as 实际解决 ÷ replies with a resolution;
    满意率 = (满意 + 基本满意) ÷ return visits with an answer."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = HotlineOrder.objects.filter(received_at__gte=lo, received_at__lt=hi)
    qs = filter_by_scope(qs, user, "node") if user is not None else qs
    if node_ids is not None:
        qs = qs.filter(node_id__in=node_ids)
    row = qs.aggregate(
        received=Count("id"),
        contacted=Count("id", filter=Q(contact_on_time=True)),
        resolved=Count("id", filter=~Q(resolution="")),
        solved=Count("id", filter=Q(resolution=Resolution.SOLVED)),
        merged=Count("id", filter=Q(status=HotlineStatus.MERGED)),
        closed=Count("id", filter=Q(closed_at__isnull=False)),
        visited=Count("id", filter=~Q(satisfaction="")),
        satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])))

    def pct(a, b):
        return round(a * 100.0 / b, 1) if b else None

    row["contact_rate"] = pct(row["contacted"], row["received"] - row["merged"])
    row["solve_rate"] = pct(row["solved"], row["resolved"])
    row["satisfaction_rate"] = pct(row["satisfied"], row["visited"])
    return row
