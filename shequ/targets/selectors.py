"""Reads of the targets module, scoped to the user's jurisdiction.

Which targets a user sees: those of the 街道s in or above his scope (a committee worker sees his 街道's targets,
a worker of another 街道 none). Their figures are always computed over the committees he sees: a committee
worker's 结案率 is his committee's, a leader's the whole 街道's. Anything outside is 404.

Progress (进度) is the share of the target reached: actual ÷ target for "higher is better", target ÷ actual for
"lower is better" (a lower actual is further ahead), in %. The traffic light compares it with where the target
should stand by now: for a rate the target itself, for a count that accumulates over the period (households,
volunteers) the share of the period elapsed. Green: at or ahead; yellow: within 80 % of it; red: behind that;
none: no figure yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Q, QuerySet
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.permissions import all_grants
from shequ.core.scoping import acting_subdistrict, in_scope, scope_node_ids, scope_paths, scoped_nodes
from shequ.core.text import pinyin_key

# Measure, Rule and SheetUse are also the sheet vocabulary other modules name through these selectors (what a
# sheet is for, where an item's count comes from, an item's rule).
from .choices import (AssessmentStatus, Combine, Direction, EcoStatus, EntryStatus, Measure, Rule,  # noqa: F401
                      SheetUse, Source)
from .hooks import computer_get, memo_reset
from .models import (Assessment, EcoHousehold, Evidence, Indicator, IndicatorEntry, ItemScore, PanelMember,
                     ScoreSheet, SheetItem, Snapshot)

YELLOW_SHARE = Decimal("0.8")
ONE_PLACE = Decimal("0.1")


# --- indicators ------------------------------------------------------------------------------------------------

def _visible_node_filter(user) -> Q:
    codes = {code for path in scope_paths(user) for code in path.strip("/").split("/") if code}
    return Q(node__code__in=codes) | Q(node_id__in=scope_node_ids(user))


def indicator_list(*, user, year: int | None = None) -> QuerySet[Indicator]:
    if not scope_paths(user):
        return Indicator.objects.none()
    qs = Indicator.objects.filter(_visible_node_filter(user), is_active=True).select_related("node",
                                                                                              "owner_department")
    if year is not None:
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    return qs


def indicator_get(*, user, pk) -> Indicator:
    try:
        return indicator_list(user=user).get(pk=int(pk))
    except (Indicator.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def indicator_committees(*, user, indicator: Indicator) -> list:
    """The committees of the indicator's 街道 the user sees."""
    return list(scoped_nodes(user, NodeKind.COMMITTEE).filter(path__startswith=indicator.node.path,
                                                                is_active=True))


def window(indicator: Indicator, year: int | None = None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a figure covers: the whole period (or the year asked), up to today."""
    today = today or timezone.localdate()
    first = dt.date(year or indicator.start_year, 1, 1)
    last = min(dt.date(year or indicator.end_year, 12, 31), today)
    return first, max(first, last)


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def progress_of(indicator: Indicator, actual: Decimal | None) -> Decimal | None:
    if actual is None or not indicator.target:
        return None
    if indicator.direction == Direction.LOWER:
        if actual <= 0:
            return Decimal(100)
        return _q(indicator.target * 100 / actual)
    return _q(actual * 100 / indicator.target)


def _cumulative(indicator: Indicator) -> bool:
    if indicator.source == Source.COMPUTED:
        found = computer_get(indicator.computer)
        return bool(found and found.cumulative)
    return indicator.combine == Combine.SUM


def expected_share(indicator: Indicator, today: dt.date | None = None) -> Decimal:
    """Where the target should stand today, as a share of it (1 for a rate)."""
    if not _cumulative(indicator):
        return Decimal(1)
    today = today or timezone.localdate()
    first, last = dt.date(indicator.start_year, 1, 1), dt.date(indicator.end_year, 12, 31)
    if today >= last:
        return Decimal(1)
    elapsed = max(0, (today - first).days + 1)
    return Decimal(elapsed) / Decimal((last - first).days + 1)


def light_of(indicator: Indicator, progress: Decimal | None, today: dt.date | None = None) -> str:
    if progress is None:
        return "none"
    expected = expected_share(indicator, today) * 100
    if progress >= expected:
        return "green"
    if progress >= expected * YELLOW_SHARE:
        return "yellow"
    return "red"


def _entered(indicator: Indicator, committees: list, first: dt.date, last: dt.date):
    """Each committee's latest approved value in the window, and the 街道's (sum or mean of those)."""
    latest: dict[int, Decimal] = {}
    for committee_id, value in (IndicatorEntry.objects.filter(
            indicator=indicator, status=EntryStatus.APPROVED, committee_id__in=[c.pk for c in committees],
            period__gte=first.replace(day=1), period__lte=last).order_by("period", "id")
            .values_list("committee_id", "value")):
        latest[committee_id] = value
    if not latest:
        return None, latest
    total = sum(latest.values(), Decimal(0))
    if indicator.combine == Combine.MEAN:
        total = total / len(latest)
    return _q(total), latest


def indicator_figure(*, user, indicator: Indicator, year: int | None = None, committees: list | None = None,
                     as_of: dt.date | None = None):
    """(actual, {committee id: value}) of one indicator for the user, over the window (up to `as_of`, today by
    default)."""
    first, last = window(indicator, year, today=as_of)
    if indicator.source == Source.ENTERED:
        committees = committees if committees is not None else indicator_committees(user=user, indicator=indicator)
        return _entered(indicator, committees, first, last)
    found = computer_get(indicator.computer)
    if found is None:
        return None, {}
    figure = found.compute(user=user, start=first, end=last)
    return _q(figure.value), {k: _q(v) for k, v in figure.committees.items()}


def _row(indicator: Indicator, actual, year) -> dict:
    progress = progress_of(indicator, actual)
    return {"code": indicator.code, "name": indicator.name, "unit": indicator.unit,
            "baseline": indicator.baseline, "target": indicator.target, "actual": actual, "progress": progress,
            "period": str(year) if year else indicator.period_label, "source": indicator.source,
            "light": light_of(indicator, progress)}


def _year(period) -> int | None:
    if period in (None, ""):
        return None
    try:
        year = int(str(period)[:4])
    except ValueError:
        raise ValueError("period") from None
    if not 2000 <= year <= 2100:
        raise ValueError("period")
    return year


def target_progress(*, user, period=None, committees: bool = False) -> list[dict]:
    """Every target the user sees with its live figure: [{code, name, unit, baseline, target, actual, progress,
    period, source ("computed"|"entered"), light ("green"|"yellow"|"red"|"none")}], plus `committees`
    ([{id, name, actual, progress, light}], the committees the user sees) when asked. `period`: None for the
    targets' whole period to date, or a year (2026 or "2026") for that year's figures. Decimals, None where no
    figure exists yet. An unreadable period is a ValueError."""
    year = _year(period)
    memo_reset(user)
    out = []
    for indicator in indicator_list(user=user, year=year):
        nodes = indicator_committees(user=user, indicator=indicator) if committees or \
            indicator.source == Source.ENTERED else None
        actual, by_committee = indicator_figure(user=user, indicator=indicator, year=year, committees=nodes)
        row = _row(indicator, actual, year)
        row["id"] = indicator.pk
        row["group"] = indicator.group
        row["direction"] = indicator.direction
        if committees:
            row["committees"] = []
            for node in nodes:
                value = by_committee.get(node.pk)
                p = progress_of(indicator, value)
                row["committees"].append({"id": node.pk, "name": node.name, "actual": value, "progress": p,
                                          "light": light_of(indicator, p)})
        out.append(row)
    return out


def indicator_trend(*, user, indicator: Indicator, months: int = 12) -> list[tuple[dt.date, Decimal | None]]:
    """The 街道's figure month by month: entered targets from the approved entries, computed ones from the
    nightly snapshots (the last of each month). Only a user who sees the whole 街道 gets its line; a committee
    worker gets his committee's."""
    committees = indicator_committees(user=user, indicator=indicator)
    whole = in_scope(user, indicator.node)
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    points: dict[dt.date, Decimal | None] = {}
    if indicator.source == Source.ENTERED:
        month = start
        while month <= today:
            end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            value, _by = _entered(indicator, committees, dt.date(indicator.start_year, 1, 1), end)
            points[month] = value
            month = end + dt.timedelta(days=1)
        return sorted(points.items())
    snaps = Snapshot.objects.filter(indicator=indicator, day__gte=start)
    if whole:
        snaps = snaps.filter(committee__isnull=True)
    elif len(committees) == 1:
        snaps = snaps.filter(committee=committees[0])
    else:
        return []
    for day, value in snaps.order_by("day").values_list("day", "value"):
        points[day.replace(day=1)] = value
    return sorted(points.items())


def entry_list(*, user, indicator: Indicator | None = None, status: str = "") -> QuerySet[IndicatorEntry]:
    qs = IndicatorEntry.objects.filter(committee_id__in=scope_node_ids(user, NodeKind.COMMITTEE),
                                       indicator__in=indicator_list(user=user))\
        .select_related("indicator", "committee", "submitted_by", "decided_by")
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    if status:
        qs = qs.filter(status=status)
    return qs


def entry_get(*, user, pk) -> IndicatorEntry:
    try:
        return entry_list(user=user).get(pk=int(pk))
    except (IndicatorEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def entry_visible(*, user, entry: IndicatorEntry) -> bool:
    return entry.committee_id in scope_node_ids(user, NodeKind.COMMITTEE)


def entered_indicators(*, user) -> QuerySet[Indicator]:
    return indicator_list(user=user, year=timezone.localdate().year).filter(source=Source.ENTERED)


def count_entries_pending(user) -> int:
    return entry_list(user=user, status=EntryStatus.SUBMITTED).count()


# --- eco households --------------------------------------------------------------------------------------------

def eco_list(*, user, kind: str = "", status: str = "", committee_id=None, search: str = "") -> QuerySet:
    qs = EcoHousehold.objects.filter(committee_id__in=scope_node_ids(user, NodeKind.COMMITTEE))\
        .select_related("committee")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(address__contains=search) | Q(certificate_no=search))
    return qs


def eco_get(*, user, pk) -> EcoHousehold:
    try:
        return eco_list(user=user).get(pk=int(pk))
    except (EcoHousehold.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def eco_visible(*, user, household: EcoHousehold) -> bool:
    return household.committee_id in scope_node_ids(user, NodeKind.COMMITTEE)


def count_eco_pending(user) -> int:
    return eco_list(user=user, status=EcoStatus.APPLIED).count()


# --- scoring sheets and assessments ----------------------------------------------------------------------------

def sheet_list(*, active_only: bool = True) -> QuerySet[ScoreSheet]:
    qs = ScoreSheet.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def sheet_get(*, pk) -> ScoreSheet:
    try:
        return ScoreSheet.objects.get(pk=int(pk))
    except (ScoreSheet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sheet_layout(*, sheet: ScoreSheet) -> list:
    """The sheet's sections with their items (two queries), in order."""
    sections = list(sheet.sections.all())
    items: dict[int, list] = {s.pk: [] for s in sections}
    for item in SheetItem.objects.filter(section__sheet=sheet).order_by("section__order", "order", "id"):
        items[item.section_id].append(item)
    return [(s, items[s.pk]) for s in sections]


def assessment_list(*, user) -> QuerySet[Assessment]:
    """Assessments of the 街道s in the user's scope, and any on whose panel the user sits."""
    if not getattr(user, "is_authenticated", False):
        return Assessment.objects.none()
    return Assessment.objects.filter(Q(node_id__in=scope_node_ids(user, NodeKind.SUBDISTRICT))
                                     | Q(panel__expert=user)).distinct().select_related("sheet", "node")


def assessment_get(*, user, pk) -> Assessment:
    try:
        return assessment_list(user=user).get(pk=int(pk))
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessment_visible(*, user, assessment: Assessment) -> bool:
    return assessment_list(user=user).filter(pk=assessment.pk).exists()


def panel(*, assessment: Assessment) -> list[PanelMember]:
    return list(assessment.panel.select_related("expert"))


def panel_member(*, assessment: Assessment, user) -> PanelMember | None:
    return assessment.panel.filter(expert=user).first()


def member_scores(*, member: PanelMember) -> dict[int, object]:
    return {s.item_id: s for s in member.scores.all()}


def evidence_of(*, entry: IndicatorEntry | None = None, assessment: Assessment | None = None) -> list[Evidence]:
    if entry is not None:
        return list(entry.evidence.all())
    return list(assessment.evidence.all())


def evidence_get(*, user, pk) -> Evidence:
    try:
        item = Evidence.objects.select_related("entry", "assessment").get(pk=int(pk))
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if item.entry_id and entry_visible(user=user, entry=item.entry):
        return item
    if item.assessment_id and assessment_visible(user=user, assessment=item.assessment):
        return item
    raise Http404


def count_to_score(user) -> int:
    return PanelMember.objects.filter(expert=user, submitted_at__isnull=True,
                                      assessment__status=AssessmentStatus.SCORING).count()


def snapshot_users() -> QuerySet:
    return get_user_model().objects.filter(role=Role.LEADER, is_active=True).order_by("id")


def expert_choices(*, user) -> list:
    """The staff of the user's 街道 who may sit on a panel (their role holds `targets.score`), by pinyin."""
    roles = [role for role, caps in all_grants().items() if "targets.score" in caps]
    node = acting_subdistrict(user)
    if node is None:
        return []
    people = get_user_model().objects.filter(role__in=roles, is_active=True, nodes__path__startswith=node.path)\
        .distinct()
    return sorted((u for u in people if u.can("targets.score")), key=lambda u: pinyin_key(u.display_name))


def item_means(*, assessment: Assessment) -> dict[int, Decimal]:
    """Each item's mean points over the experts who handed in (shown on the signed result)."""
    rows = ItemScore.objects.filter(member__assessment=assessment, member__submitted_at__isnull=False)\
        .values("item_id").annotate(m=Avg("score")).order_by()
    return {r["item_id"]: _q(r["m"]) for r in rows}


def sheet_for_use(use: str) -> ScoreSheet | None:
    """The active sheet of a use (大联动督查, 受理员月度考核 …); None when the administrator has none active."""
    return ScoreSheet.objects.filter(use=use, is_active=True).first()


def sheets_for_use(*uses: str) -> QuerySet[ScoreSheet]:
    return ScoreSheet.objects.filter(use__in=uses, is_active=True).order_by("name")


def item_points(item: SheetItem, mark) -> Decimal:
    """An item's points from a mark, by the item's rule: the points given, occurrences × deduction off the item's
    points (not below 0), yes (1) / no (0)."""
    mark = Decimal(str(mark))
    if item.rule == Rule.DEDUCTION:
        return max(Decimal(0), item.max_points - (item.deduction or Decimal(0)) * mark)
    if item.rule == Rule.YES_NO:
        return item.max_points if mark else Decimal(0)
    return mark


def score_from_data(*, layout, occurrences: dict) -> Decimal:
    """A data-scored sheet's total from occurrences per measure (`layout` = `sheet_layout(...)`, read once): with
    扣分制 every deduction comes off the sheet's full points and the total stops at 0; otherwise each item stops at
    0 on its own. An item without a measure scores its full points."""
    sheet = layout[0][0].sheet if layout else None
    items = [item for _section, rows in layout for item in rows]
    full = sum((i.max_points for i in items), Decimal(0))
    if sheet is not None and sheet.deduct_from_total:
        lost = sum(((i.deduction or Decimal(0)) * Decimal(occurrences.get(i.measure, 0))
                    for i in items if i.measure and i.rule == Rule.DEDUCTION), Decimal(0))
        return max(Decimal(0), full - lost)
    return sum((item_points(i, occurrences.get(i.measure, 0)) if i.measure else i.max_points for i in items),
               Decimal(0))
