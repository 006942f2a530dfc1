"""Acceptance figures by the applicant's residents' committee, for the cockpit's drill-down (街道 → 居委会).

A case carries the committee of its applicant when the applicant is a registered resident (`Case.committee`, set
at intake from the registry); an applicant from outside the registry (a non-resident, a company's agent) has
none, and such cases are counted apart (`None`) so the page can say how much of the centre's work is not
attributable to any committee. Same definitions as `figures` (办结率 over the cases accepted, 好评率 and 差评 over
the ratings, an upheld appeal not counted), in two grouped queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from ..choices import RectificationStatus
from ..models import Case, Review
from .figures import _range, _rate


def committee_figures(*, user, date_from: dt.date, date_to: dt.date,
                      committee_ids: list[int] | None = None) -> dict[int | None, dict]:
    """{committee id (None: no registered applicant): {received, accepted, completed, completion_rate,
    on_time_rate, reviews, good_rate, poor}} of the cases received in [date_from, date_to] at the centres of the
    user's 街道s. `committee_ids` narrows to those committees (the unattributed row is then left out)."""
    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    start, end = _range(date_from, date_to)
    cases = Case.objects.filter(node_id__in=centres, received_at__gte=start, received_at__lt=end)
    reviews = Review.objects.filter(node_id__in=centres, created_at__gte=start, created_at__lt=end,
                                    case__isnull=False).exclude(rectification__status=RectificationStatus.VOIDED)
    if committee_ids is not None:
        cases = cases.filter(committee_id__in=committee_ids)
        reviews = reviews.filter(case__committee_id__in=committee_ids)
    accepted = Q(accepted_at__isnull=False)
    out: dict[int | None, dict] = {}
    for r in cases.values("committee_id").annotate(
            received=Count("id"), accepted=Count("id", filter=accepted),
            completed=Count("id", filter=accepted & Q(completed_at__isnull=False)),
            on_time=Count("id", filter=accepted & Q(completed_at__isnull=False, on_time=True))).order_by():
        out[r["committee_id"]] = {"received": r["received"], "accepted": r["accepted"], "completed": r["completed"],
                                  "completion_rate": _rate(r["completed"], r["accepted"]),
                                  "on_time_rate": _rate(r["on_time"], r["completed"]),
                                  "reviews": 0, "good_rate": None, "poor": 0}
    for r in reviews.values("case__committee_id").annotate(
            n=Count("id"), good=Count("id", filter=Q(score__gte=3)), poor=Count("id", filter=Q(score__lte=2))) \
            .order_by():
        row = out.setdefault(r["case__committee_id"], {"received": 0, "accepted": 0, "completed": 0,
                                                       "completion_rate": None, "on_time_rate": None})
        row.update(reviews=r["n"], good_rate=_rate(r["good"], r["n"]), poor=r["poor"])
    return out


def month_totals(*, user, date_from: dt.date, date_to: dt.date) -> dict:
    """The centre-wide totals of `figures` for the cockpit, as three aggregates in the database instead of a walk
    over every case of the period in Python: 服务人次 (tickets finished), cases received / accepted / completed
    (on time), 办结率, 按期办结率, ratings, 好评率 and 差评 (upheld appeals not counted)."""
    from ..choices import TicketStatus
    from ..models import Ticket

    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    start, end = _range(date_from, date_to)
    accepted = Q(accepted_at__isnull=False)
    c = Case.objects.filter(node_id__in=centres, received_at__gte=start, received_at__lt=end).aggregate(
        received=Count("id"), accepted=Count("id", filter=accepted),
        completed=Count("id", filter=accepted & Q(completed_at__isnull=False)),
        on_time=Count("id", filter=accepted & Q(completed_at__isnull=False, on_time=True)))
    r = Review.objects.filter(node_id__in=centres, created_at__gte=start, created_at__lt=end).exclude(
        rectification__status=RectificationStatus.VOIDED).aggregate(
        n=Count("id"), good=Count("id", filter=Q(score__gte=3)), poor=Count("id", filter=Q(score__lte=2)))
    served = Ticket.objects.filter(node_id__in=centres, day__gte=date_from, day__lte=date_to,
                                   status=TicketStatus.DONE).count()
    return {"received": c["received"], "accepted": c["accepted"], "completed": c["completed"],
            "completion_rate": _rate(c["completed"], c["accepted"]), "on_time_rate": _rate(c["on_time"], c["completed"]),
            "poor": r["poor"], "reviews": r["n"], "good_rate": _rate(r["good"], r["n"]), "served": served}


def received_by_month(*, user, months: list[dt.date], date_to: dt.date) -> dict[dt.date, int]:
    """Cases received in each month of `months` (first days, ascending; the last runs to `date_to`): one counted
    range per month on the (centre, received_at) index, no date truncation function over every row."""
    centres = scope_node_ids(user, NodeKind.SUBDISTRICT)
    out = {}
    for i, month in enumerate(months):
        last = months[i + 1] - dt.timedelta(days=1) if i + 1 < len(months) else date_to
        start, end = _range(month, last)
        out[month] = Case.objects.filter(node_id__in=centres, received_at__gte=start, received_at__lt=end).count()
    return out
