"""The API contract of /api/v1/portal/ and the pages under /m/, for each persona: the resident himself, another
resident, a staff user and an anonymous visitor."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from shequ.grid.testing import DUNHUA
from shequ.portal import services
from shequ.portal.models import AppointmentSlot


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def grid(tree):
    from shequ.grid import spatial
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy

    ensure_taxonomy()
    ensure_process_limits()
    spatial.clear()
    yield
    spatial.clear()


@pytest.mark.django_db
def test_it_lists_the_slots_of_a_day_in_the_published_shape(me, slots):
    response = api(me.user).get(f"/api/v1/portal/slots/?date={slots['day']:%Y-%m-%d}")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 3
    assert set(body[0]) == {"id", "start", "end", "category", "capacity", "booked"}
    assert body[0]["start"] == "09:00" and body[0]["booked"] == 0
    assert api(me.user).get("/api/v1/portal/slots/?date=2026-13-01").status_code == 400
    assert api(me.user).get("/api/v1/portal/slots/").status_code == 400


@pytest.mark.django_db
def test_it_books_and_cancels_through_the_api(me, other, slots, centre, family):
    client = api(me.user)
    response = client.post("/api/v1/portal/appointments/", {"slot": slots["b9"].pk, "item": centre["dibao"].pk},
                           format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "code", "slot"} and body["slot"] == slots["b9"].pk
    api(other.user).post("/api/v1/portal/appointments/", {"slot": slots["b9"].pk, "item": centre["dibao"].pk},
                         format="json")
    from .conftest import make_account

    third = make_account("third", family["sister"])
    full = api(third.user).post("/api/v1/portal/appointments/", {"slot": slots["b9"].pk, "item": centre["dibao"].pk},
                                format="json")
    assert full.status_code == 409 and full.json()["detail"]
    unknown = client.post("/api/v1/portal/appointments/", {"slot": slots["b10"].pk, "item": 999999}, format="json")
    assert unknown.status_code == 400 and "item" in unknown.json()["errors"]
    bad = client.post("/api/v1/portal/appointments/", {"slot": "x"}, format="json")
    assert bad.status_code == 400
    # Another resident cannot see or cancel it: 404.
    assert api(other.user).delete(f"/api/v1/portal/appointments/{body['id']}/").status_code == 404
    assert client.delete(f"/api/v1/portal/appointments/{body['id']}/").status_code == 204
    assert AppointmentSlot.objects.get(pk=slots["b9"].pk).booked == 1
    assert client.delete(f"/api/v1/portal/appointments/{body['id']}/").status_code == 409


@pytest.mark.django_db
def test_it_refuses_a_past_slot_with_400(me, centre):
    import time_machine
    from django.utils import timezone

    day = timezone.localdate() + dt.timedelta(days=1)
    slot = services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=day, start=dt.time(9),
                                 end=dt.time(10), category=centre["B"], capacity=3)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(11))), tick=False):
        response = api(me.user).post("/api/v1/portal/appointments/", {"slot": slot.pk, "item": centre["dibao"].pk},
                                     format="json")
    assert response.status_code == 400 and "slot" in response.json()["errors"]


@pytest.mark.django_db
def test_it_refuses_staff_and_anonymous_on_resident_endpoints(personas, slots, centre):
    payload = {"slot": slots["b9"].pk, "item": centre["dibao"].pk}
    assert api(personas["clerk"]).post("/api/v1/portal/appointments/", payload, format="json").status_code == 403
    assert api(personas["dunhua"]).get("/api/v1/portal/reports/").status_code == 403
    assert api().post("/api/v1/portal/appointments/", payload, format="json").status_code == 401
    assert api().get("/api/v1/portal/reports/").status_code == 401
    assert api().get(f"/api/v1/portal/slots/?date={slots['day']:%Y-%m-%d}").status_code == 401


@pytest.mark.django_db
def test_it_creates_a_report_and_lists_only_my_own(grid, me, other):
    from shequ.grid.models import Category

    code = Category.objects.filter(is_public=True).order_by("code").first().code
    payload = {"category": code, "description": "路灯不亮已经三天了", "lat": DUNHUA[0], "lng": DUNHUA[1]}
    response = api(me.user).post("/api/v1/portal/reports/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "number", "status"} and body["status"] == "reported"
    api(other.user).post("/api/v1/portal/reports/", payload, format="json")
    mine = api(me.user).get("/api/v1/portal/reports/").json()
    assert [r["id"] for r in mine] == [body["id"]]
    bad = api(me.user).post("/api/v1/portal/reports/", {**payload, "category": "X9999"}, format="json")
    assert bad.status_code == 400 and "category" in bad.json()["errors"]
    missing = api(me.user).post("/api/v1/portal/reports/", {"category": code, "description": "路灯"}, format="json")
    assert missing.status_code == 400


@pytest.mark.django_db
def test_it_accepts_a_multipart_report_with_a_photo(grid, me):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shequ.grid.models import Category
    from shequ.grid.tests.conftest import jpeg

    code = Category.objects.filter(is_public=True).order_by("code").first().code
    photo = SimpleUploadedFile("p.jpg", jpeg().getvalue(), "image/jpeg")
    response = api(me.user).post("/api/v1/portal/reports/", {"category": code, "description": "垃圾堆放在路边",
                                                            "lat": DUNHUA[0], "lng": DUNHUA[1], "photos": photo},
                                 format="multipart")
    assert response.status_code == 201, response.json()


# --- pages ---------------------------------------------------------------------------------------------------------

PAGES = ["/m/bind/", "/m/book/", "/m/appointments/", "/m/report/", "/m/reports/", "/m/mine/", "/m/notices/",
         "/m/family/", "/m/due/"]


@pytest.mark.django_db
def test_it_shows_every_page_to_the_resident(grid, client_as, me, slots):
    client = client_as(me.user)
    home = client.get("/m/")
    assert home.status_code == 200
    text = home.content.decode()
    for label in ("预约办事", "随手拍", "我的办件", "消息通知", "家人代办"):
        assert label in text
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/m/book/{slots['b9'].pk}/").status_code == 200


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_the_portal_login(tree):
    from django.test import Client

    client = Client()
    assert client.get("/m/").status_code == 200  # the landing page
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/m/login/"), url
    assert client.get("/m/lookup/").status_code == 200
    assert client.get("/m/signup/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_staff_on_resident_pages(client_as, personas):
    client = client_as(personas["dunhua"])
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert "工作人员账号" in client.get("/m/").content.decode()


@pytest.mark.django_db
def test_it_answers_404_for_another_residents_records(grid, client_as, me, other, slots, centre, family):
    from .test_reports_and_cases import _applicant, _report, _public_code
    from .conftest import intake

    appointment = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    report = _report(me, category=_public_code())
    case = intake(centre, applicant=_applicant(family["head"]))
    mine, theirs = client_as(me.user), client_as(other.user)
    for url in (f"/m/appointments/{appointment.pk}/", f"/m/reports/{report.pk}/", f"/m/cases/{case.pk}/"):
        assert mine.get(url).status_code == 200, url
        assert theirs.get(url).status_code == 404, url
    assert theirs.post(f"/m/appointments/{appointment.pk}/").status_code == 404


@pytest.mark.django_db
def test_it_sends_a_resident_from_the_staff_workbench_to_the_portal(client_as, me):
    response = client_as(me.user).get("/")
    assert response.status_code == 302 and response["Location"] == "/m/"


@pytest.mark.django_db
def test_it_shows_the_missing_materials_of_a_notified_case(client_as, centre, family, me):
    from .conftest import intake
    from .test_reports_and_cases import _applicant

    key = [m for m in centre["materials"] if m.is_key][0]
    case = intake(centre, decision="notify", applicant=_applicant(family["head"]),
                  provided=[m.pk for m in centre["materials"] if m.pk != key.pk])
    page = client_as(me.user).get(f"/m/cases/{case.pk}/").content.decode()
    assert "还需要补交的材料" in page and key.name in page


@pytest.mark.django_db
def test_it_lets_the_hall_supervisor_publish_slots_on_the_page(client_as, centre):
    from django.utils import timezone

    day = timezone.localdate() + dt.timedelta(days=4)
    client = client_as(centre["supervisor"])
    response = client.post("/m/manage/slots/", {"date": day.isoformat(), "start": "09:00", "end": "10:00",
                                                "category": centre["A"].pk, "capacity": 4})
    assert response.status_code == 302
    assert AppointmentSlot.objects.filter(date=day, capacity=4).exists()
    assert client_as(centre["clerk"]).get("/m/manage/slots/").status_code == 403


@pytest.mark.django_db
def test_it_checks_in_at_the_kiosk_page_and_shows_the_ticket(client_as, me, slots, centre):
    import time_machine
    from django.utils import timezone

    appointment = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    start = timezone.make_aware(dt.datetime.combine(slots["day"], dt.time(9)))
    with time_machine.travel(start - dt.timedelta(minutes=5), tick=False):
        clerk = client_as(centre["clerk"])  # signed in at the hall on the day
        wrong = clerk.post("/m/kiosk/check-in/", {"code": "ABCDEFGH"})
        assert wrong.status_code == 200 and "预约码不正确" in wrong.content.decode()
        response = clerk.post("/m/kiosk/check-in/", {"code": appointment.code})
        assert response.status_code == 302 and "/acceptance/kiosk/ticket/" in response["Location"]
        assert "B001" in clerk.get(response["Location"]).content.decode()
    assert client_as(me.user).get("/m/kiosk/check-in/").status_code == 403
