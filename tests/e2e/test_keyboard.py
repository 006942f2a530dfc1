"""Keyboard-only paths through the main flows: no mouse click, no `fill` on a field the keyboard has not reached.
Each step Tabs to the next control (asserting that the focus is visible there) and types or presses Enter/Space.

- login: the skip link is the first stop, then the user name, the password and Enter;
- a committee worker searches the residents and opens one;
- a patrol member reports a grid case with the device's location;
- 大字模式 is switched on from the header and stays on;
- a window clerk sits at a window, calls the next ticket, starts serving it, takes the case in (applicant, item,
  materials, decision), opens the 一次性告知书 PDF, registers the missing material, accepts the case and opens the
  受理回执 PDF; after each htmx action the focus stays in the console;
- the window screen writes its call into a live region, as the hall screen does;
- a resident books an appointment on /m/ and finds it in 我的预约.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD, make_resident
from shequ.portal.tests.conftest import centre, family, slots  # noqa: F401  (fixtures)

from .a11y import axe_check

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


def focus_in(page, selector):
    """The focus is (or lands, after an htmx swap) inside `selector`."""
    page.wait_for_function("s => !!document.activeElement && !!document.activeElement.closest(s)", arg=selector)


def press_to_open(page, url_part):
    """Enter on the focused link opens a document in a new tab: the server answers with a PDF."""
    with page.context.expect_event("response", lambda r: url_part in r.url) as info:
        page.keyboard.press("Enter")
    response = info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"


def test_it_calls_takes_in_and_prints_at_the_window_with_the_keyboard(page, live_server, tree, personas, clock, shot):
    from shequ.acceptance import services
    from shequ.acceptance.models import Case
    from shequ.acceptance.testing import build_centre
    from shequ.core.testing import valid_id_number

    centre = build_centre(tree, personas)
    services.ticket_issue(node=centre["sub"], category="B")
    material = {m.name: m.pk for m in centre["materials"]}
    base = live_server.url
    keyboard_login(page, base, "clerk")
    tab_to(page, "a.sq-nav-link[href='/acceptance/window/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Sit at window 1, call the next visitor and start serving: each action swaps the console by htmx.
    tab_to(page, "form[action='/acceptance/window/1/sign/in/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/acceptance/window/1/"
    tab_to(page, "form[action='/acceptance/window/1/call/'] button")
    page.keyboard.press("Enter")
    expect(page.locator(".sq-console-number")).to_have_text("B001")
    focus_in(page, "#console [data-swap-focus]")  # the call button is now disabled: the focus is on the call made
    shot("keyboard_01_window_called")
    # The 受理办件 shortcut is not a tab stop until the visitor is being served.
    assert page.locator("#console a[href*='/acceptance/cases/new/']").count() == 0
    tab_to(page, "form[action='/acceptance/window/1/start/'] button")
    page.keyboard.press("Enter")
    expect(page.locator("#console")).to_contain_text("办理中")
    focus_in(page, "#console")
    tab_to(page, "#console a[href^='/acceptance/cases/new/?ticket=']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Intake: the applicant, the item (type-ahead on the closed select), the materials, the decision.
    tab_to(page, "input[name=applicant_name]")
    page.keyboard.type("王秀英")
    tab_to(page, "input[name=applicant_id_number]")
    page.keyboard.type(valid_id_number(seed=42, male=False))
    tab_to(page, "input[name=applicant_phone]")
    page.keyboard.type("13916001234")
    tab_to(page, "select[name=item]")
    page.keyboard.press("b")  # the first item of queue category B
    assert page.evaluate("document.activeElement.value") == str(centre["dibao"].pk)
    expect(page.locator("#item-materials")).to_contain_text("承诺办结日为")
    tab_to(page, f"#mat-{material['居民身份证']}")
    page.keyboard.press("Space")
    tab_to(page, f"#mat-{material['家庭成员收入证明']}")
    page.keyboard.press("Space")
    tab_to(page, "input[name=decision]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the arrow keys move through a radio group, choosing as they go
    assert page.evaluate("document.activeElement.value") == "notify"
    assert page.locator("input[name=decision]:checked").get_attribute("value") == "notify"
    shot("keyboard_02_intake")
    tab_to(page, "#intake-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("一次告知（待补齐材料）")
    case = Case.objects.get(applicant_name="王秀英")

    # Print the one-time notice, register the missing 户口簿, accept, print the receipt.
    tab_to(page, "a[data-doc=notice]")
    press_to_open(page, f"/acceptance/cases/{case.pk}/pdf/notice/")
    tab_to(page, "form[data-action=supplement] input[name=materials]")
    page.keyboard.press("Space")
    tab_to(page, "form[data-action=supplement] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("补交材料")
    tab_to(page, "form[data-action=accept] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("已受理（待审核）")
    tab_to(page, "a[data-doc=receipt]")
    press_to_open(page, f"/acceptance/cases/{case.pk}/pdf/receipt/")
    case.refresh_from_db()
    assert case.status == "accepted" and case.ticket.number == "B001"
    assert [e.note for e in case.events.filter(action="print").order_by("at")] == ["一次性告知书", "受理回执"]


def test_it_announces_the_call_on_the_window_screen(page, live_server, tree, personas, clock):
    from shequ.acceptance import services
    from shequ.acceptance.testing import build_centre

    centre = build_centre(tree, personas)
    w1 = centre["w1"]
    services.window_sign_in(actor=centre["clerk"], window=w1)
    keyboard_login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/acceptance/display/window/1/")
    live = page.locator("#sq-call-live")
    expect(live).to_have_attribute("aria-live", "assertive")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_text("")
    services.ticket_issue(node=centre["sub"], category="B")
    services.window_call_next(actor=centre["clerk"], window=w1)
    # The board is replaced every 3 s; the live region stays in the page and receives the call.
    expect(live).to_have_text("请 B 0 0 1 号到本窗口办理", timeout=10000)
    expect(page.locator("#window-board .num")).to_have_text("B001")
    assert page.locator("#window-board #sq-call-live").count() == 0
    findings = axe_check(page)  # the screen with a call on it passes the WCAG rules too
    assert not findings, "\n".join(map(str, findings))


def test_it_books_an_appointment_on_the_phone_with_the_keyboard(page, live_server, family, slots,  # noqa: F811
                                                                centre, shot):  # noqa: F811
    from shequ.portal.models import Appointment
    from shequ.portal.tests.conftest import make_account

    account = make_account("13955556666", family["head"])
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/m/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(account.user.username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("王建国，您好")

    tab_to(page, "a.pm-tile[href='/m/book/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("预约办事")
    slot = slots["b10"]
    tab_to(page, f"a[href='/m/book/{slot.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("确认预约")
    tab_to(page, "select[name=item]")
    for _ in range(5):  # a closed select changes its choice with the arrow keys
        if "城乡居民最低生活保障申请" in page.evaluate("document.activeElement.selectedOptions[0].text"):
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == str(centre["dibao"].pk)
    tab_to(page, "main form button")
    shot("keyboard_03_book_confirm_390")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    code = page.get_by_test_id("appointment-code").inner_text()
    booked = Appointment.objects.get(code=code)
    assert booked.slot_id == slot.pk and booked.item_id == centre["dibao"].pk

    # 我的预约 lists it; its row opens the same appointment.
    tab_to(page, "a[href='/m/appointments/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("我的预约")
    expect(page.locator("main")).to_contain_text("城乡居民最低生活保障申请")
    tab_to(page, f"a.pm-card[href='/m/appointments/{booked.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("appointment-code")).to_have_text(code)
