"""Keyboard-only paths through the main flows: no mouse click, no `fill` on a field the keyboard has not reached.
Each step Tabs to the next control (asserting that the focus is visible there) and types or presses Enter/Space.

- login: the skip link is the first stop, then the user name, the password and Enter;
- a committee worker searches the residents and opens one;
- a patrol member reports a grid case with the device's location;
- 大字模式 is switched on from the header and stays on.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD, make_resident

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DUNHUA = (31.2775, 121.5325)
MAX_TABS = 80


def tab_to(page, selector, *, backwards=False):
    """Press Tab until the focused element matches `selector`; fail if it is never reached or its focus is not
    visible (an outline or a box-shadow ring)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; }""")
            assert ring, f"focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def keyboard_login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url


@pytest.fixture
def clock(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_it_logs_in_and_skips_to_the_content_with_the_keyboard(page, live_server, personas, clock):
    keyboard_login(page, live_server.url, "dunhua")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").find("sq-skip-link") >= 0, "the skip link is not first"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the navigation
    assert page.evaluate("!!document.activeElement.closest('#main')")


def test_it_searches_residents_and_opens_one_with_the_keyboard(page, live_server, personas, tree, clock):
    worker = personas["dunhua"]
    make_resident(worker, tree["dunhua"], name="张三", household_number="H001", relation="head")
    make_resident(worker, tree["dunhua"], name="赵国强")
    keyboard_login(page, live_server.url, "dunhua")
    tab_to(page, "a.sq-nav-link[href='/people/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "input[name=q]")
    page.keyboard.type("zs")
    page.keyboard.press("Enter")
    rows = page.locator("#resident-table tbody tr")
    expect(rows).to_have_count(1)
    tab_to(page, "#resident-table tbody a")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=同户成员")
    expect(page.locator("h1")).to_contain_text("张三")


def test_it_reports_a_grid_case_with_the_keyboard(page, live_server, tree, clock):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.grid import spatial
    from shequ.grid.models import Case
    from shequ.grid.testing import build_grid_centre

    spatial.clear()
    build_grid_centre(tree)
    make_user(Role.PATROL, [tree["sub"]], username="kbpatrol")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": DUNHUA[0], "longitude": DUNHUA[1], "accuracy": 8})
    page.set_viewport_size({"width": 390, "height": 844})
    keyboard_login(page, live_server.url, "kbpatrol")
    page.goto(f"{live_server.url}/grid/report/")
    page.wait_for_selector("#pick-map[data-loaded='2']")
    tab_to(page, "select[name=category]")
    category = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowDown")  # a closed select changes its choice with the arrow keys
    assert page.evaluate("document.activeElement.value") != category
    tab_to(page, "textarea[name=description]")
    page.keyboard.type("人行道上有暴露垃圾，影响通行")
    tab_to(page, "input[name=address]")
    page.keyboard.type("敦化路100号")
    tab_to(page, "#use-location", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#location-status")).to_contain_text("敦化第1网格", timeout=10000)
    tab_to(page, "#report-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/grid/cases/\d+/$"))
    assert Case.objects.filter(description="人行道上有暴露垃圾，影响通行").count() == 1
    spatial.clear()


def test_it_switches_large_text_on_with_the_keyboard(page, live_server, personas, clock):
    from shequ.core.models import User

    keyboard_login(page, live_server.url, "dunhua")
    tab_to(page, "button.sq-large-toggle")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert User.objects.get(username="dunhua").large_text
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    expect(page.locator("button.sq-large-toggle")).to_have_attribute("aria-pressed", "true")
