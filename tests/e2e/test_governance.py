"""综合治理 in the browser: a joint meeting of the 城区综合管理委员会 decides two tasks; 民政 closes its task with an
evidence photo, 城管's goes past its due date and the scheduled reminder reaches its officer; the next meeting's
follow-up page shows both. A 顽症 is registered from three repeated cases at one place, a person confirms them and
its monthly chart shows the three. Screenshots at 1366 and 390 px in var/screens/governance_*.png."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import build_tree, make_user

from .conftest import SCREENS, login_as

PHONE = {"width": 390, "height": 844}
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    """A Tuesday mid-morning: the meeting's due dates are counted in working days from it."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=True) as traveller:
        yield traveller


@pytest.fixture
def site(clock):
    from shequ.governance import services
    from shequ.grid.testing import build_grid_centre
    from shequ.people.services import tags_ensure_defaults

    tags_ensure_defaults()
    tree = build_tree()
    _station, centre = build_grid_centre(tree, prefix="e2e_")
    leader = make_user(Role.LEADER, [tree["sub"]], username="e2e_leader")
    mz = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="e2e_mz")
    committee = services.committee_create(actor=leader, node=tree["sub"], name="延吉新村街道城区综合管理委员会",
                                          kind="urban")
    for name, unit, post, dept in (("马志刚", "城管执法中队", "中队长", tree["chengguan"]),
                                   ("李民", "杨浦区民政局", "科长", tree["minzheng"]),
                                   ("胡志刚", "杨浦物业延吉分公司", "经理", None)):
        services.member_add(actor=leader, committee=committee, name=name, unit=unit, post=post, department=dept)
    return {"tree": tree, "leader": leader, "mz": mz, "cgzf": centre["cgzf"], "shiftlead": centre["shiftlead"],
            "inspector": centre["inspector"], "committee": committee}


def _shots(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"governance_{name}_1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENS / f"governance_{name}_390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_joint_meeting_decides_two_tasks_one_closed_with_evidence_one_overdue(page, live_server, site, clock):
    from shequ.core.models import Notification
    from shequ.core.schedule import schedule_tick
    from shequ.core.tasks import run_ready_tasks

    base = live_server.url
    login_as(page, base, site["leader"])
    page.goto(f"{base}/governance/committees/{site['committee'].pk}/")
    page.fill("input[name=g-title]", "3月城区综合管理联席会议")
    page.fill("input[name=g-date]", "2026-03-10")
    page.fill("input[name=g-place]", "街道办事处三楼会议室")
    page.click("button[name=form][value=meeting]")
    expect(page.locator("h1")).to_have_text("3月城区综合管理联席会议")
    meeting_url = page.url
    page.fill("input[name=a-title]", "控江路645弄垃圾厢房周边暴露垃圾")
    page.fill("input[name=a-figure]", "2月相关案件11件")
    page.get_by_role("button", name="添加议题").click()
    for title, dept, days in (("督促物业每日两次清运大件垃圾", "杨浦区民政局", "5"),
                              ("早晚高峰菜场门口定岗", "城管执法中队", "3")):
        page.fill("input[name=t-title]", title)
        page.select_option("select[name=t-department]", label=dept)
        page.fill("input[name=t-working_days]", days)
        page.get_by_role("button", name="交办", exact=True).click()
        expect(page.locator("#decisions")).to_contain_text(title)
    page.check("#present-1") if page.locator("#present-1").count() else None
    page.fill("textarea[name=n-minutes]", "会议要求各责任部门按期办结，下次会议通报。")
    page.get_by_role("button", name="保存纪要").click()
    expect(page.locator("#decisions")).to_contain_text("2026年3月17日")  # 5 working days after Tue 10 March
    _shots(page, "meeting")
    pdf = page.request.get(f"{meeting_url}minutes.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 民政 closes its task with a photo of the result.
    login_as(page, base, site["mz"])
    page.goto(f"{base}/governance/tasks/")
    expect(page.locator("table")).not_to_contain_text("早晚高峰菜场门口定岗")  # another department's
    page.get_by_role("link", name="督促物业每日两次清运大件垃圾").click()
    page.fill("#note-start", "已通知物业")
    page.get_by_role("button", name="开始办理").click()
    page.fill("#note-close", "物业已改为每日上午、下午各清运一次，现场整洁。")
    page.set_input_files("#evidence-close", files=[{"name": "after.jpg", "mimeType": "image/jpeg",
                                                     "buffer": _jpeg()}])
    page.get_by_role("button", name="办结（上传佐证）").click()
    expect(page.locator("#task-status")).to_contain_text("已办结")
    expect(page.locator("img[alt=办结佐证照片]")).to_be_visible()
    _shots(page, "task_closed")

    # Two weeks later 城管's task is overdue: the daily reminder tells its officer.
    clock.move_to(dt.datetime(2026, 3, 24, 9, 35, tzinfo=SH))
    assert "governance.overdue" in schedule_tick()
    run_ready_tasks()
    assert Notification.objects.filter(recipient=site["cgzf"], title__contains="已逾期").count() == 1
    login_as(page, base, site["cgzf"])
    page.goto(f"{base}/inbox/")
    expect(page.locator("main")).to_contain_text("交办任务已逾期：早晚高峰菜场门口定岗")
    _shots(page, "reminder_inbox")

    # The next meeting's follow-up page: one closed, one overdue.
    from shequ.governance import services

    second = services.meeting_create(actor=site["leader"], committee=site["committee"], title="4月联席会议",
                                     date=dt.date(2026, 3, 24))
    login_as(page, base, site["leader"])
    page.goto(f"{base}/governance/meetings/{second.pk}/follow-up/")
    counts = page.locator("#follow-up-counts")
    expect(counts).to_contain_text("已办结")
    expect(page.locator("tr.table-danger")).to_contain_text("早晚高峰菜场门口定岗")
    expect(page.locator("tbody")).to_contain_text("物业已改为每日上午、下午各清运一次")
    _shots(page, "follow_up")


def test_a_persistent_problem_is_confirmed_from_three_repeated_cases_and_charted(page, live_server, site):
    from shequ.grid.testing import report

    for _ in range(3):
        report({"inspector": site["inspector"]}, address="敦化路100号", category="E0102")
    base = live_server.url
    login_as(page, base, site["shiftlead"])
    page.goto(f"{base}/governance/problems/")
    repeats = page.locator("#repeats")
    expect(repeats).to_contain_text("敦化路100号")
    repeats.get_by_role("link", name="登记为顽症").click()
    expect(page.locator("input[name=place]")).to_have_value("敦化路100号")
    page.fill("textarea[name=description]", "绿化带边反复出现暴露垃圾，清理后又有人倾倒。")
    page.get_by_role("button", name="保存").click()
    suggestions = page.locator("#suggestions")
    expect(suggestions.locator("input[type=checkbox]")).to_have_count(3)
    _shots(page, "problem_suggestions")
    suggestions.get_by_role("button", name="确认关联").click()
    expect(page.locator("#problem-links tbody tr")).to_have_count(3)
    expect(page.locator("#problem-chart")).to_have_attribute("data-loaded", "3")
    expect(page.locator("#problem-chart canvas")).to_be_visible()
    page.locator("form[action$='/launch/'] input[name=note]").fill("城管、绿化市容联合整治")
    page.get_by_role("button", name="启动专项整治").click()
    expect(page.locator("#problem-status")).to_have_text("专项整治中")
    expect(page.locator("#problem-chart")).to_have_attribute("data-loaded", "3")
    page.wait_for_timeout(1200)  # the bars' entry animation
    _shots(page, "problem")
