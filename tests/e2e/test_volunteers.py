"""志愿服务 in the browser: the 志愿中心 publishes an activity; a volunteer a couple of hours short of his first
star signs up on a 390 px phone, checks in and out with the organiser's code; the organiser approves the hours,
which crosses the 100-hour threshold (the star goes onto the public notice list); the volunteer has his record
certificate issued, downloads the PDF and checks it on the public verification page. Screenshots go to
var/screens/volunteers_*.png."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from shequ.core.testing import PASSWORD, build_tree
from shequ.volunteers import demo
from shequ.volunteers.models import Activity, Certificate, Record, Volunteer

from .conftest import SCREENS, login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def clock():
    """The server's clock: a Monday mid-morning in Shanghai, ticking; the test moves it on to the check-out."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True) as t:
        yield t


@pytest.fixture
def site(clock):
    import random

    build_tree()
    demo.seed(stdout=io.StringIO(), password=PASSWORD, rng=random.Random(5))
    return Volunteer.objects.get(user__username="volunteer01")


def test_publish_sign_up_check_in_out_approve_star_and_certificate(page, browser, live_server, shot, clock, site):
    url = live_server.url
    # The 志愿中心 publishes.
    login_page(page, live_server, "vcenter", PASSWORD)
    page.goto(f"{url}/volunteers/activities/new/")
    start = timezone.localtime() + dt.timedelta(minutes=10)
    page.select_option("select[name=team]", label="平安志愿服务队")
    page.fill("input[name=title]", "敦化路夜间平安巡逻")
    page.fill("input[name=place]", "敦化路1号门岗")
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=end]", (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=slots]", "5")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("活动已发布")).to_be_visible()
    activity = Activity.objects.get(title="敦化路夜间平安巡逻")
    shot("volunteers_01_published_1366")

    # The volunteer, on his phone, lands on his volunteer page and signs up.
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    login_page(phone, live_server, "volunteer01", PASSWORD)
    phone.goto(f"{url}/")
    expect(phone).to_have_url(f"{url}/volunteers/me/")
    expect(phone.get_by_test_id("credited-hours")).to_have_text("98")
    phone.get_by_role("link", name="敦化路夜间平安巡逻").click()
    phone.get_by_role("button", name="报名", exact=True).click()
    expect(phone.get_by_text("报名成功")).to_be_visible()
    phone.screenshot(path=str(SCREENS / "volunteers_02_signed_up_390.png"), full_page=True)

    # A wrong code is refused; the organiser's code checks him in.
    phone.fill("input[name=code]", "12345a")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_text("6位数字")).to_be_visible()
    page.reload()
    phone.fill("input[name=code]", page.get_by_test_id("checkin-code").inner_text().strip())
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_text("签到成功")).to_be_visible()
    record = Record.objects.get(activity=activity, volunteer=site)
    assert record.check_in < activity.start  # checked in ten minutes early: his stay counts from the start

    # The activity runs its two hours. The organiser's screen keeps refreshing its code (the partial polls every
    # 30 s, which keeps her session alive); the clock moves on in steps shorter than the idle timeout, each
    # followed by that refresh, until two minutes after the end.
    step = dt.timedelta(minutes=20)
    while timezone.now() + step < activity.end:
        clock.shift(step)
        before = page.get_by_test_id("checkin-code").inner_text().strip()
        page.evaluate("htmx.ajax('GET', document.querySelector('#vol-code').getAttribute('hx-get'),"
                      " {target: '#vol-code', swap: 'outerHTML'})")
        expect(page.get_by_test_id("checkin-code")).not_to_have_text(before)  # the code has rotated
    clock.move_to(activity.end + dt.timedelta(minutes=2))
    page.reload()
    expect(page).to_have_url(f"{url}/volunteers/activities/{activity.pk}/")
    code = page.get_by_test_id("checkin-code").inner_text().strip()
    # The volunteer's phone sat idle through the activity: his session has timed out, he logs in again and is
    # sent back to the activity.
    phone.reload()
    expect(phone.get_by_text("长时间未操作，已自动退出，请重新登录。")).to_be_visible()
    phone.fill("input[name=username]", "volunteer01")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    expect(phone).to_have_url(f"{url}/volunteers/m/activities/{activity.pk}/")
    phone.fill("input[name=code]", code)
    phone.get_by_role("button", name="签退").click()
    expect(phone.get_by_text("签退成功")).to_be_visible()
    record.refresh_from_db()
    assert activity.end < record.check_out < activity.end + dt.timedelta(minutes=3)
    # Ten minutes early to two minutes late: only the activity's own 120 minutes count, all of them credited.
    assert (record.stay_minutes, record.credited_minutes) == (120, 120)
    phone.screenshot(path=str(SCREENS / "volunteers_03_checked_out_390.png"), full_page=True)

    # The organiser approves the record: 98 + 2 hours reach the first star's 100.
    page.goto(f"{url}/volunteers/review/")
    page.get_by_role("button", name="认定").first.click()
    expect(page.get_by_text("已认定")).to_be_visible()
    shot("volunteers_04_approved_1366")
    site.refresh_from_db()
    assert site.credited_minutes == 100 * 60
    phone.goto(f"{url}/volunteers/me/")
    expect(phone.get_by_test_id("credited-hours")).to_have_text("100")
    expect(phone.get_by_text("1星志愿者公示中")).to_be_visible()
    phone.goto(f"{url}/volunteers/notices/")
    expect(phone.get_by_role("cell", name="一星志愿者")).to_be_visible()

    # Certificate: issued from the records, downloaded, verified in public with the masked name only.
    phone.goto(f"{url}/volunteers/me/")
    phone.get_by_role("button", name="开具证明").click()
    expect(phone.get_by_text("已开具证明")).to_be_visible()
    cert = Certificate.objects.get(volunteer=site)
    with phone.expect_download() as info:
        phone.get_by_role("link", name=f"下载 {cert.number}").click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    phone.screenshot(path=str(SCREENS / "volunteers_05_certificate_390.png"), full_page=True)
    anonymous = browser.new_page(viewport=PHONE, locale="zh-CN")
    anonymous.goto(f"{url}/volunteers/verify/")
    anonymous.fill("input[name=number]", cert.number)
    anonymous.get_by_role("button", name="核验").click()
    result = anonymous.get_by_test_id("verify-result")
    expect(result).to_contain_text("该证明真实有效")
    expect(result).to_contain_text("100 小时")
    expect(result).to_contain_text(site.masked_name)
    assert site.name not in result.inner_text()
    anonymous.screenshot(path=str(SCREENS / "volunteers_06_verified_390.png"), full_page=True)

    # Every page of the walk passes axe (WCAG 2.1 AA), the staff's at 1366 px, the volunteer's at 390 px.
    from .a11y import axe_check

    findings = []
    for path in ("/volunteers/", f"/volunteers/activities/{activity.pk}/", "/volunteers/review/",
                 "/volunteers/volunteers/", f"/volunteers/volunteers/{site.pk}/", "/volunteers/teams/",
                 "/volunteers/stars/", "/volunteers/activities/new/"):
        page.goto(f"{url}{path}")
        findings += axe_check(page)
    for path in ("/volunteers/me/", f"/volunteers/m/activities/{activity.pk}/"):
        phone.goto(f"{url}{path}")
        findings += axe_check(phone)
    for path in ("/volunteers/notices/", f"/volunteers/verify/?number={cert.number}"):
        anonymous.goto(f"{url}{path}")
        findings += axe_check(anonymous)
    assert not findings, "\n".join(map(str, findings))
