"""Browser walks of the 社区服务 section: a 96980 call routed into a grid case, with the link seen from both
sides; a caller's room booking (a clash first) and, at the operations centre, a meal order for his household's
elder; and a hand-out at the charity supermarket's counter. Screenshots at 1366 and 390 px in var/screens/."""

import re

import pytest
from playwright.sync_api import expect

from shequ.charity.tests.conftest import market  # noqa: F401  (fixture)
from shequ.helpline.tests.conftest import line  # noqa: F401  (fixture)
from shequ.helpline.tests.test_booking_meal import centre, meals  # noqa: F401  (fixtures)

from .conftest import login_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def fresh_grid():
    from shequ.grid import spatial

    spatial.clear()
    yield
    spatial.clear()


def test_a_call_becomes_a_grid_case_linked_both_ways(page, live_server, shot, line, fresh_grid):  # noqa: F811
    url = live_server.url
    login_as(page, live_server, line["op"])
    page.goto(f"{url}/helpline/new/")
    page.fill("input[name=caller_name]", "王阿姨")
    page.fill("input[name=caller_phone]", "13816201234")
    page.select_option("select[name=committee]", label="敦化路居委会")
    page.fill("input[name=address]", "敦化路100弄3号")
    page.select_option("select[name=category]", label="环境市容")
    page.fill("textarea[name=need]", "楼道里堆满了纸板和旧家具，影响通行")
    shot("helpline_01_new_1366")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", name=re.compile("来电 96980-"))).to_be_visible()
    expect(page.get_by_text("138****1234")).to_be_visible()
    assert "13816201234" not in page.content()
    page.locator("summary", has_text="转网格案件").click()
    page.select_option("select[name=grid-category]", index=1)
    shot("helpline_02_route_1366")
    page.locator("[data-route-grid]").click()
    expect(page.locator("[data-grid-case]")).to_be_visible()
    case_number = page.locator("[data-grid-case]").inner_text().split(" ")[0]
    call_url = page.url
    shot("helpline_03_routed_1366")

    login_as(page, live_server, line["operator"])  # the operations centre sees both sides
    page.goto(call_url)
    page.locator("[data-grid-case] a").click()
    expect(page.get_by_role("heading", name=re.compile(case_number))).to_be_visible()
    linked = page.locator("[data-linked] a")
    expect(linked).to_have_text(re.compile(r"96980-\d{8}-\d{3}"))
    shot("helpline_04_grid_case_1366")
    page.set_viewport_size(PHONE)
    shot("helpline_05_grid_case_390")
    linked.click()
    expect(page.locator("[data-grid-case]")).to_contain_text(case_number)
    shot("helpline_06_call_390")
    page.goto(f"{url}/helpline/stats/")
    expect(page.locator("[data-chart]").first).to_have_attribute("data-loaded", "8")
    shot("helpline_07_stats_390")
    page.set_viewport_size(DESKTOP)
    shot("helpline_08_stats_1366")


@pytest.fixture
def tiers():
    """The subsidy tiers the migration writes (a transactional test's flush removes them)."""
    from shequ.eldercare.models import MealTier
    from shequ.eldercare.tiers import ensure_default_tiers

    ensure_default_tiers(MealTier)


def _call(page, url, need, category):
    page.goto(f"{url}/helpline/new/")
    page.fill("input[name=caller_name]", "张建国")
    page.fill("input[name=caller_phone]", "13816201234")
    page.select_option("select[name=committee]", label="敦化路居委会")
    page.select_option("select[name=category]", label=category)
    page.fill("textarea[name=need]", need)
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", name=re.compile("来电 96980-"))).to_be_visible()


def test_a_caller_books_a_room_and_orders_a_meal(tiers, page, live_server, shot, line, centre,  # noqa: F811
                                                 meals, personas):
    import datetime as dt

    from django.utils import timezone

    from shequ.facilities import services as facilities

    url = live_server.url
    day = timezone.localdate() + dt.timedelta(days=3)
    tz = timezone.get_current_timezone()
    facilities.booking_create(actor=personas["leader"], room=centre["room"], purpose="合唱团排练",
                              start=dt.datetime.combine(day, dt.time(14), tz),
                              end=dt.datetime.combine(day, dt.time(16), tz))
    login_as(page, live_server, line["op"])
    _call(page, url, "楼组想借活动室开议事会，二十人左右", "场地活动")
    page.locator("summary", has_text="预约场地").click()
    page.select_option("select[name=booking-room]", index=1)
    page.fill("input[name=booking-start]", f"{day:%Y-%m-%d}T15:00")
    page.fill("input[name=booking-end]", f"{day:%Y-%m-%d}T17:00")
    page.fill("input[name=booking-purpose]", "楼组长议事会")
    page.locator("[data-route-booking]").click()
    expect(page.get_by_text(re.compile("该时段已被预约（.*14:00–16:00")).first).to_be_visible()
    shot("helpline_09_booking_clash_1366")
    page.fill("input[name=booking-start]", f"{day:%Y-%m-%d}T16:00")
    page.fill("input[name=booking-end]", f"{day:%Y-%m-%d}T18:00")
    page.locator("[data-route-booking]").click()
    expect(page.locator("[data-booking] a")).to_be_visible()
    shot("helpline_10_booked_1366")
    page.locator("[data-booking] a").click()
    expect(page.get_by_text(re.compile(r"96980来电 96980-\d{8}-\d{3}"))).to_be_visible()
    shot("helpline_11_booking_page_1366")

    page.set_viewport_size(PHONE)
    login_as(page, live_server, line["operator"])  # meals are ordered at the operations centre's seat
    _call(page, url, "父亲八十多岁，想订后天的午餐送到家", "为老服务")
    page.locator("summary", has_text="助餐订餐").click()
    shot("helpline_12_meal_form_390")
    elder = page.locator("select[name=meal-resident] option", has_text="王秀英").get_attribute("value")
    page.select_option("select[name=meal-resident]", value=elder)
    page.fill("input[name=meal-date]", f"{timezone.localdate() + dt.timedelta(days=2):%Y-%m-%d}")
    page.select_option("select[name=meal-meal]", label="午餐")
    page.select_option("select[name=meal-mode]", label="送餐")
    page.locator("[data-route-meal]").click()
    expect(page.locator("[data-meal-order]")).to_be_visible()
    expect(page.get_by_text(re.compile(r"价格15\.00元"))).to_be_visible()
    shot("helpline_13_meal_ordered_390")
    page.set_viewport_size(DESKTOP)
    shot("helpline_14_meal_ordered_1366")


def test_a_hand_out_at_the_supermarket_counter(page, live_server, shot, market):  # noqa: F811
    url = live_server.url
    login_as(page, live_server, market["op"])
    page.goto(f"{url}/charity/")
    expect(page.get_by_role("heading", name=re.compile("敦化路慈善超市"))).to_be_visible()
    shot("charity_01_stock_1366")
    page.get_by_role("link", name="发放", exact=True).click()
    page.fill("input[name=q]", "王秀英")
    page.get_by_role("button", name="查找家庭").click()
    page.get_by_role("link", name="查看额度").first.click()
    expect(page.locator("[data-remaining]")).to_have_text("100")
    page.get_by_label(re.compile("大米")).fill("2")
    page.get_by_label(re.compile("食用油")).fill("1")
    shot("charity_02_counter_1366")
    page.get_by_role("button", name="确认发放").click()
    expect(page.locator("[data-remaining]")).to_have_text("30")
    page.get_by_label(re.compile("食用油")).fill("2")
    page.get_by_role("button", name="确认发放").click()
    expect(page.get_by_text(re.compile("超出本月额度"))).to_be_visible()
    shot("charity_03_over_limit_1366")
    page.set_viewport_size(PHONE)
    shot("charity_04_counter_390")
    page.goto(f"{url}/charity/{market['supermarket'].pk}/report/")
    shot("charity_05_report_390")
    page.goto(f"{url}/charity/{market['supermarket'].pk}/donations/new/")
    shot("charity_06_donation_390")
