"""Enterprise claiming from the public side: a company opens the thank-you list on a phone (390 px), follows
"我要认领" to the public claim form of a learning-festival project, is told in Chinese that its credit code is wrong,
corrects it and gets the confirmation; the 民政 officer confirms the pending claim on the project page (1366 px) and
the company appears on the public thank-you list. Screenshots go to var/screens/socialorgs_public_claim_*.png."""

import re

import pytest
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_user
from shequ.socialorgs import services
from shequ.socialorgs.models import ClaimRequest

from .a11y import axe_check
from .conftest import SCREENS, login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
COMPANY = "上海咕噜咕噜体育发展有限公司"


def _credit_code(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters (the check character per GB 32100-2015)."""
    for c in services.CREDIT_CODE_CHARS:
        if services.credit_code_valid(body + c):
            return body + c
    raise AssertionError(body)


@pytest.fixture
def project():
    tree = build_tree()
    officer = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["minzheng"], username="zhouliqun")
    return services.claim_project_create(actor=officer, node=tree["sub"], event="第八届学习节", title="韵动生活",
                                         description="公益轮滑体验、白领台球赛", needs="场地、教练")


def _screens(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"socialorgs_public_claim_{name}.png"), full_page=True)


def test_a_company_claims_through_the_public_form_and_is_thanked(page, browser, live_server, project):
    url = live_server.url
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    phone.goto(f"{url}/socialorgs/thanks/")
    expect(phone.get_by_text("暂无认领。")).to_be_visible()
    phone.get_by_role("link", name=re.compile(r"^我要认领\s*：韵动生活$")).click()
    expect(phone).to_have_url(f"{url}/socialorgs/claims/{project.pk}/claim/")
    expect(phone.get_by_role("heading", name="认领社区服务项目")).to_be_visible()
    _screens(phone, "01_form_390")
    assert not axe_check(phone)

    # A mistyped credit code (check character wrong) is refused in Chinese and nothing is recorded.
    good = _credit_code("91310110MA1G8XY20")
    bad = good[:17] + next(c for c in services.CREDIT_CODE_CHARS if c != good[17])
    phone.fill("input[name=claimant]", COMPANY)
    phone.fill("input[name=credit_code]", bad)
    phone.fill("input[name=contact_name]", "陈经理")
    phone.fill("input[name=contact_phone]", "13800001111")
    phone.select_option("select[name=kind]", "skills")
    phone.fill("input[name=description]", "轮滑教练4名及护具")
    phone.select_option("select[name=kind_2]", "venue")
    phone.fill("input[name=description_2]", "训练场地")
    phone.get_by_role("button", name="提交认领").click()
    expect(phone.get_by_text("统一社会信用代码应为18位，且校验位正确。")).to_be_visible()
    assert not ClaimRequest.objects.exists()
    expect(phone.locator("input[name=claimant]")).to_have_value(COMPANY)  # what was typed is kept
    _screens(phone, "02_bad_credit_code_390")
    assert not axe_check(phone)

    phone.fill("input[name=credit_code]", good.lower())  # typed in lower case: accepted and kept in upper case
    phone.get_by_role("button", name="提交认领").click()
    received = phone.get_by_test_id("claim-received")
    expect(received).to_contain_text("认领申请已提交")
    claim = ClaimRequest.objects.get()
    assert (claim.claimant, claim.credit_code, claim.status) == (COMPANY, good, "pending")
    expect(received).to_contain_text(claim.number)
    _screens(phone, "03_received_390")
    # Not thanked yet: the claim waits for the publishing unit.
    phone.get_by_role("link", name="返回鸣谢名单").click()
    expect(phone.get_by_text("暂无认领。")).to_be_visible()

    # The same form on a desktop screen.
    desktop = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    desktop.goto(f"{url}/socialorgs/claims/{project.pk}/claim/")
    _screens(desktop, "04_form_1366")

    # The 民政 officer confirms it on the project page.
    login_page(page, live_server, "zhouliqun", PASSWORD)
    page.goto(f"{url}/socialorgs/claims/{project.pk}/")
    expect(page.get_by_test_id("pending-requests")).to_have_text("1")
    expect(page.get_by_text("138****1111")).to_be_visible()
    _screens(page, "05_pending_1366")
    page.get_by_role("button", name=re.compile(rf"^确认认领\s*：{COMPANY}$")).click()
    expect(page.get_by_text(f"已确认 {COMPANY} 的认领。")).to_be_visible()
    expect(page.get_by_test_id("pending-requests")).to_have_text("0")
    _screens(page, "06_confirmed_1366")
    assert project.claims.filter(claimant=COMPANY).count() == 1
    assert not axe_check(page)

    # On the public thank-you list, by name only (never the phone number).
    phone.goto(f"{url}/socialorgs/thanks/")
    thanks = phone.get_by_role("region", name="第八届学习节 · 韵动生活")
    expect(thanks).to_contain_text(COMPANY)
    expect(thanks).to_contain_text("技术与专业服务")
    assert "13800001111" not in phone.content() and "138****1111" not in phone.content()
    _screens(phone, "07_thanks_390")
    assert not axe_check(phone)

    # In large-text mode (适老化) on the phone, the page's title does not run under the fixed 大字 switch.
    phone.get_by_role("button", name=re.compile("大字")).click()
    expect(phone.locator("body.sq-large")).to_have_count(1)
    for path in ("/socialorgs/thanks/", f"/socialorgs/claims/{project.pk}/claim/"):
        phone.goto(f"{url}{path}")
        overlap = phone.evaluate("""() => {
            const s = document.querySelector('.sq-public-tools').getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(document.querySelector('h1'));
            return [...range.getClientRects()].some(r => r.right > s.left && r.left < s.right
                                                          && r.bottom > s.top && r.top < s.bottom);
        }""")
        assert not overlap, path
    _screens(phone, "08_form_large_text_390")
