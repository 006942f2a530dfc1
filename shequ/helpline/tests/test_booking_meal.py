"""The line's room booking and meal order: placed through the facilities' and the elderly meals' services with
the operator as actor, linked both ways, their refusals (a taken slot, not enrolled, past the cut-off, another
街道's resident) shown on the call page; the day-care referral from the 街道's directory; the grants."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps

from shequ.core.choices import Role
from shequ.core.errors import DomainError
from shequ.core.models import AuditLog
from shequ.core.testing import make_resident, valid_id_number
from shequ.eldercare import selectors as eldercare_selectors
from shequ.eldercare import services as eldercare
from shequ.facilities import selectors as facility_selectors
from shequ.facilities import services as facilities
from shequ.helpline import services
from shequ.helpline.choices import CallStatus, Outcome
from shequ.helpline.models import Call

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # a Wednesday


def at(d, hh, mm=0):
    return dt.datetime(2026, 12, d, hh, mm, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def centre(tree, personas, line):
    """延吉七村睦邻中心, where the line sits, open every day 08:00–21:00, run by the hotline operator; a day-care
    centre he does not run; one of another 街道."""
    leader = personas["leader"]
    home = facilities.facility_create(actor=leader, level="neighbourhood_centre", name="延吉七村睦邻中心",
                                      node=tree["sub"], address="延吉东路129号", phone="021-65430000")
    facilities.opening_hours_set(actor=None, facility=home, periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
    room = facilities.room_create(actor=leader, facility=home, name="多功能厅", capacity=60)
    facilities.facility_staff_assign(actor=None, facility=home, user=line["op"])
    daycare = facilities.facility_create(actor=leader, level="day_care", name="延吉日间照料中心", node=tree["dunhua"],
                                         address="敦化路100号", phone="021-65431111")
    far = facilities.facility_create(actor=personas["secadmin"], level="day_care", name="殷行日间照料中心",
                                     node=tree["yinxing"], address="殷行路1号")
    return {"home": home, "room": room, "daycare": daycare, "far": far}


def _elder(actor, committee, *, name, household="", phone="", age=82):
    birth = NOW.date().replace(year=NOW.year - age) - dt.timedelta(days=10)
    data = {"phone": phone} if phone else {}
    return make_resident(actor, committee, name=name, birth_date=birth, gender="F", hukou_type="registered",
                         id_number=valid_id_number(birth=birth, male=False), household_number=household, **data)


@pytest.fixture
def meals(tree, personas, centre):
    """A canteen (lunch 15.00, orders until 16:00 the day before); 王秀英 (82, enrolled) whose son calls from the
    number registered with him; 李桂兰 (not enrolled) of the same household; 周凤英 of another 街道."""
    canteen_model = apps.get_model("eldercare", "Canteen")  # a configuration table, set up as the demo does
    kitchen = facilities.facility_create(actor=personas["officer"], level="canteen", name="延吉睦邻中心长者食堂",
                                         node=tree["sub"], address="延吉中路99号")
    canteen = canteen_model.objects.create(facility=kitchen, lunch_price=Decimal("15.00"),
                                           dinner_price=Decimal("12.00"), cutoff_time=dt.time(16, 0),
                                           cutoff_days_before=1)
    worker = personas["dunhua"]
    elder = _elder(worker, tree["dunhua"], name="王秀英", household="DH-0001")
    _elder(worker, tree["dunhua"], name="张建国", household="DH-0001", phone="13816201234", age=55)
    other = _elder(worker, tree["dunhua"], name="李桂兰", household="DH-0001", age=80)
    eldercare.meal_enrol(actor=worker, resident=elder, canteen=canteen)
    far = _elder(personas["yinxing"], tree["yinxing"], name="周凤英")
    return {"canteen": canteen, "elder": elder, "other": other, "far": far}


def test_it_books_a_room_for_the_caller_linked_both_ways(call, line, centre, client_as):
    services.call_route_booking(actor=line["op"], call=call, room_id=centre["room"].pk, start=at(5, 14),
                                end=at(5, 16), purpose="楼组长议事会", attendees=20)
    call.refresh_from_db()
    assert call.status == CallStatus.HANDLED and call.outcome == Outcome.BOOKING and call.booking_id
    booking = facility_selectors.booking_get(user=line["op"], pk=call.booking_id)
    assert booking.booked_by == line["op"] and booking.room == centre["room"] and booking.status == "approved"
    assert call.number in booking.note and "王阿姨" in booking.note
    assert "2026年12月5日 14:00–16:00" in call.reply
    page = client_as(line["op"]).get(f"/helpline/{call.pk}/").content.decode()
    assert f"/facilities/bookings/{booking.pk}/" in page
    booking_page = client_as(line["op"]).get(f"/facilities/bookings/{booking.pk}/").content.decode()
    assert f"96980来电 {call.number}" in booking_page
    assert AuditLog.objects.filter(object_id=str(call.pk), detail__outcome="booking").exists()


def test_it_shows_a_clash_as_a_form_error_and_keeps_the_call_open(call, line, centre, client_as, personas):
    facilities.booking_create(actor=personas["leader"], room=centre["room"], start=at(5, 14), end=at(5, 16),
                              purpose="合唱团排练")
    response = client_as(line["op"]).post(f"/helpline/{call.pk}/booking/", {
        "booking-room": centre["room"].pk, "booking-start": "2026-12-05T15:00", "booking-end": "2026-12-05T17:00",
        "booking-purpose": "楼组长议事会"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "该时段已被预约（2026年12月5日 14:00–16:00" in page
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN and call.booking_id is None


def test_it_refuses_a_facility_operator_a_room_he_does_not_run(call, line, centre, personas, tree):
    other = facilities.facility_create(actor=personas["leader"], level="neighbourhood_point", name="控江睦邻点",
                                       node=tree["kongjiang"], address="控江路645弄1号")
    facilities.opening_hours_set(actor=None, facility=other, periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
    room = facilities.room_create(actor=personas["leader"], facility=other, name="活动室", capacity=20)
    with pytest.raises(DomainError) as refused:
        services.call_route_booking(actor=line["op"], call=call, room_id=room.pk, start=at(5, 14), end=at(5, 16),
                                    purpose="楼组长议事会")
    assert "room" in refused.value.errors
    assert Call.objects.get(pk=call.pk).status == CallStatus.OPEN
    # the operations centre's seat books any room of the 街道
    services.call_route_booking(actor=line["operator"], call=call, room_id=room.pk, start=at(5, 14),
                                end=at(5, 16), purpose="楼组长议事会")
    assert Call.objects.get(pk=call.pk).outcome == Outcome.BOOKING


def test_it_orders_a_meal_for_the_callers_household_with_the_figures(call, line, meals, client_as):
    client = client_as(line["operator"])
    page = client.get(f"/helpline/{call.pk}/").content.decode()
    assert "王秀英" in page and "李桂兰" in page and "未登记助餐" in page  # the household of the caller's number
    response = client.post(f"/helpline/{call.pk}/meal/", {
        "meal-resident": meals["elder"].pk, "meal-date": "2026-12-03", "meal-meal": "lunch",
        "meal-mode": "delivery"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.outcome == Outcome.MEAL and call.meal_order_id
    assert "王秀英" in call.reply and "价格15.00元" in call.reply and "自付" in call.reply and "补贴" in call.reply
    assert "2026年12月3日" in call.reply
    page = client.get(f"/helpline/{call.pk}/").content.decode()
    assert "价格15.00元" in page and "data-meal-order" in page


def test_it_finds_an_elder_by_name(call, line, meals, client_as, tree, personas):
    _elder(personas["dunhua"], tree["dunhua"], name="陈美华")
    page = client_as(line["operator"]).get(f"/helpline/{call.pk}/?meal-who=陈美华").content.decode()
    assert "陈美华" in page


def test_it_shows_not_enrolled_and_past_cutoff_as_form_errors(call, line, meals, client_as):
    client = client_as(line["operator"])
    response = client.post(f"/helpline/{call.pk}/meal/", {
        "meal-resident": meals["other"].pk, "meal-date": "2026-12-03", "meal-meal": "lunch", "meal-mode": "dine_in"})
    assert response.status_code == 400 and "李桂兰 尚未登记助餐" in response.content.decode()
    response = client.post(f"/helpline/{call.pk}/meal/", {
        "meal-resident": meals["elder"].pk, "meal-date": "2026-12-02", "meal-meal": "lunch", "meal-mode": "dine_in"})
    assert response.status_code == 400 and "已于 12-01 16:00 截止" in response.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN and call.meal_order_id is None


def test_it_refuses_a_resident_of_another_subdistrict(call, line, meals, client_as):
    with pytest.raises(DomainError) as refused:
        services.call_route_meal_order(actor=line["operator"], call=call, resident_id=meals["far"].pk,
                                       date=dt.date(2026, 12, 3), meal="lunch", mode="dine_in")
    assert "resident" in refused.value.errors
    page = client_as(line["operator"]).get(f"/helpline/{call.pk}/?meal-who=周凤英").content.decode()
    assert "周凤英 ·" not in page  # searched, not offered
    response = client_as(line["operator"]).post(f"/helpline/{call.pk}/meal/", {
        "meal-resident": meals["far"].pk, "meal-who": "周凤英", "meal-date": "2026-12-03", "meal-meal": "lunch",
        "meal-mode": "dine_in"})
    assert response.status_code == 400
    assert Call.objects.get(pk=call.pk).meal_order_id is None


def test_it_refers_to_any_day_care_centre_of_the_subdistrict(call, line, centre, client_as):
    directory = list(facility_selectors.facility_directory(user=line["op"], level=("day_care", "care_home")))
    assert centre["daycare"] in directory and centre["far"] not in directory
    assert centre["daycare"] not in facility_selectors.facility_list(user=line["op"])  # not his to run
    page = client_as(line["op"]).get(f"/helpline/{call.pk}/").content.decode()
    assert "延吉日间照料中心" in page and "殷行日间照料中心" not in page
    services.call_route_day_care(actor=line["op"], call=call, facility_id=centre["daycare"].pk,
                                 reply="周一至周五8:00-17:00，可先参观")
    with pytest.raises(Exception):
        facility_selectors.facility_get(user=line["op"], pk=centre["daycare"].pk)


def test_it_refuses_a_day_care_centre_of_another_subdistrict(call, line, centre):
    with pytest.raises(DomainError):
        services.call_route_day_care(actor=line["op"], call=call, facility_id=centre["far"].pk,
                                     reply="周一至周五8:00-17:00")


def test_it_does_not_offer_meals_to_a_facility_operator(call, line, meals, client_as):
    """The facility operators' role (cooks, nurses, wardens too) holds no `eldercare.order`: no meal routing."""
    client = client_as(line["op"])
    page = client.get(f"/helpline/{call.pk}/").content.decode()
    assert "data-meal-elsewhere" in page and "data-route-meal" not in page
    response = client.post(f"/helpline/{call.pk}/meal/", {
        "meal-resident": meals["elder"].pk, "meal-date": "2026-12-03", "meal-meal": "lunch", "meal-mode": "dine_in"})
    assert response.status_code == 403
    with pytest.raises(DomainError) as refused:
        services.call_route_meal_order(actor=line["op"], call=call, resident_id=meals["elder"].pk,
                                       date=dt.date(2026, 12, 3), meal="lunch", mode="dine_in")
    assert "不能代订" in refused.value.message
    assert Call.objects.get(pk=call.pk).status == CallStatus.OPEN


def test_it_grants_the_line_only_what_it_needs(line, personas):
    assert not line["op"].can("eldercare.order") and line["op"].can("facilities.book")
    assert not line["op"].can("eldercare.enrol") and not line["op"].can("facilities.manage")
    assert not line["op"].can("eldercare.settle") and not line["op"].can("eldercare.carehome_apply")
    assert line["operator"].can("eldercare.order") and line["operator"].can("facilities.book")  # the ops centre
    assert not personas["leader"].can("eldercare.order") and not personas["clerk"].can("eldercare.order")


def test_it_orders_through_the_operations_centre_as_the_hotline_channel(call, line, meals):
    services.call_route_meal_order(actor=line["operator"], call=call, resident_id=meals["elder"].pk,
                                   date=dt.date(2026, 12, 3), meal="dinner", mode="dine_in")
    call.refresh_from_db()
    order = eldercare_selectors.order_get(user=line["operator"], pk=call.meal_order_id)
    assert order.channel == "hotline" and order.placed_by == line["operator"] and order.price == Decimal("12.00")
    assert f"价格{order.price}元" in call.reply and f"自付{order.payable}元" in call.reply


def test_it_refuses_a_meal_too_far_ahead(call, line, meals):
    with pytest.raises(DomainError) as refused:
        services.call_route_meal_order(actor=line["operator"], call=call, resident_id=meals["elder"].pk,
                                       date=dt.date(2027, 3, 1), meal="lunch", mode="dine_in")
    assert "date" in refused.value.errors and Call.objects.get(pk=call.pk).meal_order_id is None


def test_the_seat_cancels_the_meal_it_ordered_on_the_call_before_the_cutoff(call, line, meals, client_as, api_as,
                                                                            clock):
    """The 96980 seat holds `eldercare.order` but not the order lists (`eldercare.view`): it cancels the order it
    placed, from the call page or the API, and still cannot read the lists."""
    client = client_as(line["operator"])
    client.post(f"/helpline/{call.pk}/meal/", {"meal-resident": meals["elder"].pk, "meal-date": "2026-12-03",
                                               "meal-meal": "lunch", "meal-mode": "delivery"})
    call.refresh_from_db()
    order = apps.get_model("eldercare", "MealOrder").objects.get(pk=call.meal_order_id)
    page = client.get(f"/helpline/{call.pk}/").content.decode()
    assert "data-cancel-meal" in page and "2026年12月3日" in page
    response = client.post(f"/eldercare/orders/{order.pk}/cancel/", {"next": f"/helpline/{call.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/helpline/{call.pk}/"
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancelled_by == line["operator"]
    assert "data-cancel-meal" not in client.get(f"/helpline/{call.pk}/").content.decode()
    # An outside `next` is not followed.
    again = eldercare.meal_order_create(actor=line["operator"], resident=meals["elder"], date=dt.date(2026, 12, 4),
                                        meal="lunch", mode="dine_in")
    response = client.post(f"/eldercare/orders/{again.pk}/cancel/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/eldercare/orders/"
    # Through the API, and past the cut-off refused.
    third = eldercare.meal_order_create(actor=line["operator"], resident=meals["elder"], date=dt.date(2026, 12, 5),
                                        meal="lunch", mode="dine_in")
    api = api_as(line["operator"])
    assert api.get("/api/v1/eldercare/meal-orders/").status_code == 403  # the lists stay closed
    answer = api.post(f"/api/v1/eldercare/meal-orders/{third.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    late = eldercare.meal_order_create(actor=line["operator"], resident=meals["elder"], date=dt.date(2026, 12, 6),
                                       meal="lunch", mode="dine_in")
    clock.move_to(dt.datetime(2026, 12, 5, 17, 0, tzinfo=SH))
    api = api_as(line["operator"])  # a new session: the idle one has expired meanwhile
    refused = api.post(f"/api/v1/eldercare/meal-orders/{late.pk}/cancel/")
    assert refused.status_code == 400, refused.content.decode()
    assert "截止" in refused.content.decode()
    # A resident of another 街道's order is unknown to the seat.
    assert api.post("/api/v1/eldercare/meal-orders/999999/cancel/").status_code == 404
