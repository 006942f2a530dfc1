"""统一培训、持证上岗 in a browser: a newly hired clerk is not offered on the rota; the hall supervisor registers
a training covering a 社保医保 item, records that she attended and passed, her staff file then shows the
certification, and the rota offers her for the window that opens with that category (and still not for a
民政救助 window), where the supervisor seats her. Screenshots go to var/screens/acceptance_training_*.png."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD

from .conftest import SCREENS, login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def centre(settings, tree, personas):
    # The browser runs in real time while the server is frozen on a Monday morning: session-scoped cookies.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.acceptance import services
        from shequ.acceptance.testing import build_centre
        from shequ.core import services as core_services
        from shequ.core.choices import Role

        centre = build_centre(tree, personas)
        newcomer = core_services.user_create(actor=None, username="clerk12", full_name="沈佳怡",
                                             role=Role.WINDOW_CLERK, password=PASSWORD, nodes=[centre["sub"]],
                                             password_is_temporary=False)
        services.clerk_file_save(actor=centre["supervisor"], node=centre["sub"], user=newcomer,
                                 hired_on=dt.date(2026, 11, 2), contract_type="labour", post_level="trainee",
                                 contract_number="YJXC-SG-2026-012", contract_start=dt.date(2026, 11, 2),
                                 contract_end=dt.date(2029, 11, 1))
        yield {**centre, "newcomer": newcomer}


def _options(page, window, date, half="am"):
    return page.locator(f"#rota-{window.pk}-{date}-{half} select option").all_inner_texts()


def test_training_certifies_an_item_and_the_rota_then_offers_the_clerk(page, browser, live_server, centre, shot):
    url, newcomer, w2, w3 = live_server.url, centre["newcomer"], centre["w2"], centre["w3"]
    login_page(page, live_server, "supervisor", PASSWORD)
    page.goto(f"{url}/acceptance/rota/?week=2026-11-30")
    assert "沈佳怡" not in _options(page, w3, "2026-11-30")
    assert centre["clerk"].display_name in _options(page, w3, "2026-11-30")

    # A training covering one 社保医保 (A) item: w3 opens with A, w2 with B.
    page.goto(f"{url}/acceptance/trainings/new/")
    page.fill("input[name=topic]", "新进人员岗前培训：社保医保类事项")
    page.fill("input[name=date]", "2026-11-23")
    page.fill("input[name=hours]", "4")
    page.fill("input[name=trainer]", "窗口组长 陈晓燕")
    page.get_by_label("A · 救助政策咨询").check()
    shot("acceptance_training_01_new_1366")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("培训已登记")).to_be_visible()
    page.get_by_label("沈佳怡 出勤").check()
    page.get_by_label("沈佳怡 考核通过").check()
    page.get_by_label("沈佳怡 成绩").fill("88")
    page.get_by_role("button", name="保存结果并认证").click()
    expect(page.get_by_text("新取得或续期事项资格 1 项")).to_be_visible()
    shot("acceptance_training_02_results_1366")

    # Her staff file shows the certification, the contract number masked.
    page.goto(f"{url}/acceptance/staff/")
    page.get_by_role("link", name="沈佳怡").click()
    expect(page.get_by_role("heading", name="人员档案 · 沈佳怡")).to_be_visible()
    expect(page.get_by_role("cell", name="A 救助政策咨询")).to_be_visible()
    expect(page.get_by_text("2028年11月22日")).to_be_visible()
    expect(page.get_by_text("YJ************12")).to_be_visible()
    assert "YJXC-SG-2026-012" not in page.content()
    shot("acceptance_training_03_file_1366")

    # The rota now offers her for the A window, not for the B one; the supervisor seats her.
    page.goto(f"{url}/acceptance/rota/?week=2026-11-30")
    assert "沈佳怡" in _options(page, w3, "2026-11-30")
    assert "沈佳怡" not in _options(page, w2, "2026-11-30")
    # The cell saves itself on change (htmx): wait for the server's answer before reading the database.
    with page.expect_response(lambda r: r.request.method == "POST" and "/rota/" in r.url) as saved:
        page.locator(f"#rota-{w3.pk}-2026-11-30-am select").select_option(label="沈佳怡")
    assert saved.value.ok
    expect(page.locator(f"#rota-{w3.pk}-2026-11-30-am select")).to_have_value(str(newcomer.pk))
    shot("acceptance_training_04_rota_1366")
    from shequ.acceptance.models import RotaSlot

    assert RotaSlot.objects.filter(window=w3, date=dt.date(2026, 11, 30), half="am", clerk=newcomer).exists()

    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    login_page(phone, live_server, "supervisor", PASSWORD)
    phone.goto(f"{url}/acceptance/staff/{newcomer.pk}/")
    expect(phone.get_by_role("heading", name="人员档案 · 沈佳怡")).to_be_visible()
    phone.screenshot(path=str(SCREENS / "acceptance_training_05_file_390.png"), full_page=True)
    phone.goto(f"{url}/acceptance/trainings/")
    phone.screenshot(path=str(SCREENS / "acceptance_training_06_trainings_390.png"), full_page=True)
    phone.close()
