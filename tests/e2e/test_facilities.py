"""场地预约 in the browser: the operator of 敦化路睦邻中心 books a room, fails to book it twice, books a weekly
choir whose clashing week is reported and skipped on confirmation, and looks at the facility, his day and the map;
a resident books on the phone. Screenshots at 1366 and 390 px go to var/screens/facilities_*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_resident, make_user, valid_id_number
from shequ.facilities import services
from shequ.facilities.choices import FacilityLevel
from shequ.facilities.models import Booking

from .conftest import login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site():
    tree = build_tree()
    centre = services.facility_create(actor=None, level=FacilityLevel.NEIGHBOURHOOD_CENTRE, name="敦化路睦邻中心",
                                      node=tree["dunhua"], address="敦化路1号", lng="121.530", lat="31.276",
                                      operator_name="上海知行事务所", services=["老年活动", "助餐"],
                                      closed_on_holidays=False)
    point = services.facility_create(actor=None, level=FacilityLevel.NEIGHBOURHOOD_POINT, name="控江路645弄睦邻点",
                                     node=tree["kongjiang"], address="控江路645弄8号", lng="121.537", lat="31.277")
    for f in (centre, point):
        services.opening_hours_set(actor=None, facility=f, periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])
    hall = services.room_create(actor=None, facility=centre, name="多功能厅", capacity=80, equipment="投影、音响")
    services.room_create(actor=None, facility=centre, name="舞蹈房", capacity=30, needs_approval=True)
    services.room_create(actor=None, facility=point, name="睦邻客厅", capacity=20)
    operator = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="heijing")
    services.facility_staff_assign(actor=None, facility=centre, user=operator)
    resident = make_user(Role.RESIDENT, username="jumin")
    _bind(resident, tree["kongjiang"])  # a resident books in his own 街道: 控江路645弄 first, then 敦化路
    leader = make_user(Role.LEADER, [tree["sub"]], username="jiedao")
    make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="xinren")
    today = timezone.localdate()
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    clash = tuesday + dt.timedelta(weeks=1)
    tz = timezone.get_current_timezone()
    services.booking_create(actor=operator, room=hall, purpose="居民议事会",
                            start=dt.datetime.combine(clash, dt.time(15), tz),
                            end=dt.datetime.combine(clash, dt.time(16), tz))
    return {"hall": hall, "centre": centre, "operator": operator, "resident": resident, "tuesday": tuesday,
            "clash": clash, "tomorrow": today + dt.timedelta(days=1)}


def _bind(user, committee):
    from shequ.people.models import Resident
    from shequ.portal import services as portal

    worker = make_user(Role.COMMITTEE_WORKER, [committee], username="kj_worker")
    resident = make_resident(worker, committee, name="陈阿婆", id_number=valid_id_number(dt.date(1950, 3, 3),
                                                                                        male=False))
    number = Resident.objects.get(pk=resident.pk).id_number
    portal.account_bind(account=portal.account_for(user), name="陈阿婆", id_number=number, consent=True)


def _fill(page, room, day, start, end, purpose):
    page.select_option("select[name=room]", str(room.pk))
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=start_time]", start)
    page.fill("input[name=end_time]", end)
    page.fill("input[name=purpose]", purpose)


def test_book_fail_to_double_book_and_book_weekly_with_a_clash(page, live_server, shot, site):
    url, hall = live_server.url, site["hall"]
    login_page(page, live_server, "heijing", PASSWORD)
    page.goto(f"{url}/facilities/bookings/new/?room={hall.pk}")
    _fill(page, hall, site["tomorrow"], "10:00", "11:30", "书法班")
    page.get_by_role("button", name="提交预约").click()
    expect(page.get_by_text("预约成功")).to_be_visible()
    shot("facilities_01_booked_1366")

    page.goto(f"{url}/facilities/bookings/new/?room={hall.pk}")
    _fill(page, hall, site["tomorrow"], "11:00", "12:00", "太极拳")
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("该时段已被预约")
    shot("facilities_02_double_booking_refused_1366")
    assert Booking.objects.filter(room=hall, purpose="太极拳").count() == 0

    page.goto(f"{url}/facilities/bookings/new/")
    _fill(page, hall, site["tuesday"], "14:00", "16:00", "延吉合唱团排练")
    page.check("input[name=weekly]")
    page.fill("input[name=weeks]", "4")
    page.get_by_role("button", name="提交预约").click()
    clash_text = f"{site['clash'].year}年{site['clash'].month}月{site['clash'].day}日"
    expect(page.locator("#series-clashes")).to_contain_text(clash_text)
    expect(page.locator("#series-clashes")).to_contain_text("已被预约")
    shot("facilities_03_weekly_clash_1366")
    page.get_by_role("button", name="确认预约其余 3 次").click()
    expect(page.get_by_text("已预约3次（每周），跳过1个冲突日期")).to_be_visible()
    assert Booking.objects.filter(room=hall, purpose="延吉合唱团排练").count() == 3

    page.goto(f"{url}/facilities/{site['centre'].pk}/?week={site['tuesday'].isoformat()}")
    expect(page.get_by_text("延吉合唱团排练").first).to_be_visible()
    shot("facilities_04_detail_1366")
    page.goto(f"{url}/facilities/today/")
    shot("facilities_05_today_1366")
    page.goto(f"{url}/facilities/")
    expect(page.locator("[data-facility-map][data-loaded='1']")).to_be_attached()
    expect(page.get_by_role("link", name="敦化路睦邻中心")).to_be_visible()
    shot("facilities_06_map_1366")

    page.set_viewport_size(PHONE)
    page.goto(f"{url}/facilities/{site['centre'].pk}/?week={site['tuesday'].isoformat()}")
    shot("facilities_07_detail_390")
    page.goto(f"{url}/facilities/bookings/new/")
    shot("facilities_08_new_390")


def test_a_resident_books_a_room_on_the_phone(page, live_server, shot, site):
    url = live_server.url
    page.set_viewport_size(PHONE)
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(site["resident"])
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(f"{url}/facilities/m/")
    names = page.locator(".pm-card h3").all_inner_texts()
    assert names.index("控江路645弄睦邻点") < names.index("敦化路睦邻中心")  # his committee's point first
    shot("facilities_09_m_rooms_390")
    page.get_by_role("link", name="预约 敦化路睦邻中心 舞蹈房").click()
    page.fill("input[name=date]", site["tomorrow"].isoformat())
    page.fill("input[name=start_time]", "19:00")
    page.fill("input[name=end_time]", "20:30")
    page.fill("input[name=purpose]", "读书会")
    page.get_by_role("button", name="提交预约").click()
    expect(page.get_by_text("预约已提交，等待审批")).to_be_visible()
    expect(page.get_by_text("待审批").first).to_be_visible()
    shot("facilities_10_m_booked_390")


def test_the_street_assigns_an_operator_to_a_facility(page, live_server, shot, site):
    url = live_server.url
    login_page(page, live_server, "jiedao", PASSWORD)
    page.goto(f"{url}/facilities/{site['centre'].pk}/")
    page.get_by_role("link", name="运营人员").click()
    expect(page.locator("[data-staff-list]")).to_contain_text("heijing")
    page.select_option("select[name=user]", label="测试xinren（xinren）")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.get_by_text("已将测试xinren分配到敦化路睦邻中心")).to_be_visible()
    expect(page.locator("[data-staff-list]")).to_contain_text("xinren")
    shot("facilities_11_staff_1366")
    page.set_viewport_size(PHONE)
    shot("facilities_12_staff_390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="取消分配 测试xinren").click()
    expect(page.get_by_text("已取消测试xinren对敦化路睦邻中心的运营")).to_be_visible()
    page.goto(f"{url}/facilities/bookings/")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel（脱敏）").click()
    assert download.value.suggested_filename.startswith("bookings-")
