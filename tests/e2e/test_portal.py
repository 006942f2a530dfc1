"""居民端 in a phone browser (390 px): sign up with an SMS code → bind to the registry → book an appointment for
the centre → see it in 我的办件; then book for the elderly father (代办) and check the home page at 1366 px.
Screenshots go to var/screens/portal_*.png."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from shequ.core.messaging import MemoryMessageBackend
from shequ.people.models import Resident
from shequ.portal.tests.conftest import centre, family, slots  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    host = live_server.url.split("//", 1)[1]
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if host in route.request.url else route.abort())
    yield context.new_page()
    context.close()


def test_sign_up_bind_book_and_follow_it(phone, live_server, shot_dir, family, slots, centre):  # noqa: F811
    page, url = phone, live_server.url
    MemoryMessageBackend.outbox.clear()
    with override_settings(SHEQU_MESSAGE_BACKEND="shequ.core.messaging.MemoryMessageBackend"):
        page.goto(f"{url}/m/")
        page.screenshot(path=shot_dir("portal_01_landing_390"), full_page=True)
        page.get_by_role("link", name="用手机号注册").click()
        page.wait_for_load_state("load")  # htmx must be running before the button that posts through it
        page.fill("input[name=phone]", "13911112222")
        page.get_by_role("button", name="获取短信验证码").click()
        expect(page.locator("#code-sent")).to_contain_text("验证码已发送")
        code = re.search(r"\d{6}", MemoryMessageBackend.outbox[-1]["body"]).group(0)
        page.fill("input[name=code]", code)
        page.fill("input[name=password]", "Qiang#2026pass")
        page.fill("input[name=password2]", "Qiang#2026pass")
        page.screenshot(path=shot_dir("portal_02_signup_390"), full_page=True)
        page.get_by_role("button", name="注册", exact=True).click()

    expect(page.get_by_role("heading", name="实名绑定")).to_be_visible()
    head = Resident.objects.get(pk=family["head"].pk)
    page.fill("input[name=name]", "王建国")
    page.fill("input[name=id_number]", head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1"))
    page.check("input[name=consent]")
    page.get_by_role("button", name="核验并绑定").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # a wrong check digit, said plainly
    page.screenshot(path=shot_dir("portal_03_bind_error_390"), full_page=True)
    page.fill("input[name=id_number]", head.id_number)
    page.check("input[name=consent]")
    page.get_by_role("button", name="核验并绑定").click()
    expect(page.get_by_role("heading", name="王建国，您好")).to_be_visible()
    page.screenshot(path=shot_dir("portal_04_home_390"), full_page=True)

    page.get_by_role("link", name=re.compile("预约办事")).click()
    expect(page.get_by_role("heading", name="预约办事")).to_be_visible()
    page.screenshot(path=shot_dir("portal_05_slots_390"), full_page=True)
    page.locator(".pm-card", has_text="民政救助").first.get_by_role("link", name="预约", exact=True).click()
    page.select_option("select[name=item]", label="城乡居民最低生活保障申请")
    page.screenshot(path=shot_dir("portal_06_confirm_390"), full_page=True)
    page.get_by_role("button", name="确认预约").click()
    code = page.get_by_test_id("appointment-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    page.screenshot(path=shot_dir("portal_07_appointment_390"), full_page=True)

    # 代办: book for the elderly father from the family page.
    page.goto(f"{url}/m/family/")
    expect(page.get_by_text("王老伯")).to_be_visible()
    expect(page.get_by_text("王建红")).to_have_count(0)  # a sister is not someone he may act for
    page.screenshot(path=shot_dir("portal_08_family_390"), full_page=True)
    page.get_by_role("link", name="代为预约").first.click()
    page.locator(".pm-card", has_text="民政救助").nth(1).get_by_role("link", name="预约", exact=True).click()
    page.select_option("select[name=item]", label="城乡居民最低生活保障申请")
    expect(page.locator("select[name=for_resident]")).to_have_value(str(family["father"].pk))
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("家人代办")).to_be_visible()

    page.goto(f"{url}/m/mine/")
    expect(page.get_by_text(code)).to_have_count(0)  # codes stay on the detail page
    expect(page.get_by_text("城乡居民最低生活保障申请")).to_have_count(2)
    expect(page.get_by_text("代王老伯")).to_be_visible()
    page.screenshot(path=shot_dir("portal_09_mine_390"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/m/")
    page.screenshot(path=shot_dir("portal_10_home_1366"), full_page=True)


@pytest.fixture
def shot_dir():
    from tests.e2e.conftest import SCREENS

    SCREENS.mkdir(parents=True, exist_ok=True)
    return lambda name: str(SCREENS / f"{name}.png")


@pytest.fixture
def grid_ground(tree):
    from shequ.grid import spatial
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy

    ensure_taxonomy()
    ensure_process_limits()
    spatial.clear()
    yield
    spatial.clear()


def test_report_a_problem_with_a_photo_and_rate_the_result(phone, live_server, shot_dir, grid_ground, family, tmp_path):  # noqa: F811
    from shequ.core.testing import PASSWORD
    from shequ.grid.choices import CaseStatus
    from shequ.grid.models import Case
    from shequ.grid.tests.conftest import jpeg
    from shequ.portal.tests.conftest import make_account

    account = make_account("13955556666", family["head"])
    page, url = phone, live_server.url
    page.goto(f"{url}/m/login/")
    page.fill("input[name=username]", account.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name=re.compile("随手拍")).click()
    page.select_option("select[name=category]", index=1)
    page.fill("textarea[name=description]", "小区门口窨井盖破损，有人差点踩空")
    expect(page.locator("#pm-map path.leaflet-interactive").first).to_be_visible()
    page.locator("#pm-map path.leaflet-interactive").first.click()
    expect(page.locator("#pm-loc-text")).to_contain_text("已选择位置")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(gps=(31.2775, 121.5325)).getvalue())
    page.set_input_files("input[name=photos]", str(photo))
    page.screenshot(path=shot_dir("portal_11_report_390"), full_page=True)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("report-status")).to_have_text("待受理")
    case = Case.objects.get()
    assert case.photos.get().exif_lat is None  # the location in the photo was not kept
    page.screenshot(path=shot_dir("portal_12_report_sent_390"), full_page=True)

    # The grid closes the case through its own workflow (tested in shequ/grid); the resident then rates it.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    page.reload()
    expect(page.locator(".pm-photos img").first).to_have_js_property("complete", True)
    assert page.locator(".pm-photos img").first.evaluate("img => img.naturalWidth") > 0
    page.get_by_label("基本满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("我的评价：基本满意")).to_be_visible()
    for _attempt in range(50):  # wait_for_function would need 'unsafe-eval', which the CSP refuses
        if page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    page.screenshot(path=shot_dir("portal_13_report_rated_390"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
