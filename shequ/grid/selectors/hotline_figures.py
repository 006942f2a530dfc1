"""Monthly 12345 figures of a 街道, by committee and by handling unit, with a ranking.

Each rate is one published formula (`RATES`, shown on the page and in the export) over the orders dispatched to the
街道 in the month (并单 not counted). A rate without a denominator is None ("无数据"), never 0 or 100 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import NodeKind
from shequ.core.models import Node
from shequ.core.scoping import ancestor_codes, filter_by_scope
from shequ.core.workcal import month_end

from ..choices import HotlineStatus, RequestKind, RequestStatus, Resolution, Satisfaction, TaskStatus
from ..models import HotlineOrder, HotlineRequest, HotlineTask


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    numerator: str  # the count keys of a row
    denominator: str
    formula: str


RATES = (
    Rate("sign", gettext_lazy("按时签收率"), "signed_on_time", "due",
         gettext_lazy("在签收时限内签收的工单 ÷ 当月派单工单（不含并单）")),
    Rate("contact", gettext_lazy("先行联系率"), "contacted_on_time", "due",
         gettext_lazy("签收后1个工作日内先行联系来电人的工单 ÷ 当月派单工单（不含并单）")),
    Rate("reply", gettext_lazy("按时答复率"), "replied_on_time", "reply_due",
         gettext_lazy("在答复时限（含获批延期）内答复的工单 ÷ 应答复工单（已答复 + 已过答复时限仍未答复）")),
    Rate("solve", gettext_lazy("实际解决率"), "solved", "judged",
         gettext_lazy("答复为“实际解决”的工单 ÷ 已答复工单（不含“不具备解决条件”）")),
    Rate("satisfaction", gettext_lazy("满意率"), "satisfied", "visited",
         gettext_lazy("回访“满意”与“基本满意”的工单 ÷ 已回访工单")),
    Rate("return", gettext_lazy("退单率"), "returned", "due",
         gettext_lazy("退单获批的工单 ÷ 当月派单工单（不含并单），越低越好")),
    Rate("reopen", gettext_lazy("重办率"), "reopened", "replied",
         gettext_lazy("答复后因回访不满意或平台重新派回而重办的工单 ÷ 已答复工单，越低越好")),
)
LOWER_IS_BETTER = frozenset({"return", "reopen"})
COUNTS = ("due", "signed_on_time", "contacted_on_time", "reply_due", "replied_on_time", "replied", "judged", "solved",
          "visited", "satisfied", "returned", "reopened")


def rate_codes() -> list[str]:
    return [r.code for r in RATES]


def _pct(a: int, b: int) -> float | None:
    return round(a * 100.0 / b, 1) if b else None


def _row(key: str, name: str) -> dict:
    return {"key": key, "name": name, **{c: 0 for c in COUNTS}}


def _finish(row: dict) -> dict:
    row["rates"] = {r.code: _pct(row[r.numerator], row[r.denominator]) for r in RATES}
    return row


def _rank(rows: list[dict], by: str) -> list[dict]:
    """Rank on `by` (the best first; a lower 退单率/重办率 is better); rows without data come last, unranked."""
    lower = by in LOWER_IS_BETTER
    with_data = sorted((r for r in rows if r["rates"][by] is not None),
                       key=lambda r: (r["rates"][by] if lower else -r["rates"][by], r["name"]))
    rank, previous = 0, object()
    for position, row in enumerate(with_data, start=1):
        if row["rates"][by] != previous:
            rank, previous = position, row["rates"][by]
        row["rank"] = rank
    without = sorted((r for r in rows if r["rates"][by] is None), key=lambda r: r["name"])
    for row in without:
        row["rank"] = None
    return with_data + without


def hotline_figures(*, user, month: dt.date, rank_by: str = "reply") -> dict:
    """The month's figures of the orders in the user's jurisdiction: `total`, `committees` and `units` (each row
    its counts, `rates` and `rank` on `rank_by`)."""
    if rank_by not in rate_codes():
        rank_by = "reply"
    start = month.replace(day=1)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(month_end(start) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    now = timezone.now()
    returned = HotlineRequest.objects.filter(order=OuterRef("pk"), kind=RequestKind.RETURN,
                                             status=RequestStatus.APPROVED)
    orders = (filter_by_scope(HotlineOrder.objects.all(), user, "node")
              .filter(received_at__gte=lo, received_at__lt=hi).exclude(status=HotlineStatus.MERGED)
              .select_related("node", "case__unit").annotate(return_approved=Exists(returned)))
    orders = list(orders)
    tasks: dict[int, HotlineTask] = {}
    for task in (HotlineTask.objects.filter(order__in=[o.pk for o in orders]).exclude(status=TaskStatus.CANCELLED)
                 .select_related("department", "committee").order_by("assigned_at", "id")):
        tasks.setdefault(task.order_id, task)  # the first unit the work went to answers for it
    committees = {n.code: n for n in Node.objects.filter(kind=NodeKind.COMMITTEE, code__in={
        c for o in orders for c in ancestor_codes(o.node)})}
    total = _row("total", _("合计"))
    by_committee: dict[str, dict] = {}
    by_unit: dict[str, dict] = {}
    for order in orders:
        committee = next((committees[c] for c in ancestor_codes(order.node) if c in committees), None)
        crow = by_committee.setdefault(committee.code if committee else "-", _row(
            committee.code if committee else "-", committee.name if committee else _("未定位到居委会")))
        task = tasks.get(order.pk)
        if task is not None:
            ukey, uname = (f"dept:{task.department.code}", task.department.name) if task.department_id else (
                f"committee:{task.committee.code}", task.committee.name)
        elif order.case_id and order.case.unit_id:
            ukey, uname = f"dept:{order.case.unit.code}", order.case.unit.name
        else:
            ukey, uname = "desk", _("城运中心直接办理")
        urow = by_unit.setdefault(ukey, _row(ukey, uname))
        for row in (total, crow, urow):
            _count(row, order, now)
    rows_c = _rank([_finish(r) for r in by_committee.values()], rank_by)
    rows_u = _rank([_finish(r) for r in by_unit.values()], rank_by)
    return {"month": start, "rank_by": rank_by, "total": _finish(total), "committees": rows_c, "units": rows_u,
            "rates": RATES}


def _count(row: dict, order: HotlineOrder, now: dt.datetime) -> None:
    row["due"] += 1
    if order.signed_at and order.sign_due and order.signed_at <= order.sign_due:
        row["signed_on_time"] += 1
    if order.contact_on_time:
        row["contacted_on_time"] += 1
    if order.replied_at:
        row["replied"] += 1
        row["reply_due"] += 1
        if order.reply_due is None or order.replied_at <= order.reply_due:
            row["replied_on_time"] += 1
    elif order.status == HotlineStatus.SIGNED and order.reply_due and order.reply_due < now:
        row["reply_due"] += 1
    if order.resolution and order.resolution != Resolution.NOT_FEASIBLE:
        row["judged"] += 1
        if order.resolution == Resolution.SOLVED:
            row["solved"] += 1
    if order.satisfaction:
        row["visited"] += 1
        if order.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC):
            row["satisfied"] += 1
    if order.return_approved:
        row["returned"] += 1
    if order.reopen_count and order.replied_at:
        row["reopened"] += 1


def hotline_figures_table(figures: dict) -> list[list]:
    """The export's rows: a title, the formulas, then each table with its rank (无数据 where a rate has none)."""
    rates = figures["rates"]
    head = [_("排名"), _("名称"), _("派单数"), *[str(r.label) for r in rates]]

    def line(row):
        return [row["rank"] if row.get("rank") else "—", row["name"], row["due"],
                *[(f"{row['rates'][r.code]}%" if row["rates"][r.code] is not None else _("无数据")) for r in rates]]

    month = figures["month"]
    out = [[_("%(y)d年%(m)d月 12345工单考核") % {"y": month.year, "m": month.month}], []]
    out += [[str(r.label), str(r.formula)] for r in rates]
    ranked = next(str(r.label) for r in rates if r.code == figures["rank_by"])
    for title, rows in ((_("按居委会"), figures["committees"]), (_("按承办单位"), figures["units"])):
        out += [[], [_("%(t)s（按%(r)s排名）") % {"t": title, "r": ranked}], head]
        out += [line(r) for r in rows]
    out += [[], [_("合计")], head[1:], line(figures["total"])[1:]]
    return out
