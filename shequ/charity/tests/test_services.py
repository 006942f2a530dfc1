"""Stock, donations, eligibility and the monthly limit, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from shequ.charity import selectors, services
from shequ.charity.models import EligibilityRule, Goods, HouseholdQuota, StockMove
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db


def give(m, items, *, actor=None, recipient=None):
    return services.distribution_create(actor=actor or m["op"], supermarket=m["supermarket"],
                                        household_id=m["household"].pk,
                                        recipient_id=(recipient or m["head"]).pk, items=items)


def test_it_finds_the_households_groups_in_the_registry(market):
    a = selectors.household_allowance(user=market["op"], household_id=market["household"].pk)
    assert a.groups == ["低保"] and a.points == 100 and a.remaining == 100
    assert {m.name for m in a.members} == {"王秀英", "李建国"}
    plain = selectors.household_allowance(user=market["op"], household_id=market["plain"].household_id)
    assert not plain.eligible


def test_it_takes_the_largest_allowance_and_follows_edited_rules(market, tree, personas):
    from shequ.core.testing import make_resident
    from shequ.people.models import Tag

    make_resident(personas["dunhua"], tree["dunhua"], name="王小明", household_number="HD0001",
                  tags=[Tag.objects.get(code="disabled")])
    EligibilityRule.objects.filter(tag_code="disabled").update(monthly_points=160)
    a = selectors.household_allowance(user=market["op"], household_id=market["household"].pk)
    assert a.points == 160 and set(a.groups) == {"低保", "残疾"}
    EligibilityRule.objects.filter(tag_code="disabled").update(is_active=False)
    EligibilityRule.objects.filter(tag_code="dibao").update(monthly_points=140)
    a = selectors.household_allowance(user=market["op"], household_id=market["household"].pk)
    assert a.points == 140
    EligibilityRule.objects.filter(tag_code="dibao").update(is_active=False)
    a = selectors.household_allowance(user=market["op"], household_id=market["household"].pk)
    assert not a.eligible


def test_it_hands_out_within_the_monthly_limit_and_refuses_beyond_it(market):
    d = give(market, {market["rice"].pk: 2, market["oil"].pk: 1})  # 40 + 30
    assert d.points == 70 and d.groups == "低保"
    with pytest.raises(ConflictError) as exc:
        give(market, {market["rice"].pk: 2}, recipient=market["spouse"])  # 40 > 30 left
    assert "剩余30" in exc.value.message
    give(market, {market["oil"].pk: 1})  # exactly the 30 left
    assert HouseholdQuota.objects.get(household=market["household"]).used_points == 100
    with pytest.raises(ConflictError):
        give(market, {market["rice"].pk: 1})
    assert Goods.objects.get(pk=market["rice"].pk).quantity == 48
    assert Goods.objects.get(pk=market["oil"].pk).quantity == 3


def test_it_starts_a_new_allowance_each_month(market, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, 0), tick=False)
    give(market, {market["oil"].pk: 3})  # 90
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0), tick=False)
    a = selectors.household_allowance(user=market["op"], household_id=market["household"].pk)
    assert a.used == 0 and a.remaining == 100
    give(market, {market["rice"].pk: 5})


def test_it_refuses_a_household_without_a_group_and_a_recipient_from_elsewhere(market):
    with pytest.raises(DomainError) as exc:
        services.distribution_create(actor=market["op"], supermarket=market["supermarket"],
                                     household_id=market["plain"].household_id, recipient_id=market["plain"].pk,
                                     items={market["rice"].pk: 1})
    assert "household" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        give(market, {market["rice"].pk: 1}, recipient=market["plain"])
    assert "recipient" in exc.value.errors


def test_it_never_takes_stock_below_zero(market):
    with pytest.raises(ConflictError) as exc:
        services.stock_adjust(actor=market["op"], goods=market["oil"], kind="loss", quantity=6, note="过期")
    assert "库存不足" in exc.value.message
    EligibilityRule.objects.filter(tag_code="dibao").update(monthly_points=1000)
    with pytest.raises(ConflictError):
        give(market, {market["rice"].pk: 1, market["oil"].pk: 6})
    assert Goods.objects.get(pk=market["oil"].pk).quantity == 5
    assert Goods.objects.get(pk=market["rice"].pk).quantity == 50  # the whole hand-out rolled back
    services.stock_adjust(actor=market["op"], goods=market["oil"], kind="loss", quantity=5, note="过期")
    assert StockMove.objects.filter(goods=market["oil"]).first().balance == 0


def test_it_refuses_bad_quantities(market):
    for bad in ("-1", "abc", "1.5", "１", "9999999"):
        with pytest.raises(DomainError):
            give(market, {market["rice"].pk: bad})
    with pytest.raises(DomainError) as exc:
        give(market, {market["rice"].pk: 0})
    assert "items" in exc.value.errors
    with pytest.raises(DomainError):
        services.stock_adjust(actor=market["op"], goods=market["rice"], kind="loss", quantity=1, note="")


def test_it_takes_a_goods_donation_into_stock_with_a_numbered_receipt(market):
    d1 = services.donation_create(actor=market["op"], supermarket=market["supermarket"], kind="goods",
                                  donor_kind="company", donor_name="上海延吉商贸有限公司", donor_phone="13912345678",
                                  lines=[(market["rice"].pk, 10), (market["oil"].pk, 0)])
    d2 = services.donation_create(actor=market["op"], supermarket=market["supermarket"], kind="money",
                                  donor_kind="person", donor_name="陈美华", amount="200.50")
    assert Goods.objects.get(pk=market["rice"].pk).quantity == 60
    assert d1.donor_phone_masked == "139****5678" and d1.number != d2.number
    assert d1.number.endswith("0001号") and d2.number.endswith("0002号")
    assert d2.amount == Decimal("200.50")
    assert AuditLog.objects.filter(object_type="charity.donation", object_id=str(d1.pk)).exists()


def test_it_refuses_bad_donations(market):
    base = {"actor": market["op"], "supermarket": market["supermarket"], "donor_kind": "person",
            "donor_name": "陈美华"}
    for kwargs, field in (({"kind": "money", "amount": "0"}, "amount"), ({"kind": "money", "amount": "1.234"}, "amount"),
                          ({"kind": "money", "amount": "abc"}, "amount"), ({"kind": "goods", "lines": []}, "lines"),
                          ({"kind": "x"}, "kind"), ({"kind": "money", "amount": "5", "donor_phone": "123"}, "donor_phone"),
                          ({"kind": "money", "amount": "5", "donor_name": "名" * 65}, "donor_name"),
                          ({"kind": "money", "amount": "5", "received_on": dt.date(2099, 1, 1)}, "received_on")):
        with pytest.raises(DomainError) as exc:
            services.donation_create(**{**base, **kwargs})
        assert field in exc.value.errors, kwargs


def test_it_lets_only_the_facilitys_operators_write(market, personas):
    for actor in (market["op2"], personas["dunhua"], personas["leader"]):
        with pytest.raises(Forbidden):
            give(market, {market["rice"].pk: 1}, actor=actor)
        with pytest.raises(Forbidden):
            services.stock_adjust(actor=actor, goods=market["rice"], kind="purchase", quantity=1)


def test_it_scopes_supermarkets(market, personas):
    s = market["supermarket"]
    assert selectors.supermarket_get(user=market["op"], pk=s.pk) == s
    assert selectors.supermarket_get(user=personas["dunhua"], pk=s.pk) == s
    assert selectors.supermarket_get(user=personas["leader"], pk=s.pk) == s
    for outsider in (market["op2"], personas["kongjiang"], personas["yinxing"]):
        with pytest.raises(Http404):
            selectors.supermarket_get(user=outsider, pk=s.pk)


def test_it_reports_the_month(market):
    services.donation_create(actor=market["op"], supermarket=market["supermarket"], kind="money",
                             donor_kind="company", donor_name="上海延吉商贸有限公司", amount="1000")
    give(market, {market["rice"].pk: 2})
    r = selectors.month_report(supermarket=market["supermarket"], month=dt.date.today())
    assert r.donations == 1 and r.money == Decimal("1000.00") and r.households == 1 and r.points == 40
    rice = next(row for row in r.goods if row[0].name == "大米")
    assert rice[1:] == (50, 2, 48)
    assert r.groups == [("低保", 1)]
