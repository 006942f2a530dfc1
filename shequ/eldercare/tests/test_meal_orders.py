import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError
from shequ.core.testing import make_user
from shequ.eldercare.models import MealOrder, MealTier
from shequ.eldercare.services import meal_enrol, meal_order_cancel, meal_order_create

from .conftest import NOW, TODAY

URL = "/api/v1/eldercare/meal-orders/"
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def body(resident, date=TOMORROW, meal="lunch", mode="dine_in", **extra):
    return {"resident": resident.pk, "date": date, "meal": meal, "mode": mode, **extra}


def test_it_creates_an_order_with_the_tier_prices(enrolled, api_as, personas):
    elder = enrolled(82)
    response = api_as(personas["dunhua"]).post(URL, body(elder), format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"id": response.json()["id"], "price": "15.00", "discount": "2.25",
                               "subsidy": "3.00", "payable": "9.75"}
    order = MealOrder.objects.get()
    assert order.channel == "committee" and order.tiers == "80岁以上八五折、C 80岁以上补贴"


def test_it_refuses_a_resident_not_enrolled(places, elder, api_as, personas, clock):
    response = api_as(personas["dunhua"]).post(URL, body(elder(82)), format="json")
    assert response.status_code == 400
    assert "resident" in response.json()["errors"]


@pytest.mark.parametrize("who", ["kongjiang", "yinxing", "cook"])
def test_it_answers_an_out_of_scope_resident_like_an_unknown_one(enrolled, api_as, personas, places, who):
    actor = places[who] if who == "cook" else personas[who]
    elder = enrolled(82)
    for rid in (elder.pk, 999999):
        response = api_as(actor).post(URL, {**body(elder), "resident": rid}, format="json")
        assert response.status_code in (400, 403)
        if who != "cook":
            assert response.status_code == 400 and "resident" in response.json()["errors"]
    assert not MealOrder.objects.exists()


def test_it_refuses_anonymous(enrolled, client):
    elder = enrolled(82)
    assert client.post(URL, body(elder), content_type="application/json").status_code in (401, 403)


def test_it_lets_the_street_order_but_not_the_auditor(enrolled, api_as, personas):
    elder = enrolled(82)
    assert api_as(personas["officer"]).post(URL, body(elder), format="json").status_code == 201
    assert api_as(personas["auditor"]).post(URL, body(elder, meal="dinner"), format="json").status_code == 403


@pytest.mark.parametrize("bad", [
    {"date": "2026-13-01"}, {"date": "tomorrow"}, {"meal": "supper"}, {"mode": "drone"}, {"resident": "x"},
    {"resident": None}, {"canteen": 424242}, {"resident": 2**40},
])
def test_it_answers_bad_input_with_field_errors(enrolled, api_as, personas, bad):
    elder = enrolled(82)
    response = api_as(personas["dunhua"]).post(URL, {**body(elder), **bad}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) & (set(bad) | {"resident"})


def test_it_answers_a_second_order_of_the_same_meal_with_409(enrolled, api_as, personas):
    elder = enrolled(82)
    client = api_as(personas["dunhua"])
    assert client.post(URL, body(elder), format="json").status_code == 201
    response = client.post(URL, body(elder, mode="delivery"), format="json")
    assert response.status_code == 409
    assert client.post(URL, body(elder, meal="dinner"), format="json").status_code == 201


def test_it_takes_orders_until_the_cut_off_and_not_at_it(enrolled, personas):
    elder = enrolled(82)
    day = TODAY + dt.timedelta(days=1)  # cut-off: today 16:00
    with time_machine.travel(NOW.replace(hour=15, minute=59, second=59), tick=False):
        meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="lunch", mode="dine_in")
    with time_machine.travel(NOW.replace(hour=16, minute=0, second=0), tick=False):
        with pytest.raises(DomainError) as refused:
            meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="dinner", mode="dine_in")
    assert "date" in refused.value.errors


def test_it_uses_the_meal_points_own_cut_off(enrolled, personas, places):
    elder = enrolled(82)  # the point takes orders for the same day until 09:00; it is 10:00
    with pytest.raises(DomainError):
        meal_order_create(actor=personas["dunhua"], resident=elder, date=TODAY, meal="lunch", mode="dine_in",
                          canteen=places["point"])
    order = meal_order_create(actor=personas["dunhua"], resident=elder, date=TODAY + dt.timedelta(days=1),
                              meal="lunch", mode="dine_in", canteen=places["point"])
    assert order.canteen == places["point"]


def test_it_refuses_a_meal_the_canteen_does_not_serve(enrolled, personas, places):
    elder = enrolled(82)
    with pytest.raises(DomainError) as refused:
        meal_order_create(actor=personas["dunhua"], resident=elder, date=TODAY + dt.timedelta(days=2),
                          meal="dinner", mode="dine_in", canteen=places["point"])
    assert "meal" in refused.value.errors


def test_it_cancels_before_the_cut_off_and_a_new_order_may_follow(enrolled, personas):
    elder = enrolled(82)
    day = TODAY + dt.timedelta(days=1)
    order = meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="lunch", mode="dine_in")
    meal_order_cancel(actor=personas["dunhua"], order=order)
    with pytest.raises(ConflictError):
        meal_order_cancel(actor=personas["dunhua"], order=order)
    again = meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="lunch", mode="dine_in")
    assert again.subsidy == Decimal("3.00")
    with time_machine.travel(NOW.replace(hour=16), tick=False), pytest.raises(DomainError):
        meal_order_cancel(actor=personas["dunhua"], order=again)


def test_it_gives_the_subsidy_once_a_day(enrolled, personas):
    elder = enrolled(82)
    day = TODAY + dt.timedelta(days=1)
    lunch = meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="lunch", mode="dine_in")
    dinner = meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="dinner", mode="dine_in")
    assert lunch.subsidy == Decimal("3.00") and dinner.subsidy == Decimal("0.00")
    assert dinner.discount == Decimal("1.80") and dinner.payable == Decimal("10.20")


def test_it_never_rewrites_past_orders_when_the_tiers_change(enrolled, personas):
    elder = enrolled(82)
    order = meal_order_create(actor=personas["dunhua"], resident=elder, date=TODAY + dt.timedelta(days=1),
                              meal="lunch", mode="dine_in")
    MealTier.objects.filter(name="C 80岁以上补贴").update(subsidy=Decimal("6.00"))
    MealTier.objects.filter(name="80岁以上八五折").update(discount_percent=Decimal("20"))
    order.refresh_from_db()
    assert (order.discount, order.subsidy, order.payable) == (Decimal("2.25"), Decimal("3.00"), Decimal("9.75"))
    later = meal_order_create(actor=personas["dunhua"], resident=elder, date=TODAY + dt.timedelta(days=2),
                              meal="lunch", mode="dine_in")
    assert (later.discount, later.subsidy, later.payable) == (Decimal("3.00"), Decimal("6.00"), Decimal("6.00"))


def test_it_enrols_only_eligible_residents_once(places, elder, personas, clock):
    young = elder(59, name="李国强")
    with pytest.raises(DomainError) as refused:
        meal_enrol(actor=personas["dunhua"], resident=young, canteen=places["canteen"])
    assert "resident" in refused.value.errors
    sixty = elder(60, name="张桂英")
    meal_enrol(actor=personas["dunhua"], resident=sixty, canteen=places["canteen"])
    with pytest.raises(ConflictError):
        meal_enrol(actor=personas["dunhua"], resident=sixty, canteen=places["canteen"])


def test_it_enrols_a_disabled_resident_under_sixty_when_the_table_has_such_a_tier(places, elder, personas, clock):
    disabled = elder(45, name="陈伟", tags=["disabled"])
    with pytest.raises(DomainError):
        meal_enrol(actor=personas["dunhua"], resident=disabled, canteen=places["canteen"])
    MealTier.objects.create(name="残疾人九折", min_age=18, max_age=None, tag="disabled", discount_percent=10)
    meal_enrol(actor=personas["dunhua"], resident=disabled, canteen=places["canteen"])


def test_it_lets_a_committee_enrol_only_its_own_residents(places, elder, personas, clock):
    other = elder(75, committee="kongjiang", name="赵凤英")
    with pytest.raises(DomainError):
        meal_enrol(actor=personas["dunhua"], resident=other, canteen=places["canteen"])


def test_it_lets_a_resident_order_for_himself_and_his_household_only(enrolled, personas, api_as, tree, elder):
    from shequ.portal.services import account_for

    me = enrolled(70, name="周建国", household_number="H001001", relation="head")
    mother = enrolled(92, name="周阿娣", household_number="H001001", relation="parent")
    stranger = enrolled(85, name="吴素珍", household_number="H001002", relation="head")
    login = make_user(Role.RESIDENT, username="zhou")
    account = account_for(login)
    account.resident = me
    account.save()
    client = api_as(login)
    assert client.post(URL, body(me), format="json").status_code == 201
    r = client.post(URL, body(mother), format="json")
    assert r.status_code == 201 and MealOrder.objects.get(pk=r.json()["id"]).channel == "relative"
    refused = client.post(URL, body(stranger), format="json")
    assert refused.status_code == 400 and "resident" in refused.json()["errors"]
    listed = client.get(URL).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["resident"] for row in rows} == {me.pk, mother.pk}


def test_it_lists_orders_within_the_committee_only(enrolled, personas, api_as):
    elder = enrolled(82)
    api_as(personas["dunhua"]).post(URL, body(elder), format="json")
    assert len(api_as(personas["dunhua"]).get(URL).json()["results"]) == 1
    assert api_as(personas["kongjiang"]).get(URL).json()["results"] == []


def test_it_cancels_through_the_api_and_hides_other_committees_orders(enrolled, personas, api_as):
    elder = enrolled(82)
    oid = api_as(personas["dunhua"]).post(URL, body(elder), format="json").json()["id"]
    assert api_as(personas["kongjiang"]).post(f"{URL}{oid}/cancel/").status_code == 404
    assert api_as(personas["dunhua"]).post(f"{URL}{oid}/cancel/").json()["status"] == "cancelled"
