"""Reads of meal assistance: tiers, canteens, enrolments, orders, the kitchen's count, delivery lists and the
month's settlement figures."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from shequ.core.workcal import month_bounds  # noqa: F401  (also read as selectors.month_bounds)
from shequ.facilities.selectors import facility_list, operated_facility_ids
from shequ.people.selectors import resident_tag_codes

from ..choices import EnrolmentStatus, Meal, MealMode, OrderStatus
from ..models import Canteen, MealEnrolment, MealOrder, MealSettlement, MealTier
from ..pricing import Person, TierRule, matched
from .common import get_or_404, is_operator, scoped

ZERO = Decimal("0.00")


def tier_rules() -> list[TierRule]:
    return [TierRule.of(t) for t in MealTier.objects.filter(is_active=True).order_by("sort_order", "id")]


def person_of(resident) -> Person:
    return Person(resident.birth_date, frozenset(resident_tag_codes(resident=resident)), resident.hukou_type)


def eligible_tiers(*, resident, day: dt.date) -> list[TierRule]:
    """The tiers a resident matches on `day`; none means he is not eligible for meal assistance."""
    return matched(tier_rules(), person_of(resident), day)


def canteen_choices() -> QuerySet[Canteen]:
    """Every active canteen and meal point (public places: any committee may enrol a resident at any of them)."""
    return Canteen.objects.filter(is_active=True).select_related("facility").order_by("facility__name_pinyin")


def canteen_managed(*, user) -> QuerySet[Canteen]:
    """The canteens whose kitchen count, delivery lists and settlements the user may see: his own facilities for
    an operator, those of his jurisdiction for other staff."""
    qs = Canteen.objects.select_related("facility", "kitchen__facility").order_by("facility__name_pinyin")
    if is_operator(user):
        return qs.filter(facility_id__in=operated_facility_ids(user))
    return qs.filter(facility__in=facility_list(user=user))


def canteen_get(*, user, pk) -> Canteen:
    return get_or_404(canteen_managed(user=user), pk)


def enrolment_list(*, user, search: str = "", canteen_id=None, include_ended: bool = False) -> QuerySet:
    qs = scoped(MealEnrolment.objects.all(), user)
    if not include_ended:
        qs = qs.filter(status=EnrolmentStatus.ACTIVE)
    if canteen_id:
        qs = qs.filter(canteen_id=canteen_id)
    if search:
        qs = qs.filter(Q(resident__name__contains=search) | Q(resident__name_initials__startswith=search.lower()))
    return qs.select_related("resident", "resident__committee", "canteen__facility", "route").order_by(
        "resident__name_pinyin", "id")


def enrolment_get(*, user, pk) -> MealEnrolment:
    return get_or_404(enrolment_list(user=user, include_ended=True), pk)


def active_enrolment(*, resident) -> MealEnrolment | None:
    return (MealEnrolment.objects.filter(resident=resident, status=EnrolmentStatus.ACTIVE)
            .select_related("canteen__facility", "route").first())


def order_list(*, user, canteen_id=None, date_from=None, date_to=None, resident_id=None,
               include_cancelled: bool = False) -> QuerySet:
    qs = scoped(MealOrder.objects.all(), user)
    if not include_cancelled:
        qs = qs.filter(status=OrderStatus.ACTIVE)
    if canteen_id:
        qs = qs.filter(canteen_id=canteen_id)
    if resident_id:
        qs = qs.filter(resident_id=resident_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("resident", "canteen__facility").order_by("-date", "resident__name_pinyin", "id")


def order_get(*, user, pk) -> MealOrder:
    return get_or_404(order_list(user=user, include_cancelled=True), pk)


def orders_of_residents(*, residents, date_from: dt.date) -> QuerySet:
    """A resident's own view (the portal): his and his household's orders from `date_from`."""
    return (MealOrder.objects.filter(resident__in=residents, date__gte=date_from)
            .select_related("resident", "canteen__facility").order_by("date", "meal", "resident_id"))


def _served_by(canteen: Canteen) -> list[int]:
    """A kitchen cooks for its own diners and for the meal points it supplies."""
    return [canteen.pk, *canteen.meal_points.values_list("pk", flat=True)]


def kitchen_count(*, canteen: Canteen, day: dt.date) -> dict:
    """Portions to cook for one day: per meal, dine-in and delivery, and per serving point."""
    # One statement: the meal points it supplies as a subquery (a second round trip and a second compiled query
    # were most of the selector's time; the count itself is an index-only range of eld_order_kitchen_money per
    # point).
    served = Canteen.objects.filter(Q(pk=canteen.pk) | Q(kitchen_id=canteen.pk)).values("pk")
    rows = (MealOrder.objects.filter(canteen_id__in=served, date=day, status=OrderStatus.ACTIVE)
            .values("meal", "mode", "canteen_id").annotate(n=Count("id")).order_by())
    meals = OrderedDict((m, {"meal": m, "label": Meal(m).label, "dine_in": 0, "delivery": 0, "total": 0})
                        for m in Meal.values)
    by_point: dict[int, int] = {}
    for row in rows:
        entry = meals[row["meal"]]
        entry[row["mode"]] += row["n"]
        entry["total"] += row["n"]
        by_point[row["canteen_id"]] = by_point.get(row["canteen_id"], 0) + row["n"]
    return {"meals": list(meals.values()), "total": sum(m["total"] for m in meals.values()), "by_point": by_point}


def delivery_list(*, canteen: Canteen, day: dt.date, meal: str) -> list[dict]:
    """The delivery orders of a day and meal, grouped by route (线路), each stop with its address."""
    orders = (MealOrder.objects.filter(canteen_id__in=_served_by(canteen), date=day, meal=meal,
                                       mode=MealMode.DELIVERY, status=OrderStatus.ACTIVE)
              .select_related("resident", "enrolment__route")
              .order_by("enrolment__route__sort_order", "enrolment__route_id", "resident__address", "id"))
    groups: OrderedDict = OrderedDict()
    for order in orders:
        route = order.enrolment.route
        groups.setdefault(route.name if route else "", []).append(order)
    return [{"route": name, "orders": items} for name, items in groups.items()]


MONEY_KEYS = ("price", "discount", "subsidy", "payable")


def _money(row: dict) -> dict:
    """Sums as two-place yuan (SQLite hands back 1.5 for 1.50, or nothing for an empty month)."""
    for key in MONEY_KEYS:
        row[key] = Decimal(row.get(key) or 0).quantize(ZERO)
    return row


def _totals(qs) -> dict:
    agg = qs.aggregate(meals=Count("id"), price=Sum("price"), discount=Sum("discount"), subsidy=Sum("subsidy"),
                       payable=Sum("payable"))
    return _money(agg)


def settlement_figures(*, canteen: Canteen, month: dt.date) -> dict:
    """A canteen's month from its orders: totals, and lines per day and meal."""
    first, last = month_bounds(month)
    qs = MealOrder.objects.filter(canteen=canteen, date__gte=first, date__lte=last, status=OrderStatus.ACTIVE)
    lines = list(qs.values("date", "meal").annotate(meals=Count("id"), price=Sum("price"), discount=Sum("discount"),
                                                     subsidy=Sum("subsidy"), payable=Sum("payable"))
                 .order_by("date", "meal"))
    for line in lines:
        _money(line)
        line["meal_label"] = Meal(line["meal"]).label
    return {"totals": _totals(qs), "lines": lines}


def settlements_all(*, month: dt.date) -> dict[int, dict]:
    """Every canteen's totals for a month in one grouped query (the 街道's overview; the benchmark's case)."""
    first, last = month_bounds(month)
    # The canteens as a subquery lead the search into eld_order_kitchen_money (canteen, date, …, amounts): one
    # index range per canteen, summed from the index, instead of reading every order of the year for its date.
    rows = (MealOrder.objects.filter(canteen_id__in=Canteen.objects.values("pk"), date__gte=first, date__lte=last,
                                     status=OrderStatus.ACTIVE)
            .values("canteen_id").annotate(meals=Count("id"), price=Sum("price"), discount=Sum("discount"),
                                           subsidy=Sum("subsidy"), payable=Sum("payable")).order_by())
    return {r.pop("canteen_id"): _money(r) for r in rows}


def settlement_list(*, user) -> QuerySet[MealSettlement]:
    return (MealSettlement.objects.filter(canteen__in=canteen_managed(user=user))
            .select_related("canteen__facility", "approved_by", "paid_by").order_by("-month", "canteen__facility__name_pinyin"))


def settlement_get(*, user, pk) -> MealSettlement:
    return get_or_404(settlement_list(user=user), pk)
