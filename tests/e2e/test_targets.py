"""指标与考核 in the browser: the eco-household target's actual follows a household certified through the pages;
an entered target goes through approval; three experts score the 杨浦区政府办公大楼 pilot to 88 + 8 with a trimmed
mean and the result opens as a PDF. Every page passes axe; screenshots at 1366 and 390 px in
var/screens/targets_*.png, the PDF's pages in var/screens/targets_result-*.png (pdftoppm)."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .a11y import axe_check
from .conftest import SCREENS, login_as

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    import datetime as dt

    from django.utils import timezone

    from shequ.core.choices import Role
    from shequ.core.testing import build_tree, make_user
    from shequ.people.services import tags_ensure_defaults
    from shequ.targets.config import indicators_ensure, pilot_sheet_ensure

    tags_ensure_defaults()
    tree = build_tree()
    year = timezone.localdate().year
    indicators_ensure(node=tree["sub"], start_year=year - 1, grid_year=year)
    pilot_sheet_ensure()
    return {"tree": tree, "today": timezone.localdate(), "dt": dt,
            "worker": make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="e2e_dunhua"),
            "leader": make_user(Role.LEADER, [tree["sub"]], username="e2e_leader"),
            "officer": make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="e2e_officer"),
            "expert": make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["chengguan"], username="e2e_expert")}


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"targets_{name}.png"), full_page=True)


def _axe(page):
    found = axe_check(page)
    assert not found, "\n".join(map(str, found))


def _row(page, code):
    return page.locator(f"tr[data-code='{code}']")


def test_a_computed_target_follows_a_household_certified_on_the_pages(page, live_server, world):
    base = live_server.url
    login_as(page, base, world["leader"])
    page.goto(f"{base}/targets/")
    expect(_row(page, "lc-eco-households").locator(".sq-actual")).to_have_text("0 户")
    _axe(page)
    _shot(page, "index_before")

    login_as(page, base, world["worker"])
    page.goto(f"{base}/targets/eco/")
    page.get_by_label("家庭名称").fill("王秀英家庭")
    page.get_by_label("地址", exact=True).fill("敦化路1弄2号301室")
    page.get_by_label("低碳做法").fill("垃圾分类、节水节电")
    page.get_by_role("button", name="推荐").click()
    expect(page.get_by_text("已推荐“王秀英家庭”")).to_be_visible()
    _axe(page)

    login_as(page, base, world["leader"])
    page.goto(f"{base}/targets/eco/")
    page.get_by_role("link", name="王秀英家庭").click()
    page.get_by_role("button", name="认定", exact=True).click()
    expect(page.locator("#sq-status")).to_have_text("已认定")
    expect(page.get_by_text(re.compile(r"生态〔\d{4}〕第0001号"))).to_be_visible()
    _axe(page)
    _shot(page, "eco_certified")
    page.goto(f"{base}/targets/")
    expect(_row(page, "lc-eco-households").locator(".sq-actual")).to_have_text("1 户")
    _shot(page, "index_after")
    _row(page, "lc-eco-households").get_by_role("link").click()
    expect(page.get_by_role("row", name=re.compile("敦化路居委会"))).to_contain_text("1 户")
    _axe(page)
    _shot(page, "indicator_eco")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/targets/")
    _axe(page)
    _shot(page, "index_390")


def test_an_entered_target_goes_through_approval(page, live_server, world, tmp_path):
    base = live_server.url
    month = world["today"].replace(day=1)
    evidence = tmp_path / "问卷汇总.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj\n%%EOF\n")
    login_as(page, base, world["worker"])
    page.goto(f"{base}/targets/entries/new/")
    page.get_by_label("指标").select_option(label="低碳知识知晓率（%）")
    page.get_by_label("月份").fill(month.strftime("%Y-%m"))
    page.get_by_label("数值").fill("abc")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("数值须为数字")).to_be_visible()
    _axe(page)
    _shot(page, "entry_error")
    page.get_by_label("数值").fill("68")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#sq-status")).to_have_text("待审核")

    login_as(page, base, world["leader"])
    page.goto(f"{base}/targets/entries/?status=submitted")
    page.get_by_role("link", name="低碳知识知晓率").click()
    expect(page.get_by_role("link", name="问卷汇总.pdf")).to_be_visible()
    _axe(page)
    _shot(page, "entry_pending")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#sq-status")).to_have_text("已通过")
    page.goto(f"{base}/targets/")
    expect(_row(page, "lc-awareness").locator(".sq-actual")).to_have_text("68%")
    _shot(page, "index_entered")


def test_three_experts_score_the_pilot_to_88_plus_8(page, live_server, world):
    from shequ.targets import selectors
    from shequ.targets.config import marks_losing
    from shequ.targets.models import ScoreSheet

    base = live_server.url
    login_as(page, base, world["leader"])
    page.goto(f"{base}/targets/assessments/new/")
    page.get_by_label("考核名称").fill("杨浦区政府办公大楼节能标准化试点验收")
    page.get_by_label("考核对象", exact=True).fill("杨浦区政府办公大楼")
    page.get_by_label("评审日期").fill(world["today"].isoformat())
    for user in ("leader", "officer", "expert"):
        page.get_by_role("checkbox", name=world[user].display_name, exact=True).check()
    _axe(page)
    _shot(page, "assessment_new")
    page.get_by_role("button", name="组织评审").click()
    expect(page.locator("#sq-status")).to_have_text("评分中")
    url = page.url

    layout = selectors.sheet_layout(sheet=ScoreSheet.objects.get())
    for user, base_score, feature in (("leader", 86, 7), ("officer", 88, 8), ("expert", 91, 9)):
        login_as(page, base, world[user])
        page.goto(url)
        marks = marks_losing(layout, base_loss=100 - base_score, feature_loss=10 - feature)
        for item_id, mark in marks.items():
            field = page.locator(f"[name=item_{item_id}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(mark)
            else:
                field.fill(mark)
        if user == "leader":
            _axe(page)
            _shot(page, "assessment_scoring")
        page.get_by_role("button", name="提交评分").click()
        expect(page.get_by_text("评分已提交")).to_be_visible()

    login_as(page, base, world["leader"])
    page.goto(url)
    page.get_by_label("评审意见").fill("试点工作扎实，同意通过验收。")
    page.get_by_role("button", name="签发结果").click()
    expect(page.locator("#sq-result")).to_contain_text("基本分 88 + 特色分 8")
    _axe(page)
    _shot(page, "assessment_signed")
    page.set_viewport_size(PHONE)
    _shot(page, "assessment_signed_390")

    response = page.request.get(base + page.locator("#sq-result-pdf").get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    SCREENS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENS / "targets_result.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENS / "targets_result")], check=True)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "88" in text and "杨浦区政府办公大楼" in text
