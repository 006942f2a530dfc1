import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from shequ.core.errors import ConflictError, DomainError
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.eldercare import selectors
from shequ.eldercare.models import MealOrder, MealSettlement
from shequ.eldercare.services import meal_order_create, settlement_approve, settlement_compute, settlement_pay

from .conftest import NOW, TODAY

NOV = dt.date(2026, 11, 1)


def order_in_november(personas, resident, day, meal="lunch", mode="dine_in", canteen=None):
    with time_machine.travel(dt.datetime.combine(day - dt.timedelta(days=3), dt.time(9), NOW.tzinfo), tick=False):
        return meal_order_create(actor=personas["dunhua"], resident=resident, date=day, meal=meal, mode=mode,
                                 canteen=canteen)


@pytest.fixture
def november(enrolled, personas, places):
    a, b, c = enrolled(82, name="王秀英"), enrolled(65, name="李桂英"), enrolled(70, name="张美华", tags=["dibao"])
    orders = []
    for day in (dt.date(2026, 11, 2), dt.date(2026, 11, 30)):
        orders.append(order_in_november(personas, a, day))  # 15 − 2.25 − 3 = 9.75
        orders.append(order_in_november(personas, b, day, mode="delivery"))  # 15 − 1.50 = 13.50
        orders.append(order_in_november(personas, c, day, meal="dinner"))  # 12 − 1.20 − 5 = 5.80
    orders.append(order_in_november(personas, a, dt.date(2026, 11, 3), canteen=places["point"]))  # the point's
    orders.append(order_in_november(personas, b, dt.date(2026, 12, 1)))  # December
    return {"a": a, "b": b, "c": c, "orders": orders}


def test_it_counts_the_kitchens_portions_including_its_meal_points(november, places):
    count = selectors.kitchen_count(canteen=places["canteen"], day=dt.date(2026, 11, 2))
    by_meal = {m["meal"]: m for m in count["meals"]}
    assert by_meal["lunch"] == {**by_meal["lunch"], "dine_in": 1, "delivery": 1, "total": 2}
    assert by_meal["dinner"]["total"] == 1 and count["total"] == 3
    assert selectors.kitchen_count(canteen=places["canteen"], day=dt.date(2026, 11, 3))["total"] == 1
    assert selectors.kitchen_count(canteen=places["point"], day=dt.date(2026, 11, 2))["total"] == 0


def test_it_leaves_cancelled_orders_out_of_the_count(november, places):
    MealOrder.objects.filter(date=dt.date(2026, 11, 2), meal="dinner").update(status="cancelled")
    assert selectors.kitchen_count(canteen=places["canteen"], day=dt.date(2026, 11, 2))["total"] == 2


def test_it_lists_deliveries_by_route(november, places):
    groups = selectors.delivery_list(canteen=places["canteen"], day=dt.date(2026, 11, 2), meal="lunch")
    assert [(g["route"], [o.resident.name for o in g["orders"]]) for g in groups] == [("敦化路线", ["李桂英"])]


def test_it_settles_a_month_from_the_orders_as_priced(november, places, personas, clock):
    s = settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=NOV)
    assert s.meals == 6
    assert s.price_total == Decimal("84.00")
    assert s.discount_total == Decimal("2.25") * 2 + Decimal("1.50") * 2 + Decimal("1.20") * 2
    assert s.subsidy_total == Decimal("16.00")
    assert s.payable_total == Decimal("9.75") * 2 + Decimal("13.50") * 2 + Decimal("5.80") * 2
    assert s.price_total == s.discount_total + s.subsidy_total + s.payable_total
    assert selectors.settlements_all(month=NOV)[places["canteen"].pk]["meals"] == 6
    assert selectors.settlements_all(month=NOV)[places["point"].pk]["meals"] == 1


def test_it_refuses_to_settle_a_month_not_yet_over(november, places, personas, clock):
    with pytest.raises(DomainError):
        settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=TODAY.replace(day=1))


def test_it_approves_then_pays_and_freezes_the_settlement(november, places, personas, clock):
    s = settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=NOV)
    with pytest.raises(ActionForbidden):
        settlement_approve(actor=personas["officer"], settlement=s)  # 民政 prepares, the leader approves
    with pytest.raises(ConflictError):
        settlement_pay(actor=personas["officer"], settlement=s)
    settlement_approve(actor=personas["leader"], settlement=s, note="核对无误")
    with pytest.raises(ConflictError):
        settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=NOV)
    with pytest.raises(ConflictError):
        settlement_approve(actor=personas["leader"], settlement=s)
    s = settlement_pay(actor=personas["officer"], settlement=s)
    assert s.status == "paid" and s.paid_by == personas["officer"]


def test_it_hides_another_facilitys_settlement_from_its_operator(november, places, personas, clock):
    s = settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=NOV)
    assert selectors.settlement_list(user=places["cook"]).filter(pk=s.pk).exists()
    assert not selectors.settlement_list(user=places["stranger"]).filter(pk=s.pk).exists()
    with pytest.raises((ActionNotFound, ActionForbidden)):
        settlement_approve(actor=places["stranger"], settlement=s)


def test_it_exports_the_settlement_as_excel_and_pdf(november, places, personas, client_as, clock):
    import io

    from openpyxl import load_workbook

    s = settlement_compute(actor=personas["officer"], canteen=places["canteen"], month=NOV)
    client = client_as(personas["officer"])
    xlsx = client.get(f"/eldercare/settlements/{s.pk}/export.xlsx")
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "合计")
    assert total[2] == 6 and Decimal(str(total[5])) == Decimal("16.00")
    pdf = client.get(f"/eldercare/settlements/{s.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_as(places["stranger"]).get(f"/eldercare/settlements/{s.pk}/export.pdf").status_code == 404
    from shequ.core.models import AuditLog

    assert AuditLog.objects.filter(object_type="eldercare.mealsettlement", action__in=["export", "print"]).count() == 2


def test_it_shows_the_kitchen_count_to_its_operator_only(november, places, client_as):
    page = client_as(places["cook"]).get(f"/eldercare/kitchen/?canteen={places['canteen'].pk}&date=2026-11-02")
    assert page.status_code == 200 and 'id="kitchen-total">3<' in page.content.decode()
    other = client_as(places["stranger"]).get(f"/eldercare/kitchen/?canteen={places['canteen'].pk}&date=2026-11-02")
    assert 'id="kitchen-total">3<' not in other.content.decode()


def test_it_answers_the_kitchen_count_api(november, places, api_as):
    url = f"/api/v1/eldercare/kitchen-count/?canteen={places['canteen'].pk}&date=2026-11-02"
    assert api_as(places["cook"]).get(url).json()["total"] == 3
    assert api_as(places["stranger"]).get(url).status_code == 404
    bad = api_as(places["cook"]).get("/api/v1/eldercare/kitchen-count/?canteen=x&date=2026-02-30")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"canteen", "date"}
