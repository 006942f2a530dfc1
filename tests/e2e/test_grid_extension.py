"""Browser check of the two-level extension (issue 11): a unit's second extension of a grid case is the 城运中心
leader's; the shift leader is not offered it, the leader approves it on the case page. Screenshots at 1366 and
390 px in /tmp/shots/gridrules/."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import login_as

SHOTS = Path("/tmp/shots/gridrules")
SIGNED_IN = re.compile(r".*/$|.*/grid/.*")  # the page a login lands on


@pytest.fixture
def world(db, settings):
    # The browser lives in real time while the server is frozen in 2026: keep cookies session-scoped.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from shequ.core.choices import Role
        from shequ.core.testing import build_tree, make_user
        from shequ.grid import services, spatial
        from shequ.grid.testing import build_grid_centre, report

        spatial.clear()
        tree = build_tree()
        _station, users = build_grid_centre(tree, prefix="e2e_")
        users["leader"] = make_user(Role.LEADER, [tree["sub"]], username="e2e_leader")

        def act(case, action, user, **kw):
            return services.case_transition(actor=users[user], case=case, action=action, **kw)

        case = report(users, user="inspector", category="E0102", description="绿化带边有大量暴露垃圾")
        case = act(case, "file", "shiftlead")
        case = act(case, "dispatch", "dispatcher", unit=tree["chengguan"])
        case = act(case, "sign", "cgzf")
        case = act(case, "request_extension", "cgzf", hours=4, note="需协调物业清运")
        case = act(case, "approve_extension", "shiftlead", note="同意")
        case = act(case, "request_extension", "cgzf", hours=4, note="清运车辆故障，需再延期")
        yield {"tree": tree, "case": case, **users}
        spatial.clear()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"horizontal overflow of {overflow}px"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_second_extension_is_approved_by_the_centre_leader_not_the_shift_leader(page, live_server, world):
    base, case = live_server.url, world["case"]
    url = f"{base}/grid/cases/{case.pk}/"
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The shift leader sees the pending second extension but is offered no decision on it.
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, base, world["shiftlead"], wait_for_url=SIGNED_IN)
    page.goto(url)
    expect(page.locator("body")).to_contain_text("城运中心领导审批")
    expect(page.locator("body")).to_contain_text("第二次及以上延期")
    assert page.locator("#act-approve_extension").count() == 0
    assert page.locator("#act-reject_extension").count() == 0
    _shot(page, "extension_shiftlead_1366")

    # The 城运中心 leader is offered it, with the reason it came to them, and approves it.
    login_as(page, base, world["leader"], wait_for_url=SIGNED_IN)
    page.goto(url)
    form = page.locator("#act-approve_extension")
    expect(form).to_contain_text("须由城运中心领导审批")
    _shot(page, "extension_leader_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _fits(page)
    _shot(page, "extension_leader_390")
    form = page.locator("#act-approve_extension")
    form.locator("textarea[name=note]").fill("同意第二次延期，请按期完成")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("已延期2")
    assert page.locator("#act-approve_extension").count() == 0
    _fits(page)
    _shot(page, "extension_approved_390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    _shot(page, "extension_approved_1366")
    case.refresh_from_db()
    assert case.extension_count == 2 and case.extensions.filter(status="approved").count() == 2
    assert errors == []
