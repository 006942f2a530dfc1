"""Acceptance rules of practice in a browser, on Monday 2026-12-21, before next year's holidays are entered.

1. 情形材料: the clerk takes in a 敬老卡 application; the proxy's papers appear in the checklist only once the
   situation "委托他人代领" is ticked, and the one-time notice lists only what applies.
2. 暂定 due date: a 30-working-day item accepted now gets a due date on the Mon–Fri rule, marked 暂定 on the case
   page and the list; 2027 is entered (元旦 on a Friday) and the case is recomputed a day later, without the mark.
Screenshots at 1366 and 390 px in /tmp/shots/accrules/.
"""

import datetime as dt
import subprocess
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD, valid_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/accrules")
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
PROXY = "代领人身份证件及授权委托书（代领时）"
SITUATION = "委托他人代领"


@pytest.fixture
def centre(settings, tree, personas):
    # The browser runs in real time while the server is frozen on a December Monday: session-scoped cookies.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.acceptance.models import ItemMaterial
        from shequ.acceptance.testing import build_centre

        centre = build_centre(tree, personas)
        ItemMaterial.objects.create(item=centre["long"], name=PROXY, is_key=False, original_required=True,
                                    condition=SITUATION, sort_order=5)
        ItemMaterial.objects.create(item=centre["long"], name="近期一寸免冠照片", is_key=True, sort_order=3)
        yield centre


def _context(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    host = live_server.url.split("//", 1)[1]
    context.route("**/*", lambda route: route.continue_() if host in route.request.url else route.abort())
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
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


def _pdf_text(page, url) -> str:
    body = page.request.get(url).body()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], check=True, capture_output=True,
                              text=True).stdout


def _intake(page, live_server, item, seed, *, situation=False):
    page.goto(f"{live_server.url}/acceptance/cases/new/?item={item.pk}")
    materials = page.locator("#item-materials")
    expect(materials.get_by_label("居民身份证")).to_be_visible()
    if situation:
        materials.get_by_label(SITUATION).check()
        expect(materials.get_by_text(PROXY)).to_be_visible()
    page.fill("input[name=applicant_name]", "王秀英")
    page.fill("input[name=applicant_id_number]", valid_id_number(seed=seed, male=False))
    materials.get_by_label("居民身份证").check()
    page.get_by_label("一次性告知（材料不齐）").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".sq-page-title h1")).to_contain_text("SL")


def test_the_one_time_notice_lists_only_the_materials_of_the_declared_situations(browser, live_server, centre):
    context, page = _context(browser, live_server, "clerk")
    item = centre["long"]
    page.goto(f"{live_server.url}/acceptance/cases/new/?item={item.pk}")
    materials = page.locator("#item-materials")
    expect(materials.get_by_label(SITUATION)).to_be_visible()
    expect(materials.get_by_text(PROXY)).to_have_count(0)
    materials.get_by_label(SITUATION).check()
    expect(materials.get_by_text(PROXY)).to_be_visible()
    _shots(page, "intake_situation")
    materials.get_by_label(SITUATION).uncheck()
    expect(materials.get_by_text(PROXY)).to_have_count(0)

    # Without the situation: the notice asks for the photo only.
    _intake(page, live_server, item, 51)
    expect(page.get_by_text(PROXY)).to_have_count(0)
    notice = _pdf_text(page, page.url.rstrip("/") + "/pdf/notice/")
    assert "免冠照片" in notice and "代领人身份证件" not in notice

    # With it: the notice lists the proxy's papers too, and the case page shows the declared situation.
    _intake(page, live_server, item, 52, situation=True)
    expect(page.get_by_text("申报情形")).to_be_visible()
    expect(page.get_by_text(PROXY).first).to_be_visible()
    _shots(page, "case_situation")
    notice = _pdf_text(page, page.url.rstrip("/") + "/pdf/notice/")
    assert "免冠照片" in notice and "代领人身份证件" in notice and SITUATION in notice
    context.close()


def test_a_provisional_due_date_is_recomputed_when_the_year_is_entered(browser, live_server, centre, personas):
    from shequ.acceptance import services
    from shequ.core.testing import valid_id_number as vid

    case = services.case_intake(  # the server's clock: 2026-12-21, from the fixture
        actor=centre["clerk"], item=centre["long"], decision="accept",
        applicant={"name": "赵建国", "id_number": vid(seed=61), "phone": "13800138000"},
        provided=[m.pk for m in centre["long"].materials.filter(condition="")])
    assert case.due_provisional and case.due_date == dt.date(2027, 2, 1)

    context, page = _context(browser, live_server, "clerk")
    page.goto(f"{live_server.url}/acceptance/cases/{case.pk}/")
    expect(page.get_by_text("2027年2月1日")).to_be_visible()
    expect(page.get_by_text("暂定", exact=True).first).to_be_visible()
    _shots(page, "case_provisional")
    page.goto(f"{live_server.url}/acceptance/cases/")
    expect(page.locator("#case-rows").get_by_text("暂定", exact=True)).to_be_visible()
    _shots(page, "list_provisional")
    context.close()

    # The system administrator enters 2027 (his pages need a second factor: entered through the same service).
    from shequ.core import services as core_services

    core_services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="国务院办公厅关于2027年部分节假日安排的通知",
                                    confirmed=True, days=[(dt.date(2027, 1, 1), False, "元旦")])

    case.refresh_from_db()
    assert not case.due_provisional and case.due_date == dt.date(2027, 2, 2)
    context, page = _context(browser, live_server, "clerk")
    page.goto(f"{live_server.url}/acceptance/cases/{case.pk}/")
    expect(page.get_by_text("2027年2月2日").first).to_be_visible()
    expect(page.get_by_text("暂定", exact=True)).to_have_count(0)
    expect(page.get_by_text("重算到期日")).to_be_visible()
    _shots(page, "case_recomputed")
    context.close()
