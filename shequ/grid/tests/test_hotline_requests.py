"""12345 rules decided outside the 街道 desk: 退单/延期 as requests to the district hotline office (区12345热线办),
internal sub-dispatch (内部交办) with its own due date, and the monthly figures with their ranking."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError, Forbidden, NotFound
from shequ.core.models import Department
from shequ.core.testing import make_user
from shequ.grid import selectors, services
from shequ.grid.choices import HotlineStatus as H
from shequ.grid.models import HotlineRequest, HotlineTask, ProcessLimit
from shequ.grid.tests.conftest import DUNHUA, KONGJIANG
from shequ.grid.workflows import HOTLINE_TASK

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _order(env, no="SH-1", point=DUNHUA, **data):
    payload = {"order_no": no, "hotline_type": "投诉", "title": "占道经营", "content": "小区门口有摊贩占道经营",
               "address": "敦化路1号", "lat": point[0], "lng": point[1], **data}
    return services.hotline_receive(actor=env["operator"], data=payload, subdistrict=env["node_sub"])


def _signed(env, no="SH-1", **data):
    return services.hotline_sign(actor=env["operator"], order=_order(env, no, **data))


@pytest.fixture
def office(env):
    return env["hotline_office"]


# --- 退单 --------------------------------------------------------------------------------------------------------

def test_it_makes_a_return_a_request_that_the_hotline_office_approves(env, office):
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="territory", note="位于殷行街道")
    assert order.status == H.RETURN_PENDING
    request = HotlineRequest.objects.get(order=order)
    assert (request.kind, request.status, request.reason_label) == ("return", "pending", "属地不符")
    with pytest.raises(Forbidden):  # the 街道 cannot decide its own request
        services.hotline_approve_return(actor=env["operator"], order=order)
    with pytest.raises(ConflictError):  # nor handle the order while it waits
        services.hotline_sign(actor=env["operator"], order=order)
    order = services.hotline_approve_return(actor=office, order=order, note="同意退单")
    request.refresh_from_db()
    assert order.status == H.RETURNED and order.return_reason == "属地不符：位于殷行街道"
    assert (request.status, request.decided_by, request.imported) == ("approved", office, False)
    assert [e.action for e in order.events.all()] == ["receive", "return", "approve_return"]


def test_a_rejected_return_sends_the_order_back_to_the_subdistrict(env, office, clock):
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="ownership")
    with pytest.raises(DomainError) as refused:  # a rejection says why
        services.hotline_reject_return(actor=office, order=order, note="")
    assert "note" in refused.value.errors
    clock.shift(dt.timedelta(hours=2))
    order = services.hotline_reject_return(actor=office, order=order, note="经核属本街道管辖")
    assert order.status == H.SIGNED and order.signed_at and order.reply_due  # 办理中 at the 街道, with its limit
    assert order.events.last().note.startswith("驳回退单申请")
    with pytest.raises(ConflictError):  # not asked again once refused
        services.hotline_return(actor=env["operator"], order=order, reason="overlap")
    # Back at the 街道 it is handled like any signed order.
    services.hotline_contact(actor=env["operator"], order=order, method="phone")
    assert services.hotline_reply(actor=env["operator"], order=order, text="已协调处理完毕",
                                  resolution="solved").status == H.REPLIED


def test_it_takes_a_return_only_within_the_window_and_with_a_reason_of_the_list(env, clock):
    with pytest.raises(DomainError) as refused:
        services.hotline_return(actor=env["operator"], order=_order(env, "SH-2"), reason="不想办")
    assert "reason" in refused.value.errors
    late = _order(env, "SH-3")
    clock.shift(dt.timedelta(days=1, hours=9))  # Wednesday 18:00: past the end of the next working day
    with pytest.raises(ConflictError) as refused:
        services.hotline_return(actor=env["operator"], order=late, reason="territory")
    assert "申请时限" in refused.value.message
    ProcessLimit.objects.filter(step="hotline_return_window").update(days=3)  # configurable
    assert services.hotline_return(actor=env["operator"], order=late, reason="属地不符").status == H.RETURN_PENDING


def test_the_desk_records_a_decision_taken_on_the_platform(env):
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="overlap")
    with pytest.raises(DomainError):
        services.hotline_record_decision(actor=env["operator"], order=order, decision="maybe", note="平台意见")
    order = services.hotline_record_decision(actor=env["operator"], order=order, decision="rejected",
                                             note="平台驳回：属本街道职责")
    request = order.requests.get()
    assert order.status == H.SIGNED and request.imported and request.decided_by is None
    assert request.decided_by_name == "区12345热线办（平台）"
    with pytest.raises(ConflictError):  # nothing left to record
        services.hotline_record_decision(actor=env["operator"], order=order, decision="approved", note="再次")


# --- 延期 --------------------------------------------------------------------------------------------------------

def test_an_extension_moves_the_limit_only_once_approved(env, office):
    order = _signed(env)
    due = order.reply_due
    with pytest.raises(DomainError) as refused:
        services.hotline_extend(actor=env["operator"], order=order, days=3, reason="")
    assert "reason" in refused.value.errors
    order = services.hotline_extend(actor=env["operator"], order=order, days=3, reason="works", note="需破路施工")
    assert order.reply_due == due and order.extension_days == 0
    with pytest.raises(ConflictError):  # one request at a time
        services.hotline_extend(actor=env["operator"], order=order, days=2, reason="works")
    with pytest.raises(ConflictError):  # nor a 退单 while it waits
        services.hotline_return(actor=env["operator"], order=order, reason="territory")
    order = services.hotline_reject_extend(actor=office, order=order, note="5个工作日内可办结")
    assert order.reply_due == due
    order = services.hotline_extend(actor=env["operator"], order=order, days=3, reason="coordination")
    order = services.hotline_approve_extend(actor=office, order=order)
    assert order.reply_due == dt.datetime(2026, 3, 20, 17, 0, tzinfo=SH) and order.extension_days == 3
    with pytest.raises(DomainError):  # 15 working days at most in all
        services.hotline_extend(actor=env["operator"], order=order, days=13, reason="coordination")


def test_an_extension_is_asked_within_its_window(env, clock):
    order = _signed(env)
    clock.shift(dt.timedelta(days=6))  # Monday 16 March: more than 3 working days after receipt
    with pytest.raises(ConflictError):
        services.hotline_extend(actor=env["operator"], order=order, days=2, reason="works")


# --- the same rules through the page and the API -------------------------------------------------------------------

def test_the_office_decides_on_the_page_and_the_desk_does_not(env, office, client_as):
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="territory")
    url = reverse("grid:hotline-detail", args=[order.pk])
    desk = client_as(env["operator"]).get(url).content.decode()
    assert 'id="h-approve_return"' not in desk and 'id="h-record_decision"' in desk and "退单审核中" in desk
    page = client_as(office).get(url).content.decode()
    assert 'id="h-approve_return"' in page and 'id="h-reject_return"' in page and 'id="h-sign"' not in page
    queue = client_as(office).get(reverse("grid:hotline-requests")).content.decode()
    assert order.order_no in queue and "属地不符" in queue
    assert client_as(env["operator"]).get(reverse("grid:hotline-requests")).status_code == 403
    forbidden = client_as(env["operator"]).post(reverse("grid:hotline-act", args=[order.pk, "approve_return"]))
    assert forbidden.status_code == 403
    client_as(office).post(reverse("grid:hotline-act", args=[order.pk, "reject_return"]), {"note": "属本街道"})
    order.refresh_from_db()
    assert order.status == H.SIGNED
    assert order.order_no not in client_as(office).get(reverse("grid:hotline-requests")).content.decode()


def test_the_api_offers_and_refuses_the_same_decisions(env, office, api_as):
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="territory")
    names = [a["name"] for a in api_as(office).get(f"/api/v1/grid/hotline/{order.pk}/actions/").json()]
    assert names == ["approve_return", "reject_return"]
    assert api_as(env["operator"]).post(f"/api/v1/grid/hotline/{order.pk}/approve-return/", {},
                                        format="json").status_code == 403
    assert api_as(env["dunhua"]).post(f"/api/v1/grid/hotline/{order.pk}/approve-return/", {},
                                      format="json").status_code == 403
    empty = api_as(office).post(f"/api/v1/grid/hotline/{order.pk}/reject-return/", {}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["errors"]
    done = api_as(office).post(f"/api/v1/grid/hotline/{order.pk}/reject-return/", {"note": "属本街道"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == H.SIGNED
    assert done.json()["requests"][0]["status"] == "rejected"


def test_an_office_of_another_district_does_not_see_the_order(env, tree, api_as):
    other = make_user(Role.HOTLINE_OFFICE, [tree["other_sub"]], username="office_yx")
    order = services.hotline_return(actor=env["operator"], order=_order(env), reason="territory")
    with pytest.raises(NotFound):
        services.hotline_approve_return(actor=other, order=order)
    assert api_as(other).post(f"/api/v1/grid/hotline/{order.pk}/approve-return/", {},
                              format="json").status_code == 404


# --- 内部交办 -----------------------------------------------------------------------------------------------------

@pytest.fixture
def office_unit(env):
    """A 科室 of the 街道 with its officer."""
    dept = Department.objects.create(code="GLB", name="延吉新村街道社区管理办公室", short_name="管理办",
                                     kind="office", node=env["node_sub"])
    return dept, make_user(Role.DEPT_OFFICER, [env["node_sub"]], dept, username="glb")


def test_it_hands_work_to_a_committee_with_a_due_date_not_after_the_orders(env, client_as):
    order = _signed(env)  # reply due Tuesday 17 March
    for due, field in (("2026-03-18", "due"), ("2026-03-09", "due")):
        with pytest.raises(DomainError) as refused:
            services.hotline_assign(actor=env["operator"], order=order, assignee="committee:310110015001", due=due,
                                    instruction="请上门核实")
        assert field in refused.value.errors
    with pytest.raises(DomainError) as refused:  # another 街道's committee
        services.hotline_assign(actor=env["operator"], order=order, assignee="committee:310110016001",
                                due="2026-03-12", instruction="请上门核实")
    assert "assignee" in refused.value.errors
    with pytest.raises(Forbidden):
        services.hotline_assign(actor=env["dunhua"], order=order, assignee="committee:310110015001",
                                due="2026-03-12", instruction="请上门核实")
    services.hotline_assign(actor=env["operator"], order=order, assignee="committee:310110015001", due="2026-03-12",
                            instruction="请居委会上门劝离摊贩")
    task = HotlineTask.objects.get(order=order)
    assert task.due == dt.datetime(2026, 3, 12, 17, 0, tzinfo=SH) and task.committee == env["node_dunhua"]
    page = client_as(env["dunhua"]).get(reverse("grid:hotline-tasks")).content.decode()
    assert "请居委会上门劝离摊贩" in page and f'id="ht-finish-{task.pk}"' in page
    assert "请居委会上门劝离摊贩" not in client_as(env["kongjiang"]).get(reverse("grid:hotline-tasks")).content.decode()
    # The assignee sees the task, not the order (the reply stays with the desk).
    assert client_as(env["dunhua"]).get(reverse("grid:hotline-detail", args=[order.pk])).status_code == 403


def test_the_assignee_reports_back_and_the_desk_drafts_the_reply_from_it(env, client_as, office_unit):
    dept, officer = office_unit
    order = _signed(env)
    services.hotline_assign(actor=env["operator"], order=order, assignee="dept:GLB", due="2026-03-13",
                            instruction="请管理办联系物业清理")
    services.hotline_contact(actor=env["operator"], order=order, method="phone")
    task = HotlineTask.objects.get(order=order)
    finish = reverse("grid:hotline-task-finish", args=[task.pk])
    assert client_as(env["kongjiang"]).post(finish, {"note": "已处理"}).status_code == 404  # not theirs, not seen
    assert client_as(env["operator"]).post(finish, {"note": "已处理"}).status_code == 403  # the desk lacks the role
    client_as(officer).post(finish, {"note": "短"})
    task.refresh_from_db()
    assert task.status == "open"  # too short: refused, nothing saved
    client_as(officer).post(finish, {"note": "已联系物业，摊贩已劝离"})
    task.refresh_from_db()
    assert task.status == "done" and task.on_time and task.done_by == officer
    page = client_as(env["operator"]).get(reverse("grid:hotline-detail", args=[order.pk])).content.decode()
    assert "经延吉新村街道社区管理办公室办理：已联系物业，摊贩已劝离。</textarea>" in page
    with pytest.raises(ConflictError):
        services.hotline_task_finish(actor=officer, task=task, note="再次反馈内容")


def test_the_desk_withdraws_a_task_and_the_api_lists_the_assignees_tasks(env, api_as, client_as, office_unit):
    dept, officer = office_unit
    order = _signed(env)
    services.hotline_assign(actor=env["operator"], order=order, assignee="dept:GLB", due="2026-03-13",
                            instruction="请管理办联系物业清理")
    task = HotlineTask.objects.get(order=order)
    listed = api_as(officer).get("/api/v1/grid/hotline-tasks/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [task.pk] and rows[0]["order"] == order.order_no
    assert api_as(env["dunhua"]).get(f"/api/v1/grid/hotline-tasks/{task.pk}/").status_code == 404
    assert api_as(env["operator"]).get("/api/v1/grid/hotline-tasks/").status_code == 403
    bad = api_as(officer).post(f"/api/v1/grid/hotline-tasks/{task.pk}/finish/", {}, format="json")
    assert bad.status_code == 400 and "note" in bad.json()["errors"]
    client_as(env["operator"]).post(reverse("grid:hotline-task-cancel", args=[task.pk]), {"note": "改由城管处理"})
    task.refresh_from_db()
    assert task.status == "cancelled"
    assert api_as(officer).post(f"/api/v1/grid/hotline-tasks/{task.pk}/finish/", {"note": "已处理完毕"},
                                format="json").status_code == 409


@pytest.mark.parametrize("status", ["open", "done", "cancelled"])
def test_it_offers_a_task_action_exactly_when_its_service_accepts_it(env, office_unit, status):
    dept, officer = office_unit
    order = _signed(env)
    services.hotline_assign(actor=env["operator"], order=order, assignee="committee:310110015001", due="2026-03-13",
                            instruction="请上门核实")
    task = HotlineTask.objects.get(order=order)
    HotlineTask.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()
    mismatches, accepted = [], 0
    for persona in ("operator", "dunhua", "kongjiang", "leader", "hotline_office", "cgzf"):
        user = env[persona]
        offered = {a.name for a in HOTLINE_TASK.available(user, task)}
        for name in HOTLINE_TASK.names:
            try:
                with transaction.atomic():
                    HOTLINE_TASK.perform(user, task, name, note="已上门核实处理")
                    raise _Undo
            except _Undo:
                ok = True
            except DomainError:
                ok = False
            accepted += ok
            if ok != (name in offered):
                mismatches.append((persona, name, ok))
    assert mismatches == []
    assert accepted == (2 if status == "open" else 0)  # the committee finishes, the desk cancels


class _Undo(Exception):
    pass


# --- monthly figures -----------------------------------------------------------------------------------------------

def _month_of_orders(env, clock):
    """Three orders in 敦化路 (one answered on time and solved, satisfied; one returned; one late) and one in 控江路
    (answered on time, partly solved, unsatisfied and reopened)."""
    a = _signed(env, "F1")
    services.hotline_contact(actor=env["operator"], order=a, method="phone")
    services.hotline_reply(actor=env["operator"], order=a, text="已劝离摊贩", resolution="solved")
    services.hotline_visit(actor=env["operator"], order=a, satisfaction="satisfied")
    b = services.hotline_return(actor=env["operator"], order=_order(env, "F2"), reason="territory")
    services.hotline_approve_return(actor=env["hotline_office"], order=b)
    k = _signed(env, "F4", point=KONGJIANG, address="控江路645弄1号")
    services.hotline_contact(actor=env["operator"], order=k, method="phone")
    services.hotline_reply(actor=env["operator"], order=k, text="部分整改完成", resolution="partly")
    services.hotline_visit(actor=env["operator"], order=k, satisfaction="unsatisfied")
    c = _signed(env, "F3")
    clock.shift(dt.timedelta(days=10))  # past its reply limit, still unanswered
    return a, b, c, k


def test_it_computes_the_seven_rates_by_committee_with_a_ranking(env, clock):
    _month_of_orders(env, clock)
    figures = selectors.hotline_figures(user=env["operator"], month=dt.date(2026, 3, 1), rank_by="satisfaction")
    total = figures["total"]
    assert total["due"] == 4
    assert total["rates"] == {"sign": 75.0, "contact": 50.0, "reply": pytest.approx(66.7), "solve": 50.0,
                              "satisfaction": 50.0, "return": 25.0, "reopen": 50.0}
    rows = {r["name"]: r for r in figures["committees"]}
    assert rows["敦化路居委会"]["rates"]["satisfaction"] == 100.0 and rows["敦化路居委会"]["rank"] == 1
    assert rows["控江路645弄居委会"]["rates"]["satisfaction"] == 0.0 and rows["控江路645弄居委会"]["rank"] == 2
    # A month without orders has no rates at all (无数据), never 0 %.
    empty = selectors.hotline_figures(user=env["operator"], month=dt.date(2026, 2, 1))
    assert empty["total"]["rates"]["reply"] is None and empty["committees"] == []
    # Ranked on 退单率, lower is better: 控江路 (none returned) comes first.
    by_return = selectors.hotline_figures(user=env["operator"], month=dt.date(2026, 3, 1), rank_by="return")
    assert [r["name"] for r in by_return["committees"]] == ["控江路645弄居委会", "敦化路居委会"]


def test_the_figures_page_states_each_formula_and_exports_the_same(env, clock, client_as, api_as):
    _month_of_orders(env, clock)
    client = client_as(env["leader"])
    page = client.get(reverse("grid:hotline-figures"), {"month": "2026-03", "rank": "satisfaction"})
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("按时签收率", "先行联系率", "按时答复率", "实际解决率", "满意率", "退单率", "重办率"):
        assert label in text
    assert "答复为“实际解决”的工单 ÷ 已答复工单（不含“不具备解决条件”）" in text and 'id="rank-units"' in text
    assert "城运中心直接办理" in text or "城管执法中队" in text
    export = client.get(reverse("grid:hotline-figures-export"), {"month": "2026-03", "rank": "satisfaction"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["2026年3月 12345工单考核"] in cells
    assert [1, "敦化路居委会", 3, "66.7%", "33.3%", "50.0%", "100.0%", "100.0%", "33.3%", "0.0%"] in cells
    api = api_as(env["leader"]).get("/api/v1/grid/hotline-figures/", {"month": "2026-03"}).json()
    assert api["total"]["rates"]["return"] == 25.0 and "formula" in api["formulas"]["reply"]
    # A bad month is refused, never replaced by this month.
    bad = client.get(reverse("grid:hotline-figures"), {"month": "2026-13"}).content.decode()
    assert "月份无效" in bad and 'id="rank-committees"' not in bad
    assert client.get(reverse("grid:hotline-figures-export"), {"month": "x"}).status_code == 400
    assert api_as(env["leader"]).get("/api/v1/grid/hotline-figures/", {"rank": "fastest"}).status_code == 400
    assert client_as(env["dunhua"]).get(reverse("grid:hotline-figures")).status_code == 403


def test_the_demo_has_decided_requests_and_reported_tasks(clock):
    from tests.small_demo import seed_small_demo

    from shequ.core.models import User

    seed_small_demo()
    office = User.objects.get(username="hotline_office")
    assert office.role == Role.HOTLINE_OFFICE and office.nodes.get().kind == "district"
    assert HotlineRequest.objects.filter(kind="return", decided_by=office).exists()
    assert HotlineRequest.objects.filter(kind="extend").exists()
    assert HotlineTask.objects.filter(status="done").exists()
