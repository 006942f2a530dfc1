"""The small helpers every app shares (one home each): month ends, recent months, ancestor codes, acting 街道."""

import datetime as dt

import pytest

from shequ.core.scoping import acting_subdistrict, ancestor_codes
from shequ.core.workcal import month_end, recent_months


@pytest.mark.parametrize("day,end", [(dt.date(2026, 2, 10), dt.date(2026, 2, 28)),
                                     (dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
                                     (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
                                     (dt.date(2026, 4, 30), dt.date(2026, 4, 30))])
def test_it_finds_the_month_end(day, end):
    assert month_end(day) == end


def test_it_lists_recent_months_without_skipping_february():
    assert recent_months(dt.date(2026, 3, 31), 4) == [dt.date(2026, 3, 1), dt.date(2026, 2, 1),
                                                      dt.date(2026, 1, 1), dt.date(2025, 12, 1)]


@pytest.mark.django_db
def test_it_reads_ancestor_codes_from_the_path(tree):
    assert ancestor_codes(tree["dunhua"]) == [tree["district"].code, tree["sub"].code, tree["dunhua"].code]
    assert ancestor_codes(tree["dunhua"], include_self=False) == [tree["district"].code, tree["sub"].code]


@pytest.mark.django_db
def test_it_finds_the_acting_subdistrict(personas, tree):
    from django.contrib.auth.models import AnonymousUser

    assert acting_subdistrict(personas["clerk"]) == tree["sub"]
    assert acting_subdistrict(personas["yinxing"]) is None  # a committee-only scope acts for no 街道
    assert acting_subdistrict(personas["sysadmin"]) is None
    assert acting_subdistrict(AnonymousUser()) is None


def test_the_period_rule_refuses_a_reversed_or_too_long_period():
    from shequ.core.inputs import MAX_PERIOD_DAYS, period_errors

    start = dt.date(2026, 1, 1)
    assert period_errors(start, start + dt.timedelta(days=MAX_PERIOD_DAYS), end_field="date_to") == {}
    assert period_errors(None, start) == period_errors(start, None) == {}
    assert list(period_errors(start, start - dt.timedelta(days=1), end_field="date_to")) == ["date_to"]
    assert "止日不得早于起日" in str(period_errors(start, start - dt.timedelta(days=1))["end"][0])
    assert "两年" in str(period_errors(start, start + dt.timedelta(days=MAX_PERIOD_DAYS + 1))["end"][0])
    own = period_errors(start, start + dt.timedelta(days=31), max_days=30, too_long="一次最多订 31 天。")
    assert own == {"end": ["一次最多订 31 天。"]}
