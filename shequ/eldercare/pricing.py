"""The meal price arithmetic (助餐折扣与补贴), kept pure so that every tier boundary can be tested without a
database. The rule, from the tier table (defaulting to Putuo's published example, Dec 2025):

- a resident matches a tier when his age on the day of the meal lies in [min_age, max_age], he holds the tier's tag
  (低保, 残疾) if it names one, and he has Shanghai 户籍 if the tier requires it;
- discount = price × the largest discount percentage among the matched tiers, rounded half-up to the fen;
- subsidy = the largest subsidy among the matched tiers whose threshold the price (before the discount) reaches,
  for dine-in only when the tier says so, at most once per person per day, never more than what is left to pay;
- payable = price − discount − subsidy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SHANGHAI_HUKOU = ("registered", "separated")  # 外来 (non_local) residents hold another province's 户籍


@dataclass(frozen=True)
class TierRule:
    name: str
    min_age: int
    max_age: int | None
    tag: str = ""
    shanghai_hukou_only: bool = False
    discount_percent: Decimal = Decimal(0)
    subsidy: Decimal = Decimal(0)
    subsidy_threshold: Decimal = Decimal(0)
    dine_in_only: bool = True

    @classmethod
    def of(cls, tier) -> TierRule:
        return cls(tier.name, tier.min_age, tier.max_age, tier.tag, tier.shanghai_hukou_only,
                   Decimal(tier.discount_percent), Decimal(tier.subsidy), Decimal(tier.subsidy_threshold),
                   tier.dine_in_only)


@dataclass(frozen=True)
class Person:
    birth_date: dt.date
    tags: frozenset = frozenset()
    hukou_type: str = "registered"


@dataclass
class Quote:
    price: Decimal
    discount: Decimal
    subsidy: Decimal
    payable: Decimal
    tiers: list[str] = field(default_factory=list)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years on `day` (the birthday itself counts; someone born on 29 February turns a year older on
    1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def matches(rule: TierRule, person: Person, day: dt.date) -> bool:
    age = age_on(person.birth_date, day)
    if age < rule.min_age or (rule.max_age is not None and age > rule.max_age):
        return False
    if rule.tag and rule.tag not in person.tags:
        return False
    return not (rule.shanghai_hukou_only and person.hukou_type not in SHANGHAI_HUKOU)


def matched(rules, person: Person, day: dt.date) -> list[TierRule]:
    return [r for r in rules if matches(r, person, day)]


def quote(rules, person: Person, day: dt.date, price: Decimal, mode: str, *, subsidy_used_today: bool) -> Quote:
    price = Decimal(price).quantize(CENT)
    hits = matched(rules, person, day)
    percent = max((r.discount_percent for r in hits), default=Decimal(0))
    discount = (price * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    subsidy = Decimal(0)
    used = []
    if percent:
        used.append(next(r.name for r in hits if r.discount_percent == percent))
    if not subsidy_used_today:
        eligible = [r for r in hits if r.subsidy > 0 and price >= r.subsidy_threshold
                    and not (r.dine_in_only and mode != "dine_in")]
        if eligible:
            best = max(eligible, key=lambda r: r.subsidy)
            subsidy = min(best.subsidy, price - discount).quantize(CENT)
            used.append(best.name)
    return Quote(price, discount, subsidy, price - discount - subsidy, used)
