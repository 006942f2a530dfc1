import pytest

from shequ.facilities import services

from .conftest import at

pytestmark = pytest.mark.django_db


def test_it_serves_every_staff_page(net, personas, client_as, book):
    b = book(personas["dunhua"], net["studio"], at(9, 28, 14), at(9, 28, 15))
    op = client_as(net["operator"])
    for url in ("/facilities/", "/facilities/today/", f"/facilities/{net['centre'].pk}/",
                f"/facilities/{net['centre'].pk}/?week=2026-10-05", f"/facilities/{net['centre'].pk}/?week=bad",
                f"/facilities/{net['centre'].pk}/hours/", f"/facilities/{net['centre'].pk}/rooms/new/",
                f"/facilities/rooms/{net['hall'].pk}/edit/", f"/facilities/{net['centre'].pk}/closures/new/",
                "/facilities/bookings/", "/facilities/bookings/?date_from=2026-10-01&date_to=2026-01-01",
                "/facilities/bookings/new/", f"/facilities/bookings/{b.pk}/", "/facilities/usage/"):
        assert op.get(url).status_code == 200, url
    leader = client_as(personas["leader"])
    for url in ("/facilities/new/", f"/facilities/{net['centre'].pk}/edit/", "/facilities/usage/?months=12"):
        assert leader.get(url).status_code == 200, url
    today = op.get("/facilities/today/").content.decode()
    assert "待审批（1）" in today and "舞蹈房" in today


def test_it_hides_other_facilities_and_refuses_edits(net, personas, client_as):
    other = client_as(net["other_operator"])
    assert other.get(f"/facilities/{net['centre'].pk}/").status_code == 404
    assert other.get(f"/facilities/rooms/{net['hall'].pk}/edit/").status_code == 404
    worker = client_as(personas["dunhua"])
    assert worker.get(f"/facilities/{net['centre'].pk}/").status_code == 200
    assert worker.get(f"/facilities/{net['centre'].pk}/hours/").status_code == 403
    assert worker.get("/facilities/new/").status_code == 403
    assert client_as(personas["kongjiang"]).get(f"/facilities/{net['centre'].pk}/").status_code == 404


def test_it_books_from_the_page_and_reports_weekly_clashes(net, personas, client_as, book):
    book(personas["leader"], net["hall"], at(10, 13, 14), at(10, 13, 15))
    worker = client_as(personas["dunhua"])
    form = {"room": net["hall"].pk, "date": "2026-09-29", "start_time": "14:00", "end_time": "16:00",
            "purpose": "合唱团排练", "age_group": "elders", "weekly": "on", "weeks": "4"}
    page = worker.post("/facilities/bookings/new/", form).content.decode()
    assert "有 2 个日期无法预约" in page and "2026年10月13日" in page and "国庆节" in page
    answer = worker.post("/facilities/bookings/new/", {**form, "confirm": "1", "skip": ["2026-10-06", "2026-10-13"]})
    assert answer.status_code == 302
    again = worker.post("/facilities/bookings/new/", {**form, "weekly": "", "weeks": ""}).content.decode()
    assert "该时段已被预约" in again


def test_it_runs_actions_from_the_page(net, personas, client_as, book):
    b = book(personas["dunhua"], net["studio"], at(9, 29, 14), at(9, 29, 15))
    assert client_as(personas["dunhua"]).post(f"/facilities/bookings/{b.pk}/approve/").status_code == 403
    op = client_as(net["operator"])
    assert op.post(f"/facilities/bookings/{b.pk}/approve/").status_code == 302
    b.refresh_from_db()
    assert b.status == "approved"
    assert op.post(f"/facilities/bookings/{b.pk}/explode/").status_code == 404


def test_it_lets_a_resident_book_and_cancel_on_the_phone(net, personas, client_as):
    resident = client_as(personas["resident"])
    page = resident.get("/facilities/m/").content.decode()
    assert "舞蹈房" in page and "多功能厅" in page
    answer = resident.post(f"/facilities/m/rooms/{net['studio'].pk}/", {
        "date": "2026-09-29", "start_time": "19:00", "end_time": "20:30", "purpose": "读书会", "age_group": "adults"})
    assert answer.status_code == 302
    booking = services.Booking.objects.get()
    assert booking.status == "pending" and booking.booked_by == personas["resident"]
    assert "待审批" in resident.get("/facilities/m/").content.decode()
    assert resident.post(f"/facilities/m/bookings/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # Another 街道's room is not offered, nor reachable by its address.
    assert "殷行一村睦邻点" not in resident.get("/facilities/m/").content.decode()
    assert resident.get(f"/facilities/m/rooms/{net['far_room'].pk}/").status_code == 404
    assert client_as(personas["dunhua"]).get("/facilities/m/").status_code == 403


def test_it_puts_the_operators_day_on_his_home_page(net, personas, client_as, book):
    book(personas["dunhua"], net["studio"], at(9, 28, 14), at(9, 28, 15))
    book(personas["dunhua"], net["hall"], at(9, 28, 16), at(9, 28, 17))
    home = client_as(net["operator"]).get("/").content.decode()
    assert "今日场地预约" in home and "待审批场地预约" in home and "今日待签到" in home
    assert "待审批场地预约" not in client_as(personas["dunhua"]).get("/").content.decode()


def test_a_resident_sees_his_own_streets_rooms_his_committee_first(net, tree, personas, client_as):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    from .conftest import bind

    neighbour = make_user(Role.RESIDENT, username="kj_resident")
    bind(neighbour, personas["kongjiang"], tree["kongjiang"], name="控江居民")
    page = client_as(neighbour).get("/facilities/m/").content.decode()
    assert page.index("控江睦邻点") < page.index("敦化路睦邻中心")  # his committee's point first
    assert "殷行一村睦邻点" not in page
    mine = client_as(personas["resident"]).get("/facilities/m/").content.decode()  # 敦化路
    assert mine.index("敦化路睦邻中心") < mine.index("控江睦邻点")
    far = make_user(Role.RESIDENT, username="yx_resident")
    bind(far, personas["yinxing"], tree["yinxing"], name="殷行居民")
    other = client_as(far).get("/facilities/m/").content.decode()
    assert "殷行一村睦邻点" in other and "敦化路睦邻中心" not in other
    assert client_as(far).get(f"/facilities/m/rooms/{net['hall'].pk}/").status_code == 404


def test_an_unbound_resident_is_asked_to_bind_before_booking(net, client_as):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    unbound = make_user(Role.RESIDENT, username="unbound")
    client = client_as(unbound)
    page = client.get("/facilities/m/").content.decode()
    assert "完成实名绑定后" in page and "多功能厅" not in page
    assert client.get(f"/facilities/m/rooms/{net['hall'].pk}/").status_code == 404
