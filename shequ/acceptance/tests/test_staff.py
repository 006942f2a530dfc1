"""Rota, skills, figures, the assessment sheet, the dashboard, navigation and home-page counters."""

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from shequ.acceptance import selectors, services
from shequ.acceptance.models import RotaSlot
from shequ.core.errors import ConflictError, DomainError
from shequ.core.hooks import nav_for, pending_for
from shequ.core.permissions import check_separation

from .conftest import at, intake

pytestmark = pytest.mark.django_db


def test_it_sets_the_rota_and_refuses_a_clerk_at_two_windows(centre):
    day = dt.date(2026, 11, 30)
    services.rota_set(actor=centre["supervisor"], window=centre["w1"], date=day, half="am", clerk=centre["clerk"])
    with pytest.raises(ConflictError):
        services.rota_set(actor=centre["supervisor"], window=centre["w2"], date=day, half="am", clerk=centre["clerk"])
    with pytest.raises(DomainError):  # not a window clerk
        services.rota_set(actor=centre["supervisor"], window=centre["w2"], date=day, half="am", clerk=centre["officer"])
    with pytest.raises(DomainError):  # another centre's clerk
        services.rota_set(actor=centre["supervisor"], window=centre["w2"], date=day, half="am",
                          clerk=centre["other_clerk"])
    with pytest.raises(DomainError):
        services.rota_set(actor=centre["supervisor"], window=centre["w2"], date=day, half="noon",
                          clerk=centre["clerk2"])
    services.rota_set(actor=centre["supervisor"], window=centre["w1"], date=day, half="am", clerk=None)
    assert not RotaSlot.objects.exists()


def test_it_copies_last_weeks_rota(centre):
    services.rota_set(actor=centre["supervisor"], window=centre["w1"], date=dt.date(2026, 11, 23), half="pm",
                      clerk=centre["clerk"])
    created = services.rota_copy_week(actor=centre["supervisor"], node=centre["sub"],
                                      source_monday=dt.date(2026, 11, 23), target_monday=dt.date(2026, 11, 30))
    assert created == 1 and RotaSlot.objects.filter(date=dt.date(2026, 11, 30), half="pm").exists()


def test_it_edits_the_rota_cell_by_cell(centre, client_as):
    client = client_as(centre["supervisor"])
    response = client.post("/acceptance/rota/set/", {"window": centre["w1"].pk, "date": "2026-11-30", "half": "am",
                                                     "clerk": centre["clerk"].pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<td" in response.content.decode()[:80]
    clash = client.post("/acceptance/rota/set/", {"window": centre["w2"].pk, "date": "2026-11-30", "half": "am",
                                                  "clerk": centre["clerk"].pk}, HTTP_HX_REQUEST="true")
    assert "同一时段只能坐一个窗口" in clash.content.decode() or "已安排在" in clash.content.decode()
    assert client.post("/acceptance/rota/set/", {"window": "x", "date": "bad"}).status_code == 404
    assert client_as(centre["clerk"]).post("/acceptance/rota/set/", {}).status_code == 403
    page = client_as(centre["clerk"]).get("/acceptance/rota/?week=2026-11-30").content.decode()
    assert centre["clerk"].display_name in page


def test_it_sets_skills(centre):
    services.skills_set(actor=centre["supervisor"], node=centre["sub"], user=centre["clerk"],
                        levels={centre["A"]: "expert", centre["B"]: ""})
    assert list(centre["clerk"].acceptance_skills.values_list("category__letter", "level")) == [("A", "expert")]
    with pytest.raises(DomainError):
        services.skills_set(actor=centre["supervisor"], node=centre["sub"], user=centre["clerk"],
                            levels={centre["A"]: "guru"})


def day_of_work(centre):
    """Two served tickets at window 1 with known times, one no-show, three cases and two reviews."""
    clerk, w1 = centre["clerk"], centre["w1"]
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        for _ in range(3):
            services.ticket_issue(node=centre["sub"], category="A", actor=clerk)
        traveller.shift(dt.timedelta(minutes=10))
        services.window_call_next(actor=clerk, window=w1)  # waited 10
        services.window_start(actor=clerk, window=w1)
        traveller.shift(dt.timedelta(minutes=4))
        first = services.window_finish(actor=clerk, window=w1)
        services.window_call_next(actor=clerk, window=w1)  # waited 14
        services.window_start(actor=clerk, window=w1)
        case = intake(centre, ticket=first.pk)
        traveller.shift(dt.timedelta(minutes=8))
        second = services.window_finish(actor=clerk, window=w1)
        services.window_call_next(actor=clerk, window=w1)  # waited 22
        services.window_no_show(actor=clerk, window=w1)
        instant = intake(centre, item=centre["instant"])
        services.case_complete(actor=clerk, case=instant)
        intake(centre, decision="notify", provided=[])
        services.review_submit(score=5, channel="window", ticket=first)
        services.review_submit(score=2, channel="window", ticket=second, tags=["等候时间长"])
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        late = services.case_approve(actor=centre["officer"], case=case)
        services.case_complete(actor=centre["officer"], case=late)
    return case


def test_it_computes_figures_per_clerk(centre):
    from shequ.targets.services import clerk_sheet_ensure

    clerk_sheet_ensure()
    day_of_work(centre)
    rows = selectors.figures(user=centre["supervisor"], by="clerk", date_from=dt.date(2026, 11, 1),
                             date_to=dt.date(2026, 12, 31))
    row = next(r for r in rows if r.key == centre["clerk"])
    assert (row.served, row.no_shows) == (2, 1)
    assert row.avg_wait == round((10 + 14 + 22) / 3, 1) and row.avg_handle == 6.0
    assert (row.received, row.accepted, row.notices) == (3, 2, 1)
    assert (row.completed, row.on_time) == (2, 1)  # the 承诺件 was due 11-30 and finished 12-02
    assert row.completion_rate == 100.0 and row.on_time_rate == 50.0
    assert (row.reviews, row.good, row.poor, row.good_rate) == (2, 1, 1, 50.0)
    assert row.score == 98
    windows = selectors.figures(user=centre["supervisor"], by="window", date_from=dt.date(2026, 11, 1),
                                date_to=dt.date(2026, 12, 31))
    assert windows[0].key == centre["w1"] and windows[0].served == 2
    departments = selectors.figures(user=centre["supervisor"], by="department", date_from=dt.date(2026, 11, 1),
                                    date_to=dt.date(2026, 12, 31))
    assert departments[0].label == "民政" and departments[0].accepted == 2


def test_it_exports_the_monthly_assessment_sheet(centre, client_as):
    day_of_work(centre)
    response = client_as(centre["supervisor"]).get("/acceptance/figures/assessment/?month=2026-11")
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["窗口人员月度考核"]
    assert "2026年11月" in sheet["A1"].value
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert centre["clerk"].display_name in names
    row = 3 + names.index(centre["clerk"].display_name)
    assert sheet.cell(row=row, column=4).value == 2 and sheet.cell(row=row, column=21).value == f"=S{row}+T{row}"
    assert {"窗口", "审批部门", "评分规则"} <= set(wb.sheetnames)
    bad = client_as(centre["supervisor"]).get("/acceptance/figures/assessment/?month=nonsense", follow=True)
    assert bad.redirect_chain[-1][0] == "/acceptance/figures/"  # refused with a message, not another month's sheet
    assert "月份“nonsense”无效" in bad.content.decode()
    assert client_as(centre["clerk"]).get("/acceptance/figures/assessment/").status_code == 403


def test_it_shows_figures_and_the_dashboard(centre, client_as, personas):
    day_of_work(centre)
    page = client_as(personas["leader"]).get("/acceptance/figures/?date_from=2026-11-01&date_to=2026-12-31")
    assert page.status_code == 200 and centre["clerk"].display_name in page.content.decode()
    bad = client_as(personas["leader"]).get("/acceptance/figures/?date_from=2026-12-31&date_to=2026-11-01")
    assert bad.status_code == 200 and "起始日期不能晚于截止日期" in bad.content.decode()
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        client = client_as(centre["supervisor"])
        dash = client.get("/acceptance/dashboard/").content.decode()
        assert "今日取号" in dash and "hourly-data" in dash and "echarts.min.js" in dash
        live = client.get("/acceptance/dashboard/", HTTP_HX_REQUEST="true").content.decode()
        assert 'id="dashboard-live"' in live and "<html" not in live
        figures = selectors.today_figures(node=centre["sub"])
        assert figures["issued"] == 3 and figures["served"] == 2 and figures["no_show"] == 1
    assert client_as(centre["clerk"]).get("/acceptance/dashboard/").status_code == 403


def test_it_warns_on_the_dashboard_when_next_year_has_no_calendar(centre, client_as):
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        dash = client_as(centre["supervisor"]).get("/acceptance/dashboard/").content.decode()
    assert "下一年度工作日历尚未确认" in dash and "2027年" in dash


def test_it_registers_nav_and_counters_per_role(centre, personas):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        intake(centre)
    with time_machine.travel(at(2026, 11, 24), tick=False):
        services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
        counters = {str(c.label): n for c, n in pending_for(centre["clerk"])}
        assert counters["今日等候人数"] == 1 and counters["超期办件"] == 1
        officer = {str(c.label): n for c, n in pending_for(centre["officer"])}
        assert officer["部门待审办件"] == 1 and "今日等候人数" not in officer
        assert {str(c.label): n for c, n in pending_for(centre["officer_other"])}["部门待审办件"] == 0
    labels = lambda u: {str(i.label) for _s, items in nav_for(u) for i in items}  # noqa: E731
    assert {"叫号窗口", "新建受理", "办件查询"} <= labels(centre["clerk"])
    assert "大厅看板" not in labels(centre["clerk"])
    assert {"部门审核", "好差评与整改"} <= labels(centre["officer"]) and "新建受理" not in labels(centre["officer"])
    assert {"大厅看板", "考核统计"} <= labels(personas["leader"]) and "叫号窗口" not in labels(personas["leader"])
    assert {"大厅设备", "窗口与技能"} <= labels(centre["supervisor"])
    assert "民生档案查询日志" in labels(personas["auditor"]) and "叫号窗口" not in labels(personas["auditor"])
    assert not labels(personas["dunhua"]) & {"叫号窗口", "办件查询"}


def test_it_keeps_the_separation_of_the_three_administrators():
    assert check_separation() == []


def test_it_edits_ticket_categories(centre, client_as):
    client = client_as(centre["supervisor"])
    assert client.post("/acceptance/catalogue/categories/", {"letter": "a", "name": "重复", "default_service_minutes": 5,
                                                              "sort_order": 0}).status_code == 200
    response = client.post("/acceptance/catalogue/categories/", {"letter": "d", "name": "民生档案",
                                                                  "default_service_minutes": 12, "sort_order": 3,
                                                                  "is_active": "on"})
    assert response.status_code == 302
    from shequ.acceptance.models import QueueCategory

    assert QueueCategory.objects.get(letter="D").name == "民生档案"
    assert client_as(centre["clerk"]).get("/acceptance/catalogue/categories/").status_code == 403


def test_it_closes_the_day(centre):
    from django.core.management import call_command

    from shequ.acceptance.models import Ticket

    with time_machine.travel(at(2026, 11, 23, 15), tick=False):
        services.ticket_issue(node=centre["sub"], category="A", actor=centre["clerk"])
    with time_machine.travel(at(2026, 11, 24, 7), tick=False):
        out = io.StringIO()
        call_command("acceptance_close_day", stdout=out)
    assert "已失效排队号 1 个" in out.getvalue() and Ticket.objects.get().status == "expired"
