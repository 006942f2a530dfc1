"""Browser walk through the foundation: log in, find a resident, reveal with a reason, see the grid map."""

import pytest
from playwright.sync_api import expect

from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog
from shequ.core.testing import PASSWORD, make_resident

from .conftest import login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID = "11010519491231002X"


@pytest.fixture
def people(personas, tree):
    worker = personas["dunhua"]
    make_resident(worker, tree["dunhua"], name="张三", id_number=ID, phone="13800138000", household_number="H001",
                  relation="head")
    make_resident(worker, tree["dunhua"], name="李梅", household_number="H001", relation="spouse")
    make_resident(worker, tree["dunhua"], name="赵国强")
    make_resident(personas["kongjiang"], tree["kongjiang"], name="张控江")
    return worker


def test_it_logs_in_searches_and_reveals(page, live_server, people, shot):
    login_page(page, live_server, "dunhua", PASSWORD)
    assert page.locator("h1").first.inner_text().endswith("您好")
    shot("foundation-01-home")

    page.click("text=居民信息")
    page.fill("input[name=q]", "zs")
    page.press("input[name=q]", "Enter")  # searches even if the input event came before htmx was ready
    rows = page.locator("#resident-table tbody tr")
    expect(rows).to_have_count(1)  # 张控江 matches too but belongs to another committee
    expect(rows.first).to_contain_text("张三")
    assert "q=zs" in page.url
    assert ID not in page.content()
    shot("foundation-02-search")

    page.click("#resident-table >> text=张三")
    page.wait_for_selector("text=同户成员")
    assert "1101**********002X" in page.content()
    page.fill("input[name=reason]", "核对低保申请人身份")
    page.click("text=查看明文")
    page.wait_for_selector(f"text={ID}")
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, username="dunhua").count() == 1
    shot("foundation-03-reveal")


def test_it_fits_a_phone_screen(page, live_server, people, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    login_page(page, live_server, "dunhua", PASSWORD)
    page.goto(f"{live_server.url}/people/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.click("button[aria-controls=sq-sidebar]")
    page.wait_for_selector("#sq-sidebar.show")
    shot("foundation-04-phone-menu")


def test_it_draws_the_grids_on_the_map(page, live_server, personas, shot):
    login_page(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/tree/")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.get_attribute("#grid-map", "data-loaded") == "2"
    assert page.locator("#grid-map path.leaflet-interactive").count() == 2
    shot("foundation-05-map")
