"""三社联动 in the browser: the 民政 officer incubates an organisation to graduation; a purchased-service project
goes from its call to its appraisal (an expert scores on the page, the leader awards, the mid-term review fails and
holds the second instalment); a company's claim of a learning-festival project is recorded and thanked publicly on
a phone. Screenshots at 1366 and 390 px go to var/screens/socialorgs_*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_user
from shequ.socialorgs import services
from shequ.socialorgs.models import Incubation, Instalment, Project

from .a11y import axe_check
from .conftest import login_as, login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site():
    tree = build_tree()
    officer = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="zhouliqun")
    leader = make_user(Role.LEADER, [tree["sub"]], username="wangjianguo")
    leader2 = make_user(Role.LEADER, [tree["sub"]], username="lisi")
    worker = make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="liumeihua")
    youth = services.organisation_create(actor=officer, node=tree["sub"], name="青年家园民间组织服务中心",
                                         kind="nonprofit", registration_number="52310110MJ4981001A", rating="5A",
                                         rating_valid_until=dt.date(2028, 12, 31), contact_name="林晓雯",
                                         contact_phone="13916021234", committees=[tree["dunhua"]])
    reading = services.organisation_create(actor=officer, node=tree["sub"], name="延吉睦邻读书会", kind="community",
                                           committees=[tree["dunhua"]])
    return {"tree": tree, "officer": officer, "leader": leader, "leader2": leader2, "worker": worker,
            "youth": youth, "reading": reading}


def _no_axe_findings(page):
    findings = axe_check(page)
    assert not findings, findings


def test_incubate_an_organisation_to_graduation(page, live_server, shot, site):
    url = live_server.url
    login_page(page, live_server, "zhouliqun", PASSWORD)
    page.goto(f"{url}/socialorgs/incubation/")
    page.select_option("select[name=organisation]", str(site["reading"].pk))
    page.fill("textarea[name=plan]", "社区居民读书分享，申请场地与培训。")
    page.get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理入驻申请")).to_be_visible()
    page.get_by_role("button", name="入驻评审通过").click()  # without a mentor: refused
    incubation = Incubation.objects.get()
    assert incubation.status == "applied"
    page.fill("input[name=mentor]", "顾文杰")
    page.fill("textarea[name=note]", "符合公益性、草根性")
    page.get_by_role("button", name="入驻评审通过").click()
    expect(page.locator("h1")).to_contain_text("孵化中")
    page.fill("input[name=title]", "独立开展三次活动")
    page.fill("input[name=due_on]", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="添加节点").click()
    expect(page.get_by_role("button", name="出壳")).to_have_count(0)  # not offered while a milestone is open
    shot("socialorgs_01_incubating_milestone_open_1366")
    page.get_by_role("button", name="完成“独立开展三次活动”").click()
    page.fill("textarea[name=reason]", "节点全部完成，能独立运作")
    page.get_by_role("button", name="出壳").click()
    expect(page.locator("h1")).to_contain_text("已出壳")
    _no_axe_findings(page)
    shot("socialorgs_02_graduated_1366")
    page.set_viewport_size(PHONE)
    shot("socialorgs_03_graduated_390")
    incubation.refresh_from_db()
    assert incubation.status == "graduated" and incubation.ended_on and incubation.mentor == "顾文杰"


def test_a_purchased_service_from_call_to_appraisal_with_an_instalment_held(page, live_server, shot, site):
    url, officer = live_server.url, site["officer"]
    project = services.project_create(actor=officer, node=site["tree"]["sub"], title="延吉志愿中心专业管理",
                                      category="志愿服务", need="委托专业机构管理延吉志愿中心。", budget="300000")
    services.project_experts_set(actor=officer, project=project,
                                 experts=[site["leader"], site["leader2"], site["worker"]])
    login_page(page, live_server, "zhouliqun", PASSWORD)
    page.goto(f"{url}/socialorgs/projects/{project.pk}/")
    page.fill("input[name=publish-call_deadline]", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="发布征集公告").click()
    expect(page.locator("h1")).to_contain_text("公开征集")
    for org, amount in ((site["youth"], "288000"), (site["reading"], "250000")):
        page.select_option("select[name=proposal-organisation]", str(org.pk))
        page.fill("textarea[name=proposal-summary]", f"{org.name}的方案")
        page.fill("input[name=proposal-budget]", amount)
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.get_by_text("已登记申报方案")).to_be_visible()
    page.get_by_role("button", name="截止征集，进入评审").click()
    expect(page.locator("h1")).to_contain_text("专家评审")
    shot("socialorgs_04_scoring_officer_1366")

    # One expert on the page; the two others through the same service.
    proposals = list(project.proposals.order_by("id"))
    login_as(page, live_server, "liumeihua")
    page.goto(f"{url}/socialorgs/projects/{project.pk}/")
    page.fill(f"#score-{proposals[0].pk}", "91")
    page.locator(f"#proposal-{proposals[0].pk}").get_by_role("button", name="提交评分").click()
    page.fill(f"#score-{proposals[1].pk}", "130")
    page.locator(f"#proposal-{proposals[1].pk}").get_by_role("button", name="提交评分").click()
    expect(page.get_by_text("评分应为0到100之间")).to_be_visible()
    page.fill(f"#score-{proposals[1].pk}", "70")
    page.locator(f"#proposal-{proposals[1].pk}").get_by_role("button", name="提交评分").click()
    page.set_viewport_size(PHONE)
    shot("socialorgs_05_expert_scores_390")
    page.set_viewport_size({"width": 1366, "height": 900})
    for expert, a, b in ((site["leader"], "88", "85"), (site["leader2"], "60", "84")):
        services.score_submit(actor=expert, proposal=proposals[0], score=a)
        services.score_submit(actor=expert, proposal=proposals[1], score=b)

    login_as(page, live_server, "wangjianguo")
    page.goto(f"{url}/socialorgs/projects/{project.pk}/")
    page.get_by_role("button", name="确定承接方").click()
    # Trimmed mean: 甲 91/88/60 → 88.00 (the average would be 79.67); 乙 85/84/70 → 84.00.
    expect(page.locator(f"#proposal-{proposals[0].pk}")).to_contain_text("88.00")
    expect(page.locator(f"#proposal-{proposals[0].pk}")).to_contain_text("承接方")

    login_as(page, live_server, "zhouliqun")
    page.goto(f"{url}/socialorgs/projects/{project.pk}/")
    page.fill("input[name=sign-amount]", "288000")
    page.fill("input[name=sign-starts_on]", timezone.localdate().isoformat())
    page.fill("input[name=sign-ends_on]", (timezone.localdate() + dt.timedelta(days=365)).isoformat())
    page.fill("input[name=sign-first_amount]", "115200")
    page.fill("input[name=sign-second_amount]", "115200")
    page.fill("input[name=sign-third_amount]", "50000")
    page.get_by_role("button", name="签订合同").click()
    expect(page.get_by_text("各期金额之和应等于合同金额")).to_be_visible()
    page.fill("input[name=sign-third_amount]", "57600")
    page.get_by_role("button", name="签订合同").click()
    expect(page.locator("h1")).to_contain_text("合同执行中")
    page.check("input[name=midterm-passed][value='0']")
    page.fill("textarea[name=midterm-note]", "中期报告逾期未交，视为不通过")
    page.get_by_role("button", name="提交中期评估").click()
    page.check("input[name=final-passed][value='1']")
    page.fill("textarea[name=final-note]", "结项材料齐全，服务达标")
    page.get_by_role("button", name="提交结项评估").click()
    page.select_option("select[name=appraise-grade]", "good")
    page.fill("input[name=appraise-score]", "86.5")
    page.fill("textarea[name=appraise-note]", "服务覆盖面广，中期材料迟交")
    page.get_by_role("button", name="提交绩效评价").click()
    expect(page.locator("h1")).to_contain_text("已完成绩效评价")
    expect(page.get_by_text("暂停拨付").first).to_be_visible()
    _no_axe_findings(page)
    shot("socialorgs_06_appraised_instalment_held_1366")
    page.set_viewport_size(PHONE)
    shot("socialorgs_07_appraised_390")
    statuses = list(Instalment.objects.order_by("seq").values_list("status", flat=True))
    assert statuses == ["released", "held", "released"]
    assert Project.objects.get(pk=project.pk).appraisal_grade == "good"

    # The next call's panel reads the appraisal.
    nxt = services.project_create(actor=officer, node=site["tree"]["sub"], title="延吉志愿中心专业管理（续）",
                                  category="志愿服务", need="续签。", budget="300000")
    services.project_publish(actor=officer, project=nxt, call_deadline=timezone.localdate())
    services.proposal_submit(actor=officer, project=nxt, organisation=site["youth"], summary="续签方案",
                             budget="290000")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/socialorgs/projects/{nxt.pk}/")
    expect(page.get_by_text("延吉志愿中心专业管理 良好（86.50）")).to_be_visible()
    shot("socialorgs_08_next_call_sees_appraisal_1366")


def test_a_company_claims_a_festival_project(page, live_server, shot, site):
    url, officer = live_server.url, site["officer"]
    project = services.claim_project_create(actor=officer, node=site["tree"]["sub"], event="第八届学习节",
                                            title="韵动生活", description="公益轮滑体验、白领台球赛",
                                            needs="场地、教练")
    login_page(page, live_server, "zhouliqun", PASSWORD)
    page.goto(f"{url}/socialorgs/claims/")
    page.get_by_role("link", name="韵动生活").click()
    page.fill("input[name=claim-claimant]", "上海咕噜咕噜体育发展有限公司")
    page.fill("input[name=claim-contact_name]", "陈经理")
    page.fill("input[name=claim-contact_phone]", "13800001111")
    page.select_option("select[name=claim-kind]", "skills")
    page.fill("input[name=claim-description]", "轮滑教练4名及护具")
    page.select_option("select[name=claim-kind_2]", "money")
    page.fill("input[name=claim-description_2]", "活动经费")
    page.get_by_role("button", name="登记认领").click()
    expect(page.get_by_text("请填写金额")).to_be_visible()  # money without its amount: refused, nothing kept
    assert project.claims.count() == 0
    page.select_option("select[name=claim-kind_2]", "venue")
    page.fill("input[name=claim-description_2]", "训练场地")
    page.get_by_role("button", name="登记认领").click()
    expect(page.get_by_text("已登记")).to_be_visible()
    expect(page.get_by_text("138****1111")).to_be_visible()
    page.select_option("select[name=activity-claim]", label="上海咕噜咕噜体育发展有限公司")
    page.fill("input[name=activity-title]", "公益轮滑体验")
    page.fill("input[name=activity-held_on]", timezone.localdate().isoformat())
    page.fill("input[name=activity-participants]", "60")
    page.get_by_role("button", name="登记活动").click()
    expect(page.get_by_text("60 人参与")).to_be_visible()
    _no_axe_findings(page)
    shot("socialorgs_09_claimed_1366")
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/socialorgs/thanks/")
    expect(page.get_by_text("上海咕噜咕噜体育发展有限公司")).to_be_visible()
    assert "13800001111" not in page.content() and "138****1111" not in page.content()
    _no_axe_findings(page)
    shot("socialorgs_10_thanks_public_390")
