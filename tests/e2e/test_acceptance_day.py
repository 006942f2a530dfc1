"""A whole day at the acceptance centre in a browser: a kiosk takes a number → the clerk calls it → intake with
a missing material → one-time notice PDF → supplement → accept → the department approves → 办结 → 出件 → a poor
review on the public page → the supervisor closes the rectification. Screenshots (wide and 390 px) go to
var/screens/acceptance_e2e_*.png; the PDF is saved next to them and rendered as an image too."""

import datetime as dt
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import SCREENS, login_as

SIGNED_IN = re.compile(r".*/$")  # the page a login lands on
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(db, settings, tree, personas):
    # The browser runs in real time while the server is frozen on a Monday in 2026: session-scoped cookies.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.acceptance import services
        from shequ.acceptance.testing import build_centre

        centre = build_centre(tree, personas)
        kiosk, kiosk_code = services.device_create(actor=centre["supervisor"], node=centre["sub"], name="大厅取号机1",
                                                   kind="kiosk")
        hall, hall_code = services.device_create(actor=centre["supervisor"], node=centre["sub"], name="大厅主显示屏",
                                                 kind="hall")
        yield {**centre, "kiosk_code": kiosk_code, "hall_code": hall_code}


def _guard(context, live_server):
    host = live_server.url.split("//", 1)[1]
    context.route("**/*", lambda route: route.continue_() if host in route.request.url or route.request.url.startswith(
        ("data:", "blob:")) else route.abort())
    context.add_init_script("window.print = function () {};")  # no print dialog in the kiosk's ticket page


@pytest.fixture
def extra_context(browser, live_server):
    """Extra browser contexts (kiosk, hall screen, officer, resident, supervisor), closed at the end so no
    polling screen keeps calling the live server after the test."""
    opened = []

    def _new(**kw):
        context = browser.new_context(locale="zh-CN", viewport=kw.pop("viewport", {"width": 1366, "height": 900}),
                                      **kw)
        _guard(context, live_server)
        opened.append(context)
        return context

    yield _new
    for context in opened:
        context.close()


def _shot(page, name, full=True):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENS / f"acceptance_e2e_{name}.png"), full_page=full)


def _fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"horizontal overflow of {overflow}px on {page.url}"


def _status(page):
    return page.locator(".sq-page-title .sq-status").first.inner_text()


def _pair(page, base, code):
    page.goto(f"{base}/acceptance/device/pair/")
    page.fill("input[name=code]", code)
    page.click("button:has-text('配对')")


def test_acceptance_centre_runs_a_whole_day(page, extra_context, live_server, day):
    base = live_server.url
    errors = []

    def watch(p):
        p.on("pageerror", lambda exc: errors.append(f"{p.url}: {exc}"))
        return p

    watch(page)

    # 1. A visitor takes a number at the paired kiosk (phone-sized screen to check the layout).
    kiosk = watch(extra_context(viewport=PHONE).new_page())
    _pair(kiosk, base, day["kiosk_code"])
    kiosk.wait_for_url(f"{base}/acceptance/kiosk/")
    _shot(kiosk, "01_kiosk_390")
    _fits(kiosk)
    kiosk.click("[data-pick-category='B']")
    expect(kiosk.locator(".sq-ticket .num")).to_have_text("B001")
    expect(kiosk.locator(".sq-ticket")).to_contain_text("您前面还有 0 人")
    _shot(kiosk, "02_ticket_390")

    # 2. The clerk sits at window 1 and calls the next visitor; the hall screen shows the call.
    login_as(page, base, day["clerk"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/acceptance/window/")
    page.locator(".sq-window-tile").filter(has_text="综合受理").first.locator("button:has-text('入座')").click()
    page.wait_for_url(f"{base}/acceptance/window/1/")
    page.click("button:has-text('叫下一位')")
    expect(page.locator(".sq-console-number")).to_have_text("B001")
    # A second click is refused: the button is disabled and the server would answer 409.
    expect(page.locator("button:has-text('叫下一位')")).to_be_disabled()
    _shot(page, "03_window_called")
    hall = watch(extra_context().new_page())
    _pair(hall, base, day["hall_code"])
    hall.wait_for_url(f"{base}/acceptance/display/hall/")
    expect(hall.locator(".sq-call-now .num")).to_have_text("B001")
    expect(hall.locator(".sq-call-now")).to_contain_text("到 1 号窗口")
    _shot(hall, "04_hall_display", full=False)

    # 3. Intake from the ticket: the visitor lacks the 户口簿 → one-time notice.
    page.click("button:has-text('开始办理')")
    expect(page.locator(".sq-console-number")).to_have_text("B001")
    page.click("a:has-text('受理办件')")
    page.wait_for_url(re.compile(r".*/acceptance/cases/new/\?ticket=\d+"))
    from shequ.core.testing import valid_id_number

    page.fill("input[name=applicant_name]", "王秀英")
    page.fill("input[name=applicant_id_number]", valid_id_number(seed=42, male=False))
    page.fill("input[name=applicant_phone]", "13916001234")
    page.select_option("select[name=item]", label="B · 城乡居民最低生活保障申请（民政）")
    page.wait_for_selector("#item-materials input[name=materials]")
    expect(page.locator("#item-materials")).to_contain_text("承诺办结日为")
    page.check("#item-materials label:has-text('居民身份证') >> xpath=../..//input")
    page.check("#item-materials label:has-text('家庭成员收入证明') >> xpath=../..//input")
    page.check("input[name=decision][value=notify]")
    _shot(page, "05_intake")
    page.click("button:has-text('提交')")
    page.wait_for_url(re.compile(r".*/acceptance/cases/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("一次告知（待补齐材料）")
    number = page.locator("h1 .sq-mono").inner_text()
    check_code = page.locator("dd.sq-mono").first.inner_text().split()[0]
    case_url = page.url
    _shot(page, "06_case_notified")

    # 4. The one-time notice is a real PDF listing the missing material once.
    href = page.locator("a[data-doc=notice]").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_path = SCREENS / "acceptance_e2e_07_notice.pdf"
    pdf_path.write_bytes(pdf.body())
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "一次性告知书" in text and text.count("户口簿") == 1 and "王秀英" in text
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(pdf_path),
                        str(SCREENS / "acceptance_e2e_07_notice")], check=True)

    # 5. She comes back with the 户口簿: supplement, then accept.
    page.check("form[data-action=supplement] input[name=materials]")
    page.click("form[data-action=supplement] button")
    expect(page.locator(".alert-success")).to_contain_text("补交材料")
    page.click("form[data-action=accept] button")
    expect(page.locator(".alert-success")).to_contain_text("已受理（待审核）")
    expect(page.locator("a[data-doc=receipt]")).to_be_visible()
    expect(page.locator(".sq-kv")).to_contain_text("2026年11月30日")  # 5 working days after 11-23
    _shot(page, "08_case_accepted")
    page.set_viewport_size(PHONE)
    _shot(page, "09_case_accepted_390")
    _fits(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/acceptance/window/1/")
    page.click("button:has-text('办理完成')")
    expect(page.locator("#console")).to_contain_text("当前没有正在呼叫或办理的号")

    # 6. The 民政 officer approves and completes it in the back office.
    officer = watch(extra_context().new_page())
    login_as(officer, base, day["officer"], wait_for_url=SIGNED_IN)
    officer.goto(f"{base}/acceptance/backoffice/")
    expect(officer.locator("table")).to_contain_text(number)
    _shot(officer, "10_backoffice")
    officer.click(f"a:has-text('{number}')")
    officer.fill("form[data-action=approve] textarea[name=note]", "经核对，符合低保条件，同意。")
    officer.click("form[data-action=approve] button")
    expect(officer.locator(".alert-success")).to_contain_text("审核通过（待办结）")
    officer.fill("form[data-action=complete] input[name=result_note]", "低保批准通知书 杨民〔2026〕118号")
    officer.click("form[data-action=complete] button")
    expect(officer.locator(".alert-success")).to_contain_text("已办结（待出件）")

    # 7. 出件 at the window to the applicant herself.
    page.goto(case_url)
    page.select_option("form[data-action=deliver] select[name=id_check]", "card_reader")
    page.click("form[data-action=deliver] button")
    expect(page.locator(".alert-success")).to_contain_text("已出件")
    expect(page.locator(".sq-timeline")).to_contain_text("审核通过")
    _shot(page, "11_case_delivered")

    # 8. A poor review on the public page, by case number and check code, on a phone.
    public = watch(extra_context(viewport=PHONE).new_page())
    public.goto(f"{base}/acceptance/review/")
    public.fill("input[name=number]", number)
    public.fill("input[name=check_code]", "000000" if check_code != "000000" else "111111")
    public.check("input[name=score][value='2']")
    public.click("button:has-text('提交评价')")
    expect(public.locator(".invalid-feedback")).to_contain_text("办件编号或查询码不正确")
    public.fill("input[name=check_code]", check_code)
    public.check("input[name=score][value='2']")
    public.check("label:has-text('一次告知不清楚') >> xpath=..//input")
    public.fill("textarea[name=comment]", "第一次来没有一次性说清楚要带户口簿，多跑了一趟")
    _shot(public, "12_review_390")
    _fits(public)
    public.click("button:has-text('提交评价')")
    expect(public.locator("h1")).to_contain_text("感谢您的评价")
    _shot(public, "13_review_thanks_390")

    # 9. The hall supervisor sees the open rectification, calls back and closes it.
    sup = watch(extra_context().new_page())
    login_as(sup, base, day["supervisor"], wait_for_url=SIGNED_IN)
    sup.goto(f"{base}/acceptance/rectifications/")
    expect(sup.locator("#rect-rows")).to_contain_text("一次告知不清楚")
    _shot(sup, "14_rectifications")
    sup.locator("#rect-rows a").first.click()
    sup.select_option("form[data-rect-action=contact] select[name=contact_method]", "phone")
    sup.fill("form[data-rect-action=contact] textarea[name=note]", "已电话联系王女士，核实情况属实，当面致歉")
    sup.click("form[data-rect-action=contact] button")
    sup.fill("form[data-rect-action=rectify] textarea[name=note]", "在低保事项窗口张贴材料清单，组织一次性告知培训")
    sup.click("form[data-rect-action=rectify] button")
    sup.select_option("form[data-rect-action=close] select[name=callback_result]", "satisfied")
    sup.fill("form[data-rect-action=close] textarea[name=note]", "回访王女士，对整改表示满意")
    sup.click("form[data-rect-action=close] button")
    expect(sup.locator(".sq-page-title .sq-status")).to_have_text("已办结")
    _shot(sup, "15_rectification_closed")
    sup.goto(f"{base}/acceptance/dashboard/")
    sup.wait_for_selector("#hourly-chart canvas")
    _shot(sup, "16_dashboard")
    sup.set_viewport_size(PHONE)
    sup.reload()
    sup.wait_for_selector("#hourly-chart canvas")
    _shot(sup, "17_dashboard_390")
    _fits(sup)

    # The clerk's window and intake pages at 390 px.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/acceptance/window/1/")
    _shot(page, "18_window_390")
    _fits(page)
    page.goto(f"{base}/acceptance/cases/new/")
    _shot(page, "19_intake_390")
    _fits(page)

    from shequ.acceptance.models import Case

    case = Case.objects.get(number=number)
    assert case.status == "delivered" and case.reviews.get().rectification.status == "closed"
    assert [e.action for e in case.events.all() if e.action != "print"] == [
        "intake", "notify", "supplement", "accept", "approve", "complete", "deliver"]
    assert not errors, errors
