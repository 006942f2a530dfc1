"""Browser walk of one grid case through the closed loop: report → verify → file → dispatch → handle → failed
check → rework → close → evaluation, with screenshots (map included) in var/screens/."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import SCREENS, login_as

SIGNED_IN = re.compile(r".*/$|.*/grid/.*")  # the page a login lands on
DUNHUA = (31.2775, 121.5325)


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 240), (120, 150, 100))
    ImageDraw.Draw(img).rectangle([60, 60, 200, 160], fill=(200, 80, 60))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(db, settings):
    # The browser lives in real time while the server is frozen in 2026: keep cookies session-scoped.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.core.testing import build_tree
        from shequ.grid import spatial
        from shequ.grid.testing import build_grid_centre

        spatial.clear()
        tree = build_tree()
        _station, users = build_grid_centre(tree, prefix="e2e_")
        yield {"tree": tree, **users}
        spatial.clear()


def _shot(page, name, full=False):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(250)
    page.screenshot(path=str(SCREENS / f"grid_e2e_{name}.png"), full_page=full)


def _fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"horizontal overflow of {overflow}px"


def _act(page, action, note="", photo=None):
    form = page.locator(f"#act-{action}")
    form.wait_for()
    if note:
        form.locator("textarea[name=note]").fill(note)
    if photo:
        form.locator("input[name=photos]").set_input_files(
            files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _status(page):
    return page.locator(".sq-page-title .sq-status").first.inner_text()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_grid_case_walks_the_closed_loop(page, live_server, world):
    base = live_server.url
    photo = _jpeg()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. An inspector on a phone reports with the current location and a photo.
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": DUNHUA[0], "longitude": DUNHUA[1], "accuracy": 8})
    login_as(page, base, world["inspector"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/grid/report/")
    page.wait_for_selector("#pick-map[data-loaded='2']")
    page.click("#use-location")
    expect(page.locator("#location-status")).to_contain_text("敦化第1网格", timeout=10000)
    page.select_option("select[name=category]", "E0502")
    page.set_input_files("input[name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg",
                                                        "buffer": photo}])
    page.fill("textarea[name=description]", "早高峰有摊贩在人行道摆摊，影响通行")
    page.fill("input[name=address]", "敦化路100号门口")
    _fits(page)
    _shot(page, "01_inspector_report_390", full=True)
    page.click("#report-submit")
    page.wait_for_url(re.compile(r".*/grid/cases/\d+/$"))
    assert "敦化第1网格" in page.content()
    _fits(page)
    _shot(page, "02_inspector_reported_390", full=True)

    # 2. A resident's report taken at the desk must be verified on site before filing.
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, base, world["operator"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/grid/report/")
    page.wait_for_selector("#pick-map[data-loaded='2']")
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    expect(page.locator("#location-status")).to_contain_text("网格", timeout=10000)
    page.select_option("select[name=category]", "E0502")
    page.select_option("select[name=source]", "resident")
    page.fill("textarea[name=description]", "市民来电：小区门口有人占道卖菜")
    page.wait_for_selector("#duplicate-box .alert")  # the inspector's report nearby is suggested
    _shot(page, "03_operator_report_with_duplicate_hint")
    page.click("#report-submit")
    page.wait_for_url(re.compile(r".*/grid/cases/\d+/$"))
    case_url = page.url
    page.goto(f"{base}/grid/desk/")
    _shot(page, "04_operator_desk")
    _act_url = case_url
    page.goto(_act_url)
    _act(page, "send_verify", "请监督员现场核实")
    assert _status(page) == "待核实"

    # 3. The inspector verifies on the phone.
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, base, world["inspector"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/grid/tasks/")
    _fits(page)
    _shot(page, "05_inspector_tasks_390", full=True)
    page.goto(case_url)
    _act(page, "verify_ok", "现场核实属实", photo)
    assert _status(page) == "待立案"

    # 4. The shift leader files it.
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, base, world["shiftlead"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "file", "符合立案条件")
    assert _status(page) == "待派遣"

    # 5. The dispatcher sends it to the suggested unit from the one-screen queue.
    login_as(page, base, world["dispatcher"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/grid/dispatch/")
    row = page.locator("tr", has_text="市民来电")
    assert "默认责任单位" in row.inner_text()
    _shot(page, "06_dispatcher_queue")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto(case_url)
    assert _status(page) == "待签收"

    # 6. The 城管 handler signs and reports back.
    login_as(page, base, world["cgzf"], wait_for_url=SIGNED_IN)
    page.goto(f"{base}/grid/unit/")
    _shot(page, "07_unit_queue")
    page.goto(case_url)
    _act(page, "sign")
    _act(page, "feedback", "已劝离摊贩", photo)
    assert _status(page) == "待核查"

    # 7. The inspector's check fails: back to the same unit (返工).
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, base, world["inspector"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "check_fail", "现场仍有摊贩和遗留垃圾")
    assert _status(page) == "处置中"
    assert "返工1" in page.content()

    # 8. Rework, then a passed check.
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, base, world["cgzf"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "feedback", "返工：清理垃圾并安排人员值守", photo)
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, base, world["inspector"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "check_pass", "复查通过")
    assert _status(page) == "待结案"

    # 9. The shift leader closes; the operator evaluates.
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, base, world["shiftlead"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "close", "符合结案条件")
    assert _status(page) == "已结案"
    login_as(page, base, world["operator"], wait_for_url=SIGNED_IN)
    page.goto(case_url)
    _act(page, "evaluate", "市民回访满意")
    assert _status(page) == "已评价"
    timeline = page.locator(".sq-timeline").inner_text()
    for step in ("上报", "派核实", "核实属实", "立案", "派遣", "签收", "处置反馈", "核查不通过（返工）", "核查通过", "结案", "评价"):
        assert step in timeline, step
    _shot(page, "08_case_evaluated", full=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _fits(page)
    _shot(page, "09_case_evaluated_390", full=True)

    # 10. The grid map shows the grids and the cases.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/grid/map/")
    page.wait_for_selector("#grid-map[data-loaded='2']")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    _shot(page, "10_grid_map")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#grid-map[data-loaded='2']")
    _fits(page)
    _shot(page, "11_grid_map_390", full=True)
    page.goto(f"{base}/grid/stats/")
    _fits(page)
    assert not errors, errors

    from shequ.grid.models import Case

    case = Case.objects.get(description__startswith="市民来电")
    assert case.status == "evaluated" and case.rework_count == 1 and case.photos.count() == 3
