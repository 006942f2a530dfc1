"""居民端 closure in browsers, through the real pages and services only (no status written directly): a resident
books a slot on a phone → a walk-in takes a number at the kiosk → the resident checks in at the kiosk with the
code and gets a "Y 预约" ticket → the clerk calls it before the walk-in → intake of the case from that ticket → the
民政 officer approves and completes it (办结) → the resident sees it in 我的办件 and rates it. Screenshots at 390 px
(also large-text mode) go to var/screens/portal_closure_*.png."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hall(db, settings, tree, personas):
    # The browsers run in real time while the server is frozen on a Monday morning in 2026.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 40, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.acceptance import services
        from shequ.acceptance.testing import build_centre
        from shequ.core.testing import make_resident, valid_id_number
        from shequ.portal import services as portal
        from shequ.portal.tests.conftest import make_account

        centre = build_centre(tree, personas)
        kiosk, kiosk_code = services.device_create(actor=centre["supervisor"], node=centre["sub"], name="大厅取号机1",
                                                   kind="kiosk")
        head = make_resident(personas["dunhua"], tree["dunhua"], name="王建国", relation="head",
                             id_number=valid_id_number(dt.date(1975, 5, 1)), household_number="H-DH-0001")
        account = make_account("13955557777", head)
        portal.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=dt.date(2026, 11, 23),
                            start=dt.time(9, 0), end=dt.time(10, 0), category=centre["B"], capacity=5)
        yield {**centre, "kiosk_code": kiosk_code, "account": account, "head": head}


def _context(browser, live_server, opened, **kw):
    host = live_server.url.split("//", 1)[1]
    context = browser.new_context(locale="zh-CN", viewport=kw.pop("viewport", {"width": 1366, "height": 900}), **kw)
    context.route("**/*", lambda route: route.continue_() if host in route.request.url or route.request.url.startswith(
        ("data:", "blob:")) else route.abort())
    context.add_init_script("window.print = function () {};")
    opened.append(context)
    return context.new_page()


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(200)
    page.screenshot(path=str(SCREENS / f"portal_closure_{name}.png"), full_page=True)


def _login(page, base, username, path="/accounts/login/"):
    from shequ.core.testing import PASSWORD

    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def test_from_appointment_to_rating(browser, live_server, hall):
    from shequ.people.models import Resident

    base, opened = live_server.url, []
    try:
        # 1. The resident books the 9:00 slot of 民政救助 on his phone.
        phone = _context(browser, live_server, opened, viewport=PHONE, is_mobile=True, has_touch=True)
        _login(phone, base, hall["account"].user.username, "/m/login/")
        expect(phone.get_by_role("heading", name="王建国，您好")).to_be_visible()
        phone.get_by_role("link", name=re.compile("预约办事")).click()
        phone.locator(".pm-card", has_text="民政救助").first.get_by_role("link", name="预约", exact=True).click()
        phone.select_option("select[name=item]", label="城乡居民最低生活保障申请")
        phone.get_by_role("button", name="确认预约").click()
        code = phone.get_by_test_id("appointment-code").inner_text()
        _shot(phone, "01_booked_390")

        # 2. A walk-in takes a number at the kiosk first; then the resident checks in there with his code.
        kiosk = _context(browser, live_server, opened, viewport=PHONE)
        kiosk.goto(f"{base}/acceptance/device/pair/")
        kiosk.fill("input[name=code]", hall["kiosk_code"])
        kiosk.click("button:has-text('配对')")
        kiosk.wait_for_url(f"{base}/acceptance/kiosk/")
        kiosk.click("[data-pick-category='B']")
        expect(kiosk.locator(".sq-ticket .num")).to_have_text("B001")
        kiosk.goto(f"{base}/m/kiosk/check-in/")
        kiosk.fill("input[name=code]", code)
        kiosk.click("button:has-text('签到取号')")
        expect(kiosk.locator(".sq-ticket .num")).to_have_text("YB002")
        expect(kiosk.locator(".sq-ticket")).to_contain_text("预约优先")
        expect(kiosk.locator(".sq-ticket")).to_contain_text("您前面还有 0 人")
        _shot(kiosk, "02_ticket_390")

        # 3. The clerk calls the next visitor: the appointment, before the walk-in who came earlier.
        clerk = _context(browser, live_server, opened)
        _login(clerk, base, hall["clerk"].username)
        clerk.wait_for_url(re.compile(r".*/$"))
        clerk.goto(f"{base}/acceptance/window/")
        clerk.locator(".sq-window-tile").filter(has_text="综合受理").first.locator("button:has-text('入座')").click()
        clerk.wait_for_url(f"{base}/acceptance/window/1/")
        clerk.click("button:has-text('叫下一位')")
        expect(clerk.locator(".sq-console-number")).to_have_text("YB002")
        expect(clerk.locator("#console")).to_contain_text("预约")
        _shot(clerk, "03_called")
        clerk.click("button:has-text('开始办理')")
        clerk.click("a:has-text('受理办件')")
        clerk.wait_for_url(re.compile(r".*/acceptance/cases/new/\?ticket=\d+"))
        head = Resident.objects.get(pk=hall["head"].pk)
        clerk.fill("input[name=applicant_name]", head.name)
        clerk.fill("input[name=applicant_id_number]", head.id_number)
        clerk.fill("input[name=applicant_phone]", "13955557777")
        clerk.select_option("select[name=item]", label="B · 城乡居民最低生活保障申请（民政）")
        clerk.wait_for_selector("#item-materials input[name=materials]")
        for box in clerk.locator("#item-materials input[name=materials]").all():
            box.check()
        clerk.check("input[name=decision][value=accept]")
        clerk.click("button:has-text('提交')")
        clerk.wait_for_url(re.compile(r".*/acceptance/cases/\d+/$"))
        expect(clerk.locator(".alert-success")).to_contain_text("已受理")
        number = clerk.locator("h1 .sq-mono").inner_text()
        clerk.goto(f"{base}/acceptance/window/1/")
        clerk.click("button:has-text('办理完成')")
        # The walk-in is next.
        clerk.click("button:has-text('叫下一位')")
        expect(clerk.locator(".sq-console-number")).to_have_text("B001")

        # 4. The resident follows it on his phone while it waits for the department.
        phone.goto(f"{base}/m/mine/")
        expect(phone.locator(".pm-card", has_text=number)).to_be_visible()
        _shot(phone, "04_mine_accepted_390")

        # 5. The 民政 officer approves and completes it (办结).
        officer = _context(browser, live_server, opened)
        _login(officer, base, hall["officer"].username)
        officer.wait_for_url(re.compile(r".*/$"))
        officer.goto(f"{base}/acceptance/backoffice/")
        officer.click(f"a:has-text('{number}')")
        officer.fill("form[data-action=approve] textarea[name=note]", "经核对，符合条件，同意。")
        officer.click("form[data-action=approve] button")
        expect(officer.locator(".alert-success")).to_contain_text("审核通过")
        officer.fill("form[data-action=complete] input[name=result_note]", "低保批准通知书 杨民〔2026〕120号")
        officer.click("form[data-action=complete] button")
        expect(officer.locator(".alert-success")).to_contain_text("已办结")

        # 6. The resident sees 已办结 and rates it, once; large-text mode as well.
        phone.goto(f"{base}/m/mine/")
        phone.locator(".pm-card", has_text=number).click()
        expect(phone.locator("body")).to_contain_text("已办结")
        phone.get_by_label("满意", exact=True).check()
        phone.fill("textarea[name=comment]", "预约后到了就叫号，很方便")
        _shot(phone, "05_rate_390")
        phone.get_by_role("button", name="提交评价").click()
        expect(phone.get_by_text("感谢您的评价")).to_be_visible()
        expect(phone.get_by_text("我的评价：4 星")).to_be_visible()
        expect(phone.get_by_role("button", name="提交评价")).to_have_count(0)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shot(phone, "06_rated_390")
        toggle = phone.locator("[data-large-text-toggle], button:has-text('大字')").first
        if toggle.count():
            toggle.click()
            phone.wait_for_timeout(300)
            _shot(phone, "07_rated_large_390")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    finally:
        for context in opened:
            context.close()
