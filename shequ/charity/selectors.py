"""Reads of the charity supermarket, scoped: a facility operator sees the supermarkets of the facilities he runs,
other staff those inside their jurisdiction; anything else is 404. Households come from the registry through
`shequ.people.selectors`, within the user's own scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shequ.facilities import selectors as facilities
from shequ.people import selectors as people

from .choices import DonationKind, MoveKind
from .models import (Distribution, DistributionLine, Donation, DonationLine, EligibilityRule, Goods,
                     HouseholdQuota, StockMove, Supermarket)


def period_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def supermarket_list(*, user) -> QuerySet[Supermarket]:
    ids = facilities.facility_list(user=user).values("id")
    return Supermarket.objects.filter(facility_id__in=ids, is_active=True).select_related("facility",
                                                                                           "facility__node")


def supermarket_get(*, user, pk) -> Supermarket:
    try:
        return supermarket_list(user=user).get(pk=int(pk))
    except (Supermarket.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_operate(user, supermarket: Supermarket) -> bool:
    """Only the operators of the supermarket's facility take donations, move stock and hand goods out."""
    return user.can("charity.operate") and supermarket.facility_id in facilities.operated_facility_ids(user)


def goods_list(*, supermarket: Supermarket, active_only: bool = False) -> QuerySet[Goods]:
    qs = supermarket.goods.all()
    return qs.filter(is_active=True) if active_only else qs


def goods_get(*, supermarket: Supermarket, pk) -> Goods:
    try:
        return supermarket.goods.get(pk=int(pk))
    except (Goods.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def goods_moves(*, goods: Goods, limit: int = 50) -> list[StockMove]:
    return list(goods.moves.select_related("actor", "donation", "distribution")[:limit])


def donation_list(*, supermarket: Supermarket) -> QuerySet[Donation]:
    return supermarket.donations.select_related("received_by").defer("donor_phone")


def donation_get(*, supermarket: Supermarket, pk) -> Donation:
    try:
        return supermarket.donations.select_related("received_by", "supermarket__facility").get(pk=int(pk))
    except (Donation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def donation_lines(*, donation: Donation) -> list[DonationLine]:
    return list(donation.lines.select_related("goods").order_by("id"))


def household_search(*, user, search: str, limit: int = 20) -> list:
    """Residents matching the search (name, initials, full ID number or phone) who belong to a household."""
    if not (search or "").strip():
        return []
    return list(people.resident_list(user=user, search=search).exclude(household__isnull=True)
                .select_related("household")[:limit])


@dataclass
class Allowance:
    household: object
    members: list
    groups: list[str] = field(default_factory=list)
    points: int = 0
    used: int = 0

    @property
    def remaining(self) -> int:
        return max(self.points - self.used, 0)

    @property
    def eligible(self) -> bool:
        return self.points > 0


def eligibility(*, members) -> tuple[list[str], int]:
    """(救助类别 names, monthly points) of a household whose active members are `members`: each active rule whose
    registry tag one of them carries; the largest allowance counts."""
    codes = {t.code for m in members for t in m.tags.all()}
    rules = [r for r in EligibilityRule.objects.filter(is_active=True) if r.tag_code in codes]
    return [r.name for r in rules], max((r.monthly_points for r in rules), default=0)


def household_allowance(*, user, household_id, day: dt.date | None = None) -> Allowance:
    """The household (404 outside the user's registry scope), its members, 救助类别 and this month's points."""
    household = people.household_get(user=user, pk=household_id)
    members = list(people.household_members(household=household))
    groups, points = eligibility(members=members)
    period = period_of(day or timezone.localdate())
    used = HouseholdQuota.objects.filter(household=household, period=period).values_list("used_points", flat=True)
    return Allowance(household=household, members=members, groups=groups, points=points,
                     used=next(iter(used), 0))


def distribution_list(*, supermarket: Supermarket, household=None) -> QuerySet[Distribution]:
    qs = supermarket.distributions.select_related("household", "recipient", "handed_by")
    if household is not None:
        qs = qs.filter(household=household)
    return qs


@dataclass
class MonthReport:
    month: dt.date
    donations: int = 0
    money: Decimal = Decimal("0.00")
    donors: int = 0
    distributions: int = 0
    households: int = 0
    points: int = 0
    goods: list = field(default_factory=list)  # (goods, in, out, balance now)
    groups: list = field(default_factory=list)  # (救助类别, distributions)


def month_report(*, supermarket: Supermarket, month: dt.date) -> MonthReport:
    start = period_of(month)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    donations = supermarket.donations.filter(received_on__gte=start, received_on__lt=end)
    agg = donations.aggregate(n=Count("id"), money=Sum("amount", filter=Q(kind=DonationKind.MONEY)))
    dist = supermarket.distributions.filter(period=start)
    dagg = dist.aggregate(n=Count("id"), households=Count("household", distinct=True), points=Sum("points"))
    report = MonthReport(month=start, donations=agg["n"], money=agg["money"] or Decimal("0.00"),
                         donors=donations.values("donor_name").distinct().count(), distributions=dagg["n"],
                         households=dagg["households"], points=dagg["points"] or 0)
    tz_start = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    tz_end = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
    moves = (StockMove.objects.filter(goods__supermarket=supermarket, at__gte=tz_start, at__lt=tz_end)
             .values("goods_id", "kind").annotate(q=Sum("quantity")))
    by_goods: dict[int, list[int]] = {}
    for row in moves:
        pair = by_goods.setdefault(row["goods_id"], [0, 0])
        pair[0 if row["kind"] in (MoveKind.DONATION, MoveKind.PURCHASE) else 1] += row["q"]
    for goods in supermarket.goods.all():
        flow = by_goods.get(goods.pk, [0, 0])
        if flow != [0, 0] or goods.quantity:
            report.goods.append((goods, flow[0], flow[1], goods.quantity))
    groups: dict[str, int] = {}
    for text in dist.values_list("groups", flat=True):
        for name in filter(None, text.split("、")):
            groups[name] = groups.get(name, 0) + 1
    report.groups = sorted(groups.items(), key=lambda kv: -kv[1])
    return report


def distribution_lines(*, distribution: Distribution) -> list[DistributionLine]:
    return list(distribution.lines.select_related("goods"))
