"""Scores as data in the browser: the hall supervisor adjusts the monthly clerk sheet and the figures page shows its
name and rules; a leader scores a supervision round on a scoring sheet; the evaluation page states 自处置率 and the
composite's formula. Screenshots at 1366 and 390 px in var/screens/scores_*.png."""

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import SCREENS, login_as

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    import datetime as dt
    import zoneinfo

    from shequ.acceptance.testing import build_centre
    from shequ.core.choices import Role
    from shequ.core.testing import build_tree, make_user
    from shequ.grid.testing import inspection_sheet
    from shequ.people.services import tags_ensure_defaults
    from shequ.targets.services import clerk_sheet_ensure

    tags_ensure_defaults()
    tree = build_tree()
    personas = {"clerk": make_user(Role.WINDOW_CLERK, [tree["sub"]], username="e2e_clerk"),
                "officer": make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="e2e_officer"),
                "other_clerk": make_user(Role.WINDOW_CLERK, [tree["other_sub"]], username="e2e_clerk_yx")}
    centre = build_centre(tree, personas)
    clerk_sheet_ensure()
    inspection_sheet("居民区网格工作站考评表", "area",
                     items=(("发现问题", "网格巡查到位，问题主动发现上报", 25), ("市容环境", "网格内市容环境整洁有序", 30)))
    moment = dt.datetime(2026, 12, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    return {"tree": tree, "centre": centre, "moment": moment,
            "leader": make_user(Role.LEADER, [tree["sub"]], username="e2e_leader")}


def _shots(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENS / f"scores_{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENS / f"scores_{name}_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_supervisor_adjusts_the_clerk_sheet(page, live_server, world):
    with time_machine.travel(world["moment"], tick=True):
        login_as(page, live_server.url, world["centre"]["supervisor"])
        page.goto(f"{live_server.url}/acceptance/figures/?by=clerk")
        card = page.locator("#score-sheet")
        expect(card).to_contain_text("受理员月度考核表")
        expect(card).to_contain_text("扣分制")
        _shots(page, "clerk_figures")
        card.get_by_role("link", name="调整考核规则").click()
        page.get_by_label("差评 每次扣分").fill("abc")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".invalid-feedback").first).to_contain_text("须为数字")
        _shots(page, "clerk_rules_error")
        page.get_by_label("差评 每次扣分").fill("3")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".alert-success, .toast, [role=status]").first).to_contain_text("考核规则已保存")
        expect(page.locator("#score-sheet tr", has_text="差评").first).to_contain_text("3")


def test_a_leader_scores_a_supervision_round_and_reads_the_formulas(page, live_server, world):
    with time_machine.travel(world["moment"], tick=True):
        login_as(page, live_server.url, world["leader"])
        page.goto(f"{live_server.url}/grid/inspections/new/")
        expect(page.locator("body")).to_contain_text("居民区网格工作站考评表")
        page.get_by_label("督查主题").fill("12月联合督查")
        page.get_by_label("被督查居民区").select_option(label="敦化路居委会")
        page.get_by_label("网格内市容环境整洁有序").fill("26.5")
        _shots(page, "inspection_form")
        page.get_by_role("button", name="保存督查记录").click()
        expect(page.locator("body")).to_contain_text("51.5")
        _shots(page, "inspection_detail")
        page.goto(f"{live_server.url}/grid/stats/")
        expect(page.locator("#composite-formula")).to_contain_text("综合指标值（0–100）= 50 × min(1, 按期结案率 ÷ 90%)")
        expect(page.locator("body")).to_contain_text("工作站自处置率")
        _shots(page, "grid_stats")
