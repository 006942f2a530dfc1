"""为老服务 in the browser: a committee worker enrols an 82-year-old and orders a week of lunches; the canteen's
operator sees the kitchen count; the 街道's 民政 officer makes last month's settlement; the day-care nurse records
a day with a high blood pressure, which is flagged in words. Screenshots at 1366 and 390 px in var/screens/."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from shequ.eldercare.tests.conftest import elder, places  # noqa: F401  (fixtures)
from tests.e2e.a11y import axe_check
from tests.e2e.conftest import login_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ground(places, elder, personas):  # noqa: F811
    from shequ.eldercare.services import attendance_record, daycare_enrol, meal_enrol, meal_order_create

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    regular = elder(76, name="李桂英")
    meal_enrol(actor=personas["dunhua"], resident=regular, canteen=places["canteen"])
    for day in (last_month + dt.timedelta(days=n) for n in (2, 3, 9)):
        placed = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=2), dt.time(9)))
        with time_machine.travel(placed, tick=False):
            meal_order_create(actor=personas["dunhua"], resident=regular, date=day, meal="lunch", mode="dine_in")
    guest = daycare_enrol(actor=personas["officer"], facility=places["daycare"], resident=elder(85, name="孙玉兰"),
                          care_grade=3, daily_fee=Decimal("30"), start_date=today - dt.timedelta(days=30))
    attendance_record(actor=places["nurse"], enrolment=guest, date=today - dt.timedelta(days=1),
                      arrived_at=dt.time(8, 20), left_at=dt.time(16, 0), temperature="36.5", systolic=126,
                      diastolic=80)
    return {"new": elder(82, name="王秀英"), "guest": guest, "last_month": last_month}


def at_phone(page, shot, name):
    """Screenshots at 390 px after one at 1366, and axe's WCAG 2.1 AA rules at both widths."""
    findings = axe_check(page)
    page.set_viewport_size(PHONE)
    shot(f"{name}_390")
    findings += axe_check(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not findings, [(f.rule, f.targets) for f in findings]


def test_enrol_order_count_settle_and_flag(page, live_server, shot, ground, places, personas):  # noqa: F811
    url = live_server.url
    start = timezone.localdate() + dt.timedelta(days=2)  # tomorrow's orders close today at 16:00

    login_as(page, live_server, personas["dunhua"])
    page.goto(f"{url}/eldercare/enrol/?q=王秀英")
    page.get_by_role("link", name="王秀英").click()
    expect(page.get_by_text("80岁以上八五折")).to_be_visible()
    page.select_option("select[name=canteen]", label="延吉睦邻中心长者食堂")
    page.fill("input[name=diet_note]", "低盐")
    shot("eldercare_01_enrol_1366")
    assert not axe_check(page)
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", name="王秀英")).to_be_visible()

    page.get_by_role("link", name="订餐").click()
    page.fill("input[name=date_from]", start.isoformat())
    page.fill("input[name=date_to]", (start + dt.timedelta(days=6)).isoformat())
    page.select_option("select[name=meal]", "lunch")
    shot("eldercare_02_order_week_1366")
    page.get_by_role("button", name="下单").click()
    expect(page.get_by_text("已订 7 份午餐")).to_be_visible()
    expect(page.locator("tbody tr", has_text="9.75")).to_have_count(7)  # 15 − 2.25 − 3
    shot("eldercare_03_enrolment_1366")
    at_phone(page, shot, "eldercare_03_enrolment")

    login_as(page, live_server, places["cook"])
    page.goto(f"{url}/eldercare/kitchen/?canteen={places['canteen'].pk}&date={start.isoformat()}")
    expect(page.locator("#kitchen-total")).to_have_text("1")
    expect(page.locator("td[data-meal=lunch]")).to_have_text("1")
    shot("eldercare_04_kitchen_1366")
    at_phone(page, shot, "eldercare_04_kitchen")

    login_as(page, live_server, personas["officer"])
    page.goto(f"{url}/eldercare/settlements/?month={ground['last_month']:%Y-%m}")
    page.select_option("select[name=canteen]", label="延吉睦邻中心长者食堂")
    page.fill("input[name=month]", f"{ground['last_month']:%Y-%m}")
    page.get_by_role("button", name="生成").click()
    expect(page.locator("#allowance")).to_have_text("10.50 元")  # three lunches: 3 × (1.50 + 2.00)
    shot("eldercare_05_settlement_1366")
    at_phone(page, shot, "eldercare_05_settlement")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    login_as(page, live_server, places["nurse"])
    page.goto(f"{url}/eldercare/daycare/")
    page.get_by_role("link", name="登记到达").click()
    page.fill("input[name=arrived_at]", "08:30")
    page.fill("input[name=temperature]", "36.6")
    page.fill("input[name=systolic]", "168")
    page.fill("input[name=diastolic]", "98")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("出勤已登记")).to_be_visible()
    expect(page.get_by_text("血压偏高")).to_be_visible()  # in words, not only a red row
    expect(page.locator("#statement-fee")).to_contain_text("元")
    shot("eldercare_06_daycare_person_1366")
    at_phone(page, shot, "eldercare_06_daycare_person")
    page.goto(f"{url}/eldercare/daycare/")
    expect(page.get_by_text("血压偏高")).to_be_visible()
    shot("eldercare_07_daycare_day_1366")
    at_phone(page, shot, "eldercare_07_daycare_day")
