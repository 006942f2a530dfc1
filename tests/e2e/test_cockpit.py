"""领导驾驶舱 in the browser: the leader opens the cockpit, sees the figures, the ECharts charts drawn from real
figures and the map of open cases, drills down to 敦化路 and back, and the page passes axe at 1366 and 390 px;
an event fills and wait-lists on its page. Screenshots go to var/screens/cockpit_*.png and events_*.png."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_user
from shequ.events import services as events

from .a11y import axe_check
from .conftest import login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def mid_morning():
    """The figures are the month's up to today: an event an hour from now must still be today, whatever the hour
    the suite runs at."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def site():
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy
    from shequ.grid.testing import report
    from shequ.people.services import tags_ensure_defaults

    tags_ensure_defaults()
    tree = build_tree()
    ensure_taxonomy()
    ensure_process_limits()
    leader = make_user(Role.LEADER, [tree["sub"]], username="wangjianguo")
    worker = make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="liumeihua")
    inspector = make_user(Role.INSPECTOR, [tree["sub"]], username="qianwei")
    for _ in range(3):
        report({"inspector": inspector})
    start = timezone.now() + dt.timedelta(hours=1)
    held = events.event_create(actor=worker, title="延吉风韵月月展·书法作品展", node=tree["dunhua"],
                               organiser="敦化路居委会", start=start, end=start + dt.timedelta(hours=3), capacity=20,
                               venue="敦化路1号")
    for i in range(4):
        reg = events.registration_create(actor=worker, event=held, name=f"居民{i}")
        events.registration_check_in(actor=worker, registration=reg, now=start)
    small = events.event_create(actor=worker, title="亲子手工课", node=tree["dunhua"], organiser="敦化路居委会",
                                start=start + dt.timedelta(days=3), end=start + dt.timedelta(days=3, hours=2),
                                capacity=2, waitlist_limit=2, venue="敦化路居委会活动室")
    return {"tree": tree, "leader": leader, "worker": worker, "small": small}


def test_cockpit_charts_and_drill_down(page, live_server, site, shot):
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page(page, live_server, "wangjianguo", PASSWORD)
    page.goto(f"{live_server.url}/cockpit/")
    expect(page.locator("[data-figure=ev-participations]")).to_have_text("4")
    expect(page.locator("[data-figure=grid-open]")).to_have_text("3")
    expect(page.locator("[data-chart=chart-participations] canvas")).to_have_count(1)
    expect(page.locator("[data-chart=chart-grid] canvas")).to_have_count(1)
    page.wait_for_function("document.getElementById('cockpit-map').dataset.loaded !== undefined")
    assert int(page.locator("#cockpit-map").get_attribute("data-loaded")) > 0
    assert axe_check(page) == []
    shot("cockpit_district_1366")
    page.get_by_role("link", name="敦化路居委会").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("敦化路居委会")
    expect(page.locator("[data-figure=ev-participations]")).to_have_text("4")
    # The committee's acceptance figures (its registered residents' cases), and what they leave out, stated.
    expect(page.locator("[data-figure=acc-received]")).to_have_text("0")
    expect(page.locator("#acc-committee-note")).to_contain_text("无法归入任何居委会")
    shot("cockpit_committee_1366")
    page.get_by_role("link", name="返回街道").click()
    expect(page.locator("h1")).not_to_contain_text("敦化路居委会")
    page.set_viewport_size(PHONE)
    page.reload()
    assert axe_check(page) == []
    shot("cockpit_district_390")


def test_an_event_fills_and_wait_lists_in_the_browser(page, live_server, site, shot):
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page(page, live_server, "liumeihua", PASSWORD)
    page.goto(f"{live_server.url}/events/{site['small'].pk}/")
    for name in ("王秀英", "李建国", "张美华"):
        page.fill("#walkin-name", name)
        page.get_by_role("button", name="报名", exact=True).click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("#event-counts")).to_contain_text("已报名 2/2，候补 1")
    expect(page.get_by_text("名额已满，张美华已进入候补。")).to_be_visible()
    assert axe_check(page) == []
    shot("events_waitlist_1366")
    page.locator("tr", has_text="王秀英").get_by_role("button", name="取消报名").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#event-counts")).to_contain_text("已报名 2/2，候补 0")
    shot("events_promoted_1366")
