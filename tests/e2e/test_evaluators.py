"""社会监督评议 in the browser, on a phone (390 px): a 人大代表 logs in, lands on her inspections, scores the one
scheduled for today on the 大联动督查 sheet (points, a note, a site photo) and publishes it; the department's
composite on the 部门综合考评 page moves from the earlier evaluation alone to both, by the weights kept as data.
Screenshots at 390 and 1366 px in /tmp/shots/evaluators/."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import build_tree, make_user

from .conftest import login_as

SHOTS = Path("/tmp/shots/evaluators")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SH = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 30, tzinfo=SH), tick=True) as traveller:
        yield traveller


@pytest.fixture
def site(clock):
    from shequ.evaluators import selectors, services
    from shequ.evaluators.models import EvaluatorWeight
    from shequ.people.services import tags_ensure_defaults
    from shequ.targets import services as targets
    from shequ.targets.selectors import Rule, SheetUse

    tags_ensure_defaults()
    tree = build_tree()
    # The weights are data (a migration seeds them; a transactional test may start without them).
    EvaluatorWeight.objects.update_or_create(kind="npc", defaults={"weight": Decimal(20)})
    EvaluatorWeight.objects.update_or_create(kind="ethics", defaults={"weight": Decimal(10)})
    EvaluatorWeight.objects.filter(kind="team").delete()
    sheet = targets.sheet_ensure(name="窗口服务与行风测评表", use=SheetUse.INSPECT_DEPARTMENT, pass_line=80, sections=[
        ("服务态度", [("首问负责、文明用语、耐心解答", "按表现给分", 40, Rule.POINTS, None)]),
        ("办事效率", [("按承诺时限办结，无推诿扯皮", "每发现一件超期或推诿扣5分", 40, Rule.DEDUCTION, 5)]),
        ("廉洁自律", [("无吃拿卡要、无违规收费", "发现一次不得分", 20, Rule.YES_NO, None)])])
    leader = make_user(Role.LEADER, [tree["sub"]], username="e2e_leader")
    npc = make_user(Role.NPC_DEPUTY, [tree["sub"]], username="e2e_npc")
    ethics = make_user(Role.ETHICS_MONITOR, [tree["sub"]], username="e2e_ethics")
    today = dt.date(2026, 11, 16)
    items = {i.title: i for _s, rows in selectors.sheet_layout(sheet) for i in rows}
    earlier = services.evaluation_schedule(actor=leader, evaluator=ethics, sheet=sheet, department=tree["minzheng"],
                                           topic="养老服务补贴办理暗访", place="民政科接待窗口", date=today)
    services.evaluation_submit(actor=ethics, evaluation=earlier, marks={
        items["首问负责、文明用语、耐心解答"].pk: "30", items["按承诺时限办结，无推诿扯皮"].pk: "2",
        items["无吃拿卡要、无违规收费"].pk: "0"})  # 30 + 30 + 0 = 60
    visit = services.evaluation_schedule(actor=leader, evaluator=npc, sheet=sheet, department=tree["minzheng"],
                                         topic="为老服务窗口视察", place="杨浦区民政局延吉窗口", date=today)
    return {"tree": tree, "leader": leader, "npc": npc, "visit": visit, "items": items}


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, viewport in (("390", PHONE), ("1366", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}_{width}.png"), full_page=True)
    page.set_viewport_size(size)


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def _composite(page, base) -> str:
    page.goto(f"{base}/inspect/composite/")
    return page.locator("#composite-table tr[data-department=MZ] .composite-score").inner_text().strip()


def test_an_npc_deputy_scores_an_inspection_from_a_phone_and_the_composite_changes(page, live_server, site):
    base = live_server.url
    login_as(page, base, site["leader"])
    assert _composite(page, base) == "60"  # the 行风政风监督员's 60 alone
    expect(page.locator("#composite-formula")).to_contain_text("综合指标值 × (100 − W)")
    _shots(page, "composite_before")

    page.set_viewport_size(PHONE)
    login_as(page, base, site["npc"])
    expect(page).to_have_url(f"{base}/inspect/")
    expect(page.locator("#evaluation-cards")).to_contain_text("为老服务窗口视察")
    expect(page.locator("#evaluation-cards")).not_to_contain_text("养老服务补贴办理暗访")  # not hers
    _shots(page, "home_npc")
    page.click("text=为老服务窗口视察")
    page.click("text=开始评分")
    items = site["items"]
    page.fill(f"#item-{items['首问负责、文明用语、耐心解答'].pk}", "36")
    page.fill(f"#item-{items['按承诺时限办结，无推诿扯皮'].pk}", "1")
    page.fill(f"#note-{items['按承诺时限办结，无推诿扯皮'].pk}", "一件高龄津贴申请超过承诺时限")
    page.fill("#note", "窗口整洁，工作人员耐心，个别办件超期")
    page.set_input_files("#photos", files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    _shots(page, "score_form")
    page.click("#submit-score")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#evaluation-status")).to_have_text("已发布")
    expect(page.locator("#evaluation-total")).to_contain_text("91")  # 36 + (40 − 5) + 20
    _shots(page, "detail_published")

    page.set_viewport_size(DESKTOP)
    login_as(page, base, site["leader"])
    assert _composite(page, base) == "80.7"  # (20 × 91 + 10 × 60) ÷ 30
    _shots(page, "composite_after")
