"""The price arithmetic at every tier boundary, against the default (Putuo) table, without a database."""

import datetime as dt
from decimal import Decimal as D

import pytest

from shequ.eldercare.pricing import Person, TierRule, age_on, quote
from shequ.eldercare.tiers import PUTUO_DEFAULT

RULES = [TierRule(n, lo, hi, tag, hk, pct, sub, th, dine) for n, lo, hi, tag, hk, pct, sub, th, dine, _o in PUTUO_DEFAULT]
DAY = dt.date(2026, 12, 2)


def person(age, *, birthday_today=True, tags=(), hukou="registered"):
    birth = DAY.replace(year=DAY.year - age) if birthday_today else DAY.replace(year=DAY.year - age) + dt.timedelta(1)
    return Person(birth, frozenset(tags), hukou)


def q(p, price="15.00", mode="dine_in", used=False):
    r = quote(RULES, p, DAY, D(price), mode, subsidy_used_today=used)
    return r.discount, r.subsidy, r.payable


def test_it_counts_the_birthday_itself_as_the_new_age():
    assert age_on(dt.date(1946, 12, 2), DAY) == 80
    assert age_on(dt.date(1946, 12, 3), DAY) == 79
    assert age_on(dt.date(1944, 2, 29), dt.date(2026, 2, 28)) == 81
    assert age_on(dt.date(1944, 2, 29), dt.date(2026, 3, 1)) == 82


@pytest.mark.parametrize("age,birthday_today,expected", [
    (60, False, (D("0.00"), D("0.00"), D("15.00"))),  # 59, turning 60 tomorrow: nothing
    (60, True, (D("1.50"), D("2.00"), D("11.50"))),  # 60 today: 九折 and B
    (80, False, (D("1.50"), D("2.00"), D("11.50"))),  # still 79
    (80, True, (D("2.25"), D("3.00"), D("9.75"))),  # 80 today: 八五折 and C
    (90, True, (D("2.25"), D("3.00"), D("9.75"))),  # the default table has no 90+ row
    (100, True, (D("2.25"), D("3.00"), D("9.75"))),
])
def test_it_prices_a_dine_in_lunch_at_each_age_boundary(age, birthday_today, expected):
    assert q(person(age, birthday_today=birthday_today)) == expected


def test_it_gives_the_dibao_subsidy_from_eight_yuan_and_the_larger_subsidy_only():
    assert q(person(70, tags={"dibao"})) == (D("1.50"), D("5.00"), D("8.50"))
    assert q(person(70, tags={"dibao"}), price="8.00") == (D("0.80"), D("5.00"), D("2.20"))
    assert q(person(70, tags={"dibao"}), price="7.99") == (D("0.80"), D("0.00"), D("7.19"))


def test_it_needs_the_threshold_reached_for_the_age_subsidy():
    assert q(person(82), price="14.99") == (D("2.25"), D("0.00"), D("12.74"))
    assert q(person(82), price="15.00")[1] == D("3.00")


def test_it_gives_the_discount_but_not_the_subsidy_without_shanghai_hukou():
    assert q(person(82, hukou="non_local")) == (D("2.25"), D("0.00"), D("12.75"))
    assert q(person(82, hukou="separated"))[1] == D("3.00")


def test_it_gives_no_subsidy_for_delivery_and_only_once_a_day():
    assert q(person(82), mode="delivery") == (D("2.25"), D("0.00"), D("12.75"))
    assert q(person(82), used=True) == (D("2.25"), D("0.00"), D("12.75"))


def test_it_never_lets_the_subsidy_exceed_what_is_left_to_pay():
    rules = [TierRule("x", 60, None, subsidy=D("10"), subsidy_threshold=D("0"), discount_percent=D("50"))]
    r = quote(rules, person(70), DAY, D("8.00"), "dine_in", subsidy_used_today=False)
    assert (r.discount, r.subsidy, r.payable) == (D("4.00"), D("4.00"), D("0.00"))


def test_it_rounds_the_discount_half_up_to_the_fen():
    assert q(person(82), price="12.10")[0] == D("1.82")  # 1.815 → 1.82
