import datetime as dt

import pytest

from shequ.core.choices import Role
from shequ.core.testing import make_user
from shequ.eldercare.models import MealEnrolment, MealOrder

from .conftest import TODAY

PAGES = ["/eldercare/", "/eldercare/orders/", "/eldercare/kitchen/", "/eldercare/kitchen/delivery/",
         "/eldercare/settlements/", "/eldercare/daycare/", "/eldercare/carehome/"]


@pytest.mark.parametrize("who", ["dunhua", "officer", "leader"])
def test_it_renders_the_staff_pages(enrolled, personas, client_as, who):
    enrolled(82)
    client = client_as(personas[who])
    for url in PAGES:
        status = client.get(url).status_code
        assert status in (200, 403), (url, status)
    assert client.get("/eldercare/").status_code == 200


def test_it_sends_anonymous_to_the_login_and_refuses_the_auditor(personas, client, client_as, tree):
    assert client.get("/eldercare/").status_code == 302
    assert client_as(personas["auditor"]).get("/eldercare/").status_code == 403


def test_it_lists_enrolments_within_the_committee(enrolled, personas, client_as):
    enrolled(82, name="王秀英")
    assert "王秀英" in client_as(personas["dunhua"]).get("/eldercare/").content.decode()
    assert "王秀英" not in client_as(personas["kongjiang"]).get("/eldercare/").content.decode()
    e = MealEnrolment.objects.get()
    assert client_as(personas["kongjiang"]).get(f"/eldercare/enrolments/{e.pk}/").status_code == 404


def test_it_enrols_through_the_page(places, elder, personas, client_as, clock):
    r = elder(82, name="王秀英")
    client = client_as(personas["dunhua"])
    page = client.get("/eldercare/enrol/?q=王秀英")
    assert "王秀英" in page.content.decode()
    response = client.post("/eldercare/enrol/", {"resident": r.pk, "canteen": places["canteen"].pk})
    assert response.status_code == 302 and MealEnrolment.objects.filter(resident=r).exists()
    again = client.post("/eldercare/enrol/", {"resident": r.pk, "canteen": places["canteen"].pk})
    assert again.status_code == 200 and "已登记助餐" in again.content.decode()
    young = elder(50, name="李伟")
    refused = client.post("/eldercare/enrol/", {"resident": young.pk, "canteen": "x"})
    assert refused.status_code == 200 and not MealEnrolment.objects.filter(resident=young).exists()


def test_it_orders_a_week_of_lunches_through_the_page(enrolled, personas, client_as):
    enrolled(82)
    e = MealEnrolment.objects.get()
    client = client_as(personas["dunhua"])
    start = TODAY + dt.timedelta(days=1)
    response = client.post("/eldercare/orders/new/", {
        "enrolment": e.pk, "date_from": start.isoformat(), "date_to": (start + dt.timedelta(days=6)).isoformat(),
        "meal": "lunch", "mode": "dine_in"})
    assert response.status_code == 302 and MealOrder.objects.count() == 7
    again = client.post("/eldercare/orders/new/", {
        "enrolment": e.pk, "date_from": TODAY.isoformat(), "date_to": (start + dt.timedelta(days=7)).isoformat(),
        "meal": "lunch", "mode": "dine_in"}, follow=True)
    assert MealOrder.objects.count() == 8  # today is past the cut-off, seven days already ordered
    assert "已经订过" in again.content.decode()
    bad = client.post("/eldercare/orders/new/", {"enrolment": e.pk, "date_from": "2026-12-10",
                                                 "date_to": "2026-12-01", "meal": "lunch", "mode": "dine_in"})
    assert bad.status_code == 200 and MealOrder.objects.count() == 8


def test_it_gives_residents_their_meal_page(enrolled, personas, client_as, client):
    from shequ.portal.services import account_for

    me = enrolled(70, name="周建国", household_number="H009001", relation="head")
    login = make_user(Role.RESIDENT, username="zhou")
    account = account_for(login)
    account.resident = me
    account.save()
    c = client_as(login)
    page = c.get("/eldercare/m/")
    assert page.status_code == 200 and "周建国" in page.content.decode()
    response = c.post("/eldercare/m/", {"resident": me.pk, "date": (TODAY + dt.timedelta(days=1)).isoformat(),
                                        "meal": "lunch", "mode": "dine_in"})
    assert response.status_code == 302
    order = MealOrder.objects.get()
    assert order.channel == "self"
    other = make_user(Role.RESIDENT, username="other")
    assert client_as(other).post(f"/eldercare/m/{order.pk}/cancel/").status_code == 404
    assert c.post(f"/eldercare/m/{order.pk}/cancel/").status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert client.get("/eldercare/m/").status_code == 302
    assert client_as(personas["dunhua"]).get("/eldercare/m/").status_code == 403
    home = c.get("/m/")
    assert "助餐" in home.content.decode()
