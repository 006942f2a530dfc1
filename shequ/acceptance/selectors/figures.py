"""Figures for the supervisor dashboard and the monthly assessment (统一考核): per clerk, window or department.

Definitions (shown on the figures page and in the assessment sheet):
- 服务人次: tickets finished (办理完成); 过号: tickets marked no-show.
- 平均等候: first call − ticket time; 平均办理: finish − start; in minutes, over the tickets that have both.
- 办结率: cases accepted in the period that are 办结 (completed or delivered) / cases accepted.
- 按期办结率: of those completed, the share completed on or before the due date.
- 好评率: ratings of 3 stars (基本满意) and above / all ratings; a 差评 whose appeal was upheld is not counted.
- 月度考核得分 (per clerk): the active 受理员月度考核 sheet of the targets module (editable data), scored from the
  clerk's 超期未办结, 差评, 排班未到岗 (a past rota half-day without any call of his) and 一次告知差错 (cases he
  received that the back office returned for 补正).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids
from shequ.targets import selectors as targets
from shequ.targets.selectors import Measure, SheetUse

from ..choices import CASE_CLOCK_RUNNING, CaseStatus, RectificationStatus, TicketStatus
from ..models import Case, Review, Ticket


def _range(date_from: dt.date, date_to: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
            dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class Row:
    key: object
    label: str
    served: int = 0
    no_shows: int = 0
    waits: list = field(default_factory=list)
    handles: list = field(default_factory=list)
    received: int = 0
    accepted: int = 0
    notices: int = 0
    rongque: int = 0
    rejected: int = 0
    completed: int = 0
    on_time: int = 0
    overdue_open: int = 0
    reviews: int = 0
    good: int = 0
    poor: int = 0
    half_days: int = 0
    absent: int = 0
    notice_errors: int = 0
    score: object = None  # Decimal from the clerk sheet, None without one (or on a total row)

    @property
    def avg_wait(self):
        return _mean(self.waits)

    @property
    def avg_handle(self):
        return _mean(self.handles)

    @property
    def completion_rate(self):
        return _rate(self.completed, self.accepted)

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.completed)

    @property
    def good_rate(self):
        return _rate(self.good, self.reviews)

    def occurrences(self) -> dict:
        """What the clerk sheet's items count, by measure."""
        return {Measure.OVERDUE: self.overdue_open, Measure.POOR: self.poor, Measure.ABSENT: self.absent,
                Measure.NOTICE_ERROR: self.notice_errors}


def clerk_sheet():
    """The active 受理员月度考核 sheet and its layout (sections with items), or (None, [])."""
    sheet = targets.sheet_for_use(SheetUse.CLERK_MONTH)
    return (sheet, targets.sheet_layout(sheet=sheet)) if sheet else (None, [])


def figures(*, user, by: str, date_from: dt.date, date_to: dt.date) -> list[Row]:
    """Rows per clerk ("clerk"), window ("window") or department ("department") for the period."""
    from shequ.core.models import Department, User

    from ..models import RotaSlot, Window

    nodes = scope_node_ids(user, NodeKind.SUBDISTRICT)
    start, end = _range(date_from, date_to)
    today = timezone.localdate()
    rows: dict[object, Row] = {}

    def row(key) -> Row | None:
        if key is None:
            return None
        if key not in rows:
            rows[key] = Row(key=key, label="")
        return rows[key]

    if by in ("clerk", "window"):
        key_field = "clerk_id" if by == "clerk" else "window_id"
        for key, status, issued, called, started, finished in Ticket.objects.filter(
                node_id__in=nodes, day__gte=date_from, day__lte=date_to).exclude(**{f"{key_field}": None}).values_list(
                key_field, "status", "issued_at", "called_at", "started_at", "finished_at").iterator():
            r = row(key)
            if called:
                r.waits.append((called - issued).total_seconds() / 60)
            if status == TicketStatus.DONE:
                r.served += 1
                if started and finished:
                    r.handles.append((finished - started).total_seconds() / 60)
            elif status == TicketStatus.NO_SHOW:
                r.no_shows += 1
    case_key = {"clerk": "received_by_id", "window": "ticket__window_id", "department": "department_id"}[by]
    accept_key = {"clerk": "accepted_by_id", "window": "ticket__window_id", "department": "department_id"}[by]
    for rkey, akey, status, accepted_at, notice_at, promise, completed_at, on_time, due, returns in \
            Case.objects.filter(node_id__in=nodes, received_at__gte=start, received_at__lt=end).values_list(
            case_key, accept_key, "status", "accepted_at", "notice_at", "promise_signed", "completed_at", "on_time",
            "due_date", "return_count").iterator():
        r = row(rkey)
        if r is not None:
            r.received += 1
            r.notices += 1 if notice_at else 0
            r.rejected += 1 if status == CaseStatus.REJECTED else 0
            r.notice_errors += 1 if returns else 0
        a = row(akey) if accepted_at else None
        if a is not None:
            a.accepted += 1
            a.rongque += 1 if promise else 0
            if completed_at:
                a.completed += 1
                a.on_time += 1 if on_time else 0
            elif status in CASE_CLOCK_RUNNING and due and due < today:
                a.overdue_open += 1
    review_key = {"clerk": "clerk_id", "window": "window_id", "department": "department_id"}[by]
    for key, score, voided in Review.objects.filter(node_id__in=nodes, created_at__gte=start, created_at__lt=end)\
            .values_list(review_key, "score", "rectification__status").iterator():
        r = row(key)
        if r is None or voided == RectificationStatus.VOIDED:
            continue
        r.reviews += 1
        r.good += 1 if score >= 3 else 0
        r.poor += 1 if score <= 2 else 0
    if by == "clerk":
        for clerk_id, n in RotaSlot.objects.filter(window__node_id__in=nodes, date__gte=date_from,
                                                   date__lte=date_to).values_list("clerk").annotate(n=Count("id")):
            row(clerk_id).half_days = n
        _absences(rows, nodes, date_from, min(date_to, today - dt.timedelta(days=1)))
        sheet, layout = clerk_sheet()
        if sheet is not None:
            for r in rows.values():
                r.score = targets.score_from_data(layout=layout, occurrences=r.occurrences())
        users = {u.pk: u for u in User.objects.filter(pk__in=rows.keys())}
        for key, r in rows.items():
            r.key = users.get(key)
            r.label = users[key].display_name if key in users else "—"
    elif by == "window":
        windows = {w.pk: w for w in Window.objects.filter(pk__in=rows.keys())}
        for key, r in rows.items():
            r.key = windows.get(key)
            r.label = str(windows[key]) if key in windows else "—"
    else:
        departments = {d.pk: d for d in Department.objects.filter(pk__in=rows.keys())}
        for key, r in rows.items():
            r.key = departments.get(key)
            r.label = departments[key].short_name if key in departments else "—"
    return sorted(rows.values(), key=lambda r: (-r.served, -r.accepted, r.label))


def _absences(rows: dict, nodes, date_from: dt.date, date_to: dt.date) -> None:
    """排班未到岗: the clerk's rota half-days up to yesterday on which he called no ticket (morning before noon)."""
    from ..models import RotaSlot

    if date_to < date_from:
        return
    called = set()
    for clerk_id, day, at in Ticket.objects.filter(node_id__in=nodes, day__gte=date_from, day__lte=date_to,
                                                   called_at__isnull=False).exclude(clerk=None).values_list(
            "clerk_id", "day", "called_at").iterator():
        called.add((clerk_id, day, "am" if timezone.localtime(at).hour < 12 else "pm"))
    for clerk_id, day, half in RotaSlot.objects.filter(window__node_id__in=nodes, date__gte=date_from,
                                                       date__lte=date_to).values_list("clerk_id", "date", "half"):
        if (clerk_id, day, half) not in called and clerk_id in rows:
            rows[clerk_id].absent += 1
        elif (clerk_id, day, half) not in called:
            rows[clerk_id] = Row(key=clerk_id, label="", absent=1)


def totals(rows: list[Row]) -> Row:
    total = Row(key=None, label="合计")
    for r in rows:
        for name in ("served", "no_shows", "received", "accepted", "notices", "rongque", "rejected", "completed",
                     "on_time", "overdue_open", "reviews", "good", "poor", "half_days", "absent", "notice_errors"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.waits += r.waits
        total.handles += r.handles
    return total


def today_figures(*, node) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    tickets = Ticket.objects.filter(node=node, day=today)
    counts = tickets.aggregate(issued=Count("id"), waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
                               served=Count("id", filter=Q(status=TicketStatus.DONE)),
                               no_show=Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
                               priority=Count("id", filter=Q(priority=True)))
    waits, handles = [], []
    hours_issued, hours_served = defaultdict(int), defaultdict(int)
    for issued, called, started, finished, status in tickets.values_list("issued_at", "called_at", "started_at",
                                                                         "finished_at", "status"):
        hours_issued[timezone.localtime(issued).hour] += 1
        if called:
            waits.append((called - issued).total_seconds() / 60)
        if status == TicketStatus.DONE and started and finished:
            handles.append((finished - started).total_seconds() / 60)
            hours_served[timezone.localtime(finished).hour] += 1
    oldest = tickets.filter(status=TicketStatus.WAITING).order_by("issued_at").first()
    start, end = _range(today, today)
    cases = Case.objects.filter(node=node)
    received = cases.filter(received_at__gte=start, received_at__lt=end)
    case_counts = received.aggregate(
        received=Count("id"), accepted=Count("id", filter=Q(accepted_at__isnull=False)),
        notices=Count("id", filter=Q(notice_at__isnull=False)),
        rongque=Count("id", filter=Q(promise_signed=True)),
        rejected=Count("id", filter=Q(status=CaseStatus.REJECTED)))
    completed_today = cases.filter(completed_at__gte=start, completed_at__lt=end).count()
    delivered_today = cases.filter(delivered_at__gte=start, delivered_at__lt=end).count()
    reviews = Review.objects.filter(node=node, created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("id"), good=Count("id", filter=Q(score__gte=3)))
    hours = list(range(8, 18))
    return {
        **counts, "avg_wait": _mean(waits), "avg_handle": _mean(handles),
        "longest_wait": int((now - oldest.issued_at).total_seconds() // 60) if oldest else 0,
        "longest_ticket": oldest.number if oldest else "",
        **{f"case_{k}": v for k, v in case_counts.items()},
        "completed": completed_today, "delivered": delivered_today,
        "reviews": reviews["n"], "good_rate": _rate(reviews["good"], reviews["n"]),
        "chart": {"hours": [f"{h}时" for h in hours], "issued": [hours_issued.get(h, 0) for h in hours],
                  "served": [hours_served.get(h, 0) for h in hours]},
    }


def review_rate(*, user, date_from: dt.date, date_to: dt.date) -> tuple[int, int]:
    """(good, all) ratings of the period in the user's 街道s, by the 好评率 definition above (a 差评 whose appeal was
    upheld is not counted). One aggregate, for the targets (指标) that follow 好评率."""
    start, end = _range(date_from, date_to)
    counts = Review.objects.filter(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT), created_at__gte=start,
                                   created_at__lt=end).exclude(rectification__status=RectificationStatus.VOIDED)\
        .aggregate(n=Count("id"), good=Count("id", filter=Q(score__gte=3)))
    return counts["good"], counts["n"]
