"""The pages a civil servant works from, in the browser at 1366 and 390 px (issue 12): the system administrator's
系统配置 (edit a row, a refused value, the change history, an Excel import with a wrong row), each role's home
with its chart and the chart's data table, the back office's queue (search, filter, page), the intake form's item
picker, and the patrol's own case list on a phone. Screenshots go to var/screens/work_*.png."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import SCREENS, login_page
from .screen_text import screen_text_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Shequ#2026demo"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VISIBLE_TEXT = """() => { const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) { const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('[translate="no"], script, style, template, noscript')) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    out.push(node.textContent); }
  return out.join(" "); }"""


@pytest.fixture
def small_demo(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.SHEQU_REQUIRE_2FA = False
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        from tests.small_demo import seed_small_demo

        yield seed_small_demo(password=PASSWORD)


def _clean_text(page):
    problems = screen_text_problems(page.evaluate(VISIBLE_TEXT))
    assert not problems, (page.url, problems)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_system_configuration_edit_refuse_history_and_import(page, live_server, shot, small_demo):
    from shequ.core.models import Department

    url = live_server.url
    page.set_viewport_size(DESKTOP)
    login_page(page, live_server, "sysadmin", PASSWORD)
    page.goto(f"{url}/config/")
    expect(page.get_by_role("heading", name="系统配置")).to_be_visible()
    _clean_text(page)
    shot("work_01_config_index_1366")

    page.goto(f"{url}/config/departments/")
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
    page.fill("input[name=q]", "民政")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#config-rows tbody tr").first).to_contain_text("民政")
    _clean_text(page)
    _no_sideways_scroll(page)
    shot("work_02_config_list_1366")

    dept = Department.objects.get(code="MZ")
    page.goto(f"{url}/config/departments/{dept.pk}/")
    page.fill("input[name=phone]", "021-65011111")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    page.goto(f"{url}/config/departments/{dept.pk}/")
    page.fill("input[name=name]", "")
    page.fill("input[name=sort_order]", "-3")
    # The browser's own checks stop this first; the server's must say the same in Chinese.
    assert page.evaluate("document.querySelector('input[name=name]').validity.valueMissing")
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_text("这个字段是必填项。").or_(page.get_by_text("该字段是必填项。")).first).to_be_visible()
    expect(page.get_by_text("修改记录")).to_be_visible()
    expect(page.locator(".list-group-item", has_text="联系电话").first).to_be_visible()
    _clean_text(page)
    shot("work_03_config_edit_refused_history_1366")
    dept.refresh_from_db()
    assert dept.phone == "021-65011111" and dept.name

    page.set_viewport_size(PHONE)
    page.goto(f"{url}/config/departments/")
    _no_sideways_scroll(page)
    shot("work_04_config_list_390")
    page.goto(f"{url}/config/departments/{dept.pk}/")
    _no_sideways_scroll(page)
    shot("work_05_config_edit_390")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{url}/config/departments/import/")
    header = ["代码", "名称", "简称", "类型", "所属辖区（代码）", "联系电话", "启用", "排序"]
    node = dept.node.code
    page.set_input_files("input[name=file]", files=[{
        "name": "部门.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _xlsx([header, ["YSB", "营商办", "营商办", "街道科室", node, None, "是", 9],
                         ["XXB", "新部门", "新", "不知道", node, None, "也许", 1]])}])
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#import-errors")).to_contain_text("第3行")
    expect(page.locator("#import-errors")).to_contain_text("不是可选的值")
    _clean_text(page)
    shot("work_06_config_import_errors_1366")
    assert not Department.objects.filter(code__in=["YSB", "XXB"]).exists()
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    shot("work_07_config_import_errors_390")


def test_homes_and_the_back_office_queue(page, live_server, shot, small_demo, browser):
    url = live_server.url
    for who in ("leader", "supervisor", "shiftlead"):
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        p = context.new_page()
        host = url.split("//", 1)[1]
        context.route("**/*", lambda route: route.continue_() if host in route.request.url else route.abort())
        login_page(p, live_server, who, PASSWORD)
        p.goto(f"{url}/")
        chart = p.locator(".sq-home-chart").first
        expect(chart).to_be_visible()
        expect(chart.locator("canvas, svg").first).to_be_attached()
        p.locator("summary", has_text="查看数据").first.click()
        expect(p.locator("details[open] table tbody tr").first).to_be_visible()
        _clean_text(p)
        p.screenshot(path=str(SCREENS / f"work_10_home_{who}_1366.png"), full_page=True)
        p.set_viewport_size(PHONE)
        p.goto(f"{url}/")
        expect(p.locator(".sq-home-chart").first).to_be_visible()
        _no_sideways_scroll(p)
        p.screenshot(path=str(SCREENS / f"work_11_home_{who}_390.png"), full_page=True)
        context.close()

    # The back office's queue: a count, a search, a filter and pages.
    page.set_viewport_size(DESKTOP)
    login_page(page, live_server, "officer", PASSWORD)
    page.goto(f"{url}/acceptance/backoffice/?status=all")
    rows = page.locator("#backoffice-rows tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#backoffice-rows")).to_contain_text("共")
    _clean_text(page)
    shot("work_20_backoffice_1366")
    count = int(page.locator("#backoffice-rows [data-count]").inner_text())
    assert count > 0
    first_number = rows.first.locator("a.sq-mono").inner_text().strip()
    page.fill("input[name=q]", first_number)
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(first_number)
    shot("work_21_backoffice_search_1366")
    page.goto(f"{url}/acceptance/backoffice/?status=all&light=red")
    expect(page.locator("#backoffice-rows")).to_be_visible()
    _clean_text(page)
    if count > 25:  # the queue pages: the next page shows other cases and its number
        page.goto(f"{url}/acceptance/backoffice/?status=all")
        page.locator("#backoffice-rows .pagination a", has_text="下一页").first.click()
        expect(page.locator("#backoffice-rows")).to_contain_text("第 2/")
        shot("work_23_backoffice_page2_1366")
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/acceptance/backoffice/?status=all")
    _no_sideways_scroll(page)
    shot("work_22_backoffice_390")


def test_intake_item_picker_and_the_patrols_cards(page, live_server, shot, small_demo):
    url = live_server.url
    # The intake form's item picker: by pinyin initials and by code.
    page.set_viewport_size(DESKTOP)
    login_page(page, live_server, "clerk", PASSWORD)
    page.goto(f"{url}/acceptance/cases/new/")
    select = page.locator("select[name=item]")
    total = select.locator("option:not([hidden])").count()
    page.fill("#item-filter", "db")
    expect(page.locator("#item-filter-count")).not_to_be_empty()
    visible = select.locator("option:not([hidden]):not([value=''])")
    assert 0 < visible.count() < total
    _clean_text(page)
    shot("work_30_intake_picker_1366")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    shot("work_31_intake_picker_390")
    page.context.clear_cookies()

    # The patrol's own list on a phone: cards, mine / my grids / today first.
    page.set_viewport_size(PHONE)
    login_page(page, live_server, "patrol", PASSWORD)
    page.goto(f"{url}/grid/cases/")
    expect(page.get_by_role("navigation", name="范围")).to_be_visible()
    current = page.locator("nav[aria-label='范围'] [aria-current='true']")
    expect(current).to_have_count(1)
    _no_sideways_scroll(page)
    _clean_text(page)
    shot("work_40_patrol_cards_390")
    for link in page.locator("nav[aria-label='范围'] a").all()[:3]:
        link.click()
        page.wait_for_load_state("networkidle")
        _no_sideways_scroll(page)
    shot("work_41_patrol_cards_other_scope_390")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{url}/grid/cases/")
    shot("work_42_patrol_list_1366")
