"""家庭医生签约 in the browser: a committee worker signs a household member "1+1+1", finds a contract on the
renewal-due list and renews it, then looks at the coverage chart; the resident sees his contract on the phone.
Screenshots at 1366 and 390 px in var/screens/health_*.png."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import SCREENS, login_as

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    from shequ.core.choices import Role
    from shequ.core.testing import build_tree, make_resident, make_user, valid_id_number
    from shequ.health import services
    from shequ.health.testing import build_health, sign
    from shequ.people.services import tags_ensure_defaults
    from shequ.portal import services as portal_services

    tags_ensure_defaults()
    tree = build_tree()
    worker = make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="e2e_dunhua")
    leader = make_user(Role.LEADER, [tree["sub"]], username="e2e_leader")
    resident_user = make_user(Role.RESIDENT, username="e2e_resident")
    health = build_health()
    hh = {"household_number": "H-DH-0001"}
    head = make_resident(worker, tree["dunhua"], name="王建国", relation="head",
                         id_number=valid_id_number(dt.date(1975, 5, 1)), **hh)
    father = make_resident(worker, tree["dunhua"], name="王老伯", relation="parent",
                           id_number=valid_id_number(dt.date(1945, 3, 2)), **hh)
    neighbour = make_resident(worker, tree["dunhua"], name="李阿婆",
                              id_number=valid_id_number(dt.date(1944, 1, 9), male=False))
    today = timezone.localdate()
    due = sign(worker, neighbour, health, start=today - dt.timedelta(days=335), conditions="高血压")
    sign(worker, head, health, start=today)
    account = portal_services.account_for(resident_user)
    account.resident, account.bound_at = head, timezone.now()
    account.save()
    services.coverage_refresh(actor=leader)
    return {"worker": worker, "father": father, "due": due, "resident": resident_user, "health": health}


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"health_{name}.png"), full_page=True)


def test_sign_list_as_due_and_renew(page, live_server, world):
    from shequ.health.models import Contract

    base = live_server.url
    login_as(page, base, world["worker"])

    # 签约: find the father by his ID number, the household is listed, sign him with one district and one city
    # hospital.
    page.goto(f"{base}/health/sign/")
    page.fill("input[name=id_number]", world["father"].id_number)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("同户成员", exact=True)).to_be_visible()
    page.check(f"input[name=members][value='{world['father'].pk}']")
    page.select_option("select[name=doctor]", str(world["health"]["gu"].pk))
    page.select_option("select[name=district_hospital]", str(world["health"]["district"].pk))
    page.select_option("select[name=city_hospital]", str(world["health"]["city"].pk))
    _shot(page, "01_sign_1366")
    page.click("#sign-submit")
    expect(page.get_by_text("已签约 1 人。")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("王老伯"))).to_be_visible()
    assert Contract.objects.get(resident=world["father"], status="active").doctor == world["health"]["gu"]

    # 待续约: the neighbour's contract ends in 29 days; renew it for two years.
    page.goto(f"{base}/health/due/")
    row = page.locator("#contract-table tbody tr").filter(has_text="李阿婆")
    expect(row).to_contain_text("待续约")
    expect(page.locator("#contract-table")).not_to_contain_text("王老伯")
    _shot(page, "02_due_1366")
    row.get_by_role("link", name="李阿婆").click()
    expect(page.get_by_text("已登记（加密保存）")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("高血压")
    page.select_option("select[name=renew-years]", "2")
    _shot(page, "03_detail_1366")
    page.get_by_role("button", name="续约", exact=True).click()
    expect(page.get_by_text(re.compile("已续约，新协议 QY"))).to_be_visible()
    old = Contract.objects.get(pk=world["due"].pk)
    assert old.status == "renewed" and old.successor.end_date == old.end_date.replace(year=old.end_date.year + 2)
    expect(page.locator("table").filter(has_text="签约历史").or_(page.locator("table")).first).to_contain_text(
        "已续约")
    _shot(page, "04_renewed_1366")
    page.goto(f"{base}/health/due/")
    expect(page.locator("#contract-table")).to_contain_text("没有60天内到期的签约")

    # Coverage with its chart (ECharts draws a canvas).
    page.goto(f"{base}/health/coverage/?group=60%2B")
    expect(page.locator("#coverage-chart canvas")).to_have_count(1)
    expect(page.locator("#coverage-chart")).to_have_attribute("data-loaded", "1")
    _shot(page, "05_coverage_1366")

    # The same pages on a phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/health/")
    _shot(page, "06_list_390")
    page.goto(f"{base}/health/contracts/{old.successor.pk}/")
    _shot(page, "07_detail_390")
    page.goto(f"{base}/health/coverage/")
    _shot(page, "08_coverage_390")


def test_the_resident_sees_his_households_doctor(browser, live_server, world):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    host = live_server.url.split("//", 1)[1]
    context.route("**/*", lambda route: route.continue_() if host in route.request.url else route.abort())
    page = context.new_page()
    from shequ.core.testing import PASSWORD

    page.goto(f"{live_server.url}/m/login/")
    page.fill("input[name=username]", world["resident"].username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("王建国"))).to_be_visible()
    _shot(page, "09_home_390")
    page.get_by_role("link", name=re.compile("家庭医生")).first.click()
    expect(page.get_by_role("heading", name="我和家人的家庭医生")).to_be_visible()
    expect(page.locator("body")).to_contain_text("沈丽华")
    expect(page.locator("body")).not_to_contain_text("李阿婆")
    _shot(page, "10_resident_390")
    context.close()
