"""Series, festivals and partner units in the browser: the 街道 leader creates the 延吉风韵月月展 series, the
learning festival and a partner unit, edits the series, and the page passes axe at 1366 and 390 px; the committee
worker sees the 街道's series without an edit button. Screenshots: var/screens/events_groups_*.png."""

import pytest
from playwright.sync_api import expect

from shequ.core.choices import Role
from shequ.core.testing import PASSWORD, build_tree, make_user

from .a11y import axe_check
from .conftest import login_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site():
    from shequ.people.services import tags_ensure_defaults

    tags_ensure_defaults()
    tree = build_tree()
    make_user(Role.LEADER, [tree["sub"]], username="wangjianguo")
    make_user(Role.COMMITTEE_WORKER, [tree["dunhua"]], username="liumeihua")
    return tree


def test_series_festival_and_partner_pages(page, live_server, site, shot):
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page(page, live_server, "wangjianguo", PASSWORD)
    page.goto(f"{live_server.url}/events/groups/")
    page.get_by_role("link", name="新建系列").click()
    page.get_by_label("系列名称").fill("延吉风韵月月展")
    page.get_by_label("主办辖区").select_option(label=site["sub"].name)
    page.get_by_label("简介").fill("每月一期，展出居民书画、摄影作品")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-table=series]")).to_contain_text("延吉风韵月月展")
    page.get_by_role("link", name="新建节庆").click()
    page.get_by_label("节庆名称").fill("2026年延吉新村街道学习节")
    page.get_by_label("主办辖区").select_option(label=site["sub"].name)
    page.get_by_label("开始日期").fill("2026-10-20")
    page.get_by_label("结束日期").fill("2026-10-10")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_contain_text("结束日期不能早于开始日期")
    shot("events_groups_festival_error_1366")
    page.get_by_label("结束日期").fill("2026-10-31")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-table=festivals]")).to_contain_text("2026年延吉新村街道学习节")
    page.get_by_role("link", name="新增共建单位").click()
    page.get_by_label("单位名称").fill("东部战区陆军军乐团")
    page.get_by_label("单位类型").fill("部队")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-table=partners]")).to_contain_text("东部战区陆军军乐团")
    page.get_by_role("link", name="修改延吉风韵月月展").click()
    page.get_by_label("系列名称").fill("延吉风韵·月月展")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-table=series]")).to_contain_text("延吉风韵·月月展")
    assert axe_check(page) == []
    shot("events_groups_1366")
    page.set_viewport_size(PHONE)
    page.reload()
    assert axe_check(page) == []
    shot("events_groups_390")


def test_a_committee_worker_sees_the_subdistricts_series_read_only(page, live_server, site, shot):
    from shequ.core.models import User
    from shequ.events import services

    services.series_create(actor=User.objects.get(username="wangjianguo"), name="延吉风韵月月展", node=site["sub"])
    page.set_viewport_size(PHONE)
    login_page(page, live_server, "liumeihua", PASSWORD)
    page.goto(f"{live_server.url}/events/groups/")
    expect(page.locator("[data-table=series]")).to_contain_text("延吉风韵月月展")
    expect(page.get_by_role("link", name="修改延吉风韵月月展")).to_have_count(0)
    expect(page.get_by_role("link", name="新增共建单位")).to_have_count(0)
    shot("events_groups_worker_390")
