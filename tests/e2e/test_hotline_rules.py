"""12345 in the browser: the 街道 desk signs an order, records the first contact (先行联系) and asks for a 退单;
the district hotline office (区12345热线办) finds the request in its queue and rejects it, so the order is back at the
街道 (办理中) where the reply is now offered. Screenshots at 1366 and 390 px in /tmp/shots/hotline/."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_user

SHOTS = Path("/tmp/shots/hotline")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    """A Tuesday mid-morning: the 退单 window (one working day after receipt) is open."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=True) as traveller:
        yield traveller


@pytest.fixture
def site(clock):
    from shequ.grid import services
    from shequ.grid.testing import DUNHUA, build_grid_centre

    tree = build_tree()
    _station, centre = build_grid_centre(tree, prefix="e2e_")
    office = make_user(Role.HOTLINE_OFFICE, [tree["district"]], username="e2e_hotline_office")
    order = services.hotline_receive(actor=centre["operator"], subdistrict=tree["sub"], data={
        "order_no": "SH12345-20260310-100001", "hotline_type": "投诉", "title": "楼道堆物",
        "content": "邻居在楼道里堆放大量纸板和旧家具，存在消防隐患。", "address": "敦化路100号",
        "caller_name": "刘女士", "caller_phone": "13900001234", "lat": DUNHUA[0], "lng": DUNHUA[1]})
    return {"operator": centre["operator"], "office": office, "order": order}


def _context(browser, user, base):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    host = base.split("//", 1)[1]
    context.route("**/*", lambda route: route.continue_() if host in route.request.url
                  or route.request.url.startswith(("data:", "blob:")) else route.abort())
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}_1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_return_request_rejected_by_the_hotline_office_brings_the_order_back(browser, live_server, site):
    base, order = live_server.url, site["order"]
    url = f"{base}/grid/hotline/{order.pk}/"

    desk_context, desk = _context(browser, site["operator"], base)
    desk.goto(url)
    desk.locator("#h-sign button").click()
    expect(desk.locator(".sq-page-title .badge")).to_have_text("办理中")
    expect(desk.locator("#h-reply")).to_have_count(0)  # no reply before the first contact
    desk.select_option("#hc-method", "phone")
    desk.fill("#hc-by", "李网格员")
    desk.locator("#h-contact button").click()
    expect(desk.locator("#h-contact-info")).to_contain_text("李网格员")
    desk.select_option("#hq-return-reason", "territory")
    desk.locator("#h-return textarea[name=note]").fill("地址位于殷行街道辖区")
    desk.locator("#h-return button").click()
    expect(desk.locator(".sq-page-title .badge")).to_have_text("退单审核中")
    expect(desk.locator("#h-requests")).to_contain_text("属地不符")
    expect(desk.locator("#h-approve_return")).to_have_count(0)  # the 街道 does not decide its own request
    _shots(desk, "desk_return_requested")

    office_context, office = _context(browser, site["office"], base)
    office.goto(f"{base}/grid/hotline/requests/")
    row = office.locator("#hotline-requests tbody tr", has_text=order.order_no)
    expect(row).to_contain_text("属地不符")
    _shots(office, "office_queue")
    row.get_by_role("link", name=order.order_no).click()
    expect(office.locator("#h-sign")).to_have_count(0)
    office.locator("#h-reject_return textarea[name=note]").fill("经核该地址属延吉新村街道管辖，请继续办理")
    office.locator("#h-reject_return button").click()
    expect(office.locator(".sq-page-title .badge")).to_have_text("办理中")
    expect(office.locator("#h-requests")).to_contain_text("已驳回")
    _shots(office, "office_rejected")
    office.goto(f"{base}/grid/hotline/requests/")
    expect(office.locator("#hotline-requests")).to_contain_text("没有待审核的申请")
    office_context.close()

    desk.goto(url)
    expect(desk.locator(".sq-page-title .badge")).to_have_text("办理中")
    expect(desk.locator("#h-reply")).to_have_count(1)  # back at the 街道, and contacted: the reply is offered
    expect(desk.locator(".sq-timeline")).to_contain_text("驳回退单申请")
    _shots(desk, "desk_back_in_progress")
    desk_context.close()
