"""The 大联动 rules as practised (issue 11): two-level extensions, parking requested by the unit and approved by the
城运中心 leader, the category's rework limit, departments routed as in practice and the 110 hand-over list.
Reference: shared/reference/grid.md §2 "Exception paths" (延期/回退/挂账审批), §8 "非警务类110分流"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from shequ.core.errors import ConflictError, DomainError
from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.choices import ExtensionStatus
from shequ.grid.models import Category, PoliceItem
from shequ.grid.taxonomy import ensure_taxonomy
from shequ.grid.tests.conftest import SH, act, report
from shequ.grid.workflows import CASE

pytestmark = pytest.mark.django_db


def _signed(env, category="E0102"):
    """A case of `category` dispatched to 城管 and signed (deadline 4 working hours later for 暴露垃圾)."""
    case = act(env, report(env, category=category), A.FILE, "shiftlead")
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    return act(env, case, A.SIGN, "cgzf")


def _names(env, user, case):
    case.refresh_from_db()
    return {a.name for a in CASE.available(env[user], case)}


# --- two-level extensions ---------------------------------------------------------------------------------------

def test_it_lets_the_shift_leader_approve_a_first_extension_within_the_allowance(env):
    case = _signed(env)
    deadline = case.deadline
    case = act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=8, note="需协调产权单位")
    request = case.extensions.get()
    assert (request.level, request.level_reasons) == (1, "")
    case = act(env, case, A.APPROVE_EXTENSION, "shiftlead", note="同意")
    assert case.extension_count == 1 and case.deadline > deadline


def test_it_sends_a_second_extension_to_the_centre_leader_and_refuses_the_shift_leader(env):
    case = _signed(env)
    case = act(env, act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="第一次"), A.APPROVE_EXTENSION,
               "shiftlead")
    case = act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="材料未到")
    request = case.extensions.get(status=ExtensionStatus.PENDING)
    assert request.level == 2 and "第二次" in request.level_reasons
    assert A.APPROVE_EXTENSION not in _names(env, "shiftlead", case)
    with pytest.raises(services.ActionForbidden) as exc:
        act(env, case, A.APPROVE_EXTENSION, "shiftlead")
    assert exc.value.status_code == 403 and "城运中心领导" in exc.value.message
    with pytest.raises(services.ActionForbidden):  # nor may the 值班长 reject it
        act(env, case, A.REJECT_EXTENSION, "shiftlead", note="不同意")
    assert A.APPROVE_EXTENSION in _names(env, "leader", case)
    case = act(env, case, A.APPROVE_EXTENSION, "leader", note="同意第二次延期")
    assert case.extension_count == 2
    assert case.extensions.get(pk=request.pk).decided_by == env["leader"]


def test_it_sends_more_hours_than_the_allowance_to_the_centre_leader(env):
    case = act(env, _signed(env), A.REQUEST_EXTENSION, "cgzf", hours=16, note="需要较长时间")
    request = case.extensions.get()
    assert request.level == 2 and "超过8工作时" in request.level_reasons
    Category.objects.filter(code="E0102").update(extension_allowance_hours=Decimal("24"))
    other = act(env, _signed(env), A.REQUEST_EXTENSION, "cgzf", hours=16, note="需要较长时间")
    assert other.extensions.get().level == 1  # the 小类's own allowance


def test_it_sends_any_extension_of_an_engineering_case_to_the_centre_leader(env):
    Category.objects.filter(code="E0102").update(is_engineering=True)
    case = act(env, _signed(env), A.REQUEST_EXTENSION, "cgzf", hours=2, note="需施工")
    assert case.extensions.get().level == 2 and "工程类" in case.extensions.get().level_reasons
    with pytest.raises(services.ActionForbidden):
        act(env, case, A.APPROVE_EXTENSION, "shiftlead")


@override_settings(SHEQU_GRID_MAX_EXTENSIONS=1)
def test_it_refuses_an_extension_beyond_the_maximum(env):
    case = _signed(env)
    case = act(env, act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="一次"), A.APPROVE_EXTENSION,
               "shiftlead")
    assert A.REQUEST_EXTENSION not in _names(env, "cgzf", case)
    with pytest.raises(ConflictError) as exc:
        act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="再次")
    assert "上限" in exc.value.message
    Category.objects.filter(code="E0102").update(max_extensions=3)  # the 小类's own number wins
    case.refresh_from_db()
    assert A.REQUEST_EXTENSION in _names(env, "cgzf", case)


def test_it_never_takes_an_extension_request_after_the_deadline(env, clock):
    case = _signed(env)
    clock.move_to(case.deadline + dt.timedelta(minutes=1))
    assert A.REQUEST_EXTENSION not in _names(env, "cgzf", case)
    with pytest.raises(ConflictError) as exc:
        act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="来不及")
    assert "期限已过" in exc.value.message
    assert not case.extensions.exists()


def test_the_api_applies_the_same_extension_levels(env, api_as):
    case = _signed(env)
    act(env, act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="一次"), A.APPROVE_EXTENSION, "shiftlead")
    act(env, case, A.REQUEST_EXTENSION, "cgzf", hours=4, note="第二次")
    url = f"/api/v1/grid/cases/{case.pk}/approve-extension/"
    assert api_as(env["shiftlead"]).post(url, {}, format="json").status_code == 403
    names = [a["name"] for a in api_as(env["leader"]).get(f"/api/v1/grid/cases/{case.pk}/actions/").json()]
    assert "approve_extension" in names
    assert api_as(env["leader"]).post(url, {"note": "同意"}, format="json").status_code == 200
    # The same leader of another 街道 does not see the case at all.
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    away = make_user(Role.LEADER, [env["other_sub"]], username="leader_yx")
    assert api_as(away).post(url, {}, format="json").status_code == 404


# --- parking (挂账) -----------------------------------------------------------------------------------------------

def test_the_shift_leader_can_no_longer_park_a_case_directly(env):
    case = _signed(env)
    assert not any(a.name in ("park", A.APPROVE_PARK) for a in CASE.available(env["shiftlead"], case))
    with pytest.raises(DomainError) as exc:  # no longer a declared action: nobody takes it
        services.case_transition(actor=env["shiftlead"], case=case, action="park", note="季节性")
    assert exc.value.status_code == 400
    case.refresh_from_db()
    assert case.status == S.HANDLING


def test_it_parks_a_case_on_the_units_request_and_the_leaders_approval_with_a_review_date(env, clock):
    case = _signed(env)
    with pytest.raises(DomainError):  # a reason is required
        act(env, case, A.REQUEST_PARK, "cgzf", note="")
    case = act(env, case, A.REQUEST_PARK, "cgzf", note="涉及管线改造，需纳入季度计划")
    assert case.status == S.HANDLING and case.park_requests.get().status == ExtensionStatus.PENDING
    assert A.REQUEST_PARK not in _names(env, "cgzf", case)  # one request at a time
    assert A.APPROVE_PARK not in _names(env, "shiftlead", case)
    with pytest.raises(services.ActionForbidden):
        act(env, case, A.APPROVE_PARK, "shiftlead", review_on="2026-04-10")
    for bad in ("", "2026-03-10", "2026-02-01", "2027-12-01", "不是日期"):
        with pytest.raises(DomainError) as exc:
            act(env, case, A.APPROVE_PARK, "leader", review_on=bad)
        assert "review_on" in exc.value.errors
    case = act(env, case, A.APPROVE_PARK, "leader", review_on="2026-04-10", note="同意挂账")
    assert case.status == S.PARKED and case.park_review_on == dt.date(2026, 4, 10)
    assert case.park_requests.get().decided_by == env["leader"]
    case = act(env, case, A.UNPARK, "shiftlead", note="工程已排期")
    assert case.status == S.HANDLING and case.park_review_on is None and case.was_parked


def test_the_leader_may_refuse_a_park_request_with_a_reason(env):
    case = act(env, _signed(env), A.REQUEST_PARK, "cgzf", note="季节性原因")
    with pytest.raises(DomainError):
        act(env, case, A.REJECT_PARK, "leader", note="")
    case = act(env, case, A.REJECT_PARK, "leader", note="可以按期完成")
    assert case.status == S.HANDLING and case.park_requests.get().status == ExtensionStatus.REJECTED
    assert A.REQUEST_PARK in _names(env, "cgzf", case)


def test_only_the_unit_holding_the_case_may_ask_to_park_it(env):
    case = _signed(env)
    for user in ("officer", "dunhua", "shiftlead", "leader"):
        with pytest.raises(services.ActionForbidden):
            act(env, case, A.REQUEST_PARK, user, note="理由")


def test_the_case_page_offers_the_leader_the_park_approval_with_a_date(env, client_as):
    case = act(env, _signed(env), A.REQUEST_PARK, "cgzf", note="管线改造")
    page = client_as(env["leader"]).get(reverse("grid:case-detail", args=[case.pk])).content.decode()
    assert 'data-action="approve_park"' in page and 'name="review_on"' in page and "管线改造" in page
    shift = client_as(env["shiftlead"]).get(reverse("grid:case-detail", args=[case.pk])).content.decode()
    assert 'data-action="approve_park"' not in shift
    response = client_as(env["leader"]).post(reverse("grid:case-act", args=[case.pk, "approve_park"]),
                                             {"version": case.version, "review_on": "2026-04-01"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.PARKED


# --- rework (返工) ------------------------------------------------------------------------------------------------

def test_a_failed_check_gives_the_unit_the_categorys_rework_limit(env, clock):
    Category.objects.filter(code="E0102").update(rework_limit_value=Decimal("2"), rework_limit_unit="work_hours")
    case = act(env, _signed(env), A.FEEDBACK, "cgzf", note="已清除")
    clock.move_to(dt.datetime(2026, 3, 10, 13, 30, tzinfo=SH))
    case = act(env, case, A.CHECK_FAIL, "inspector", note="仍有残留")
    assert case.status == S.HANDLING and case.rework_count == 1
    assert case.deadline == dt.datetime(2026, 3, 10, 15, 30, tzinfo=SH)  # 2 working hours from the failed check
    assert case.events.get(action=A.CHECK_FAIL).data["deadline"].startswith("2026-03-10T15:30")
    assert not case.overdue_before_rework
    case = act(env, case, A.FEEDBACK, "cgzf", note="已彻底清除")
    case = act(env, act(env, case, A.CHECK_PASS, "inspector"), A.CLOSE, "shiftlead")
    assert case.closed_on_time is True


def test_a_late_feedback_stays_late_after_rework(env, clock):
    case = _signed(env)
    clock.move_to(case.deadline + dt.timedelta(hours=1))
    case = act(env, case, A.FEEDBACK, "cgzf", note="已清除")
    case = act(env, case, A.CHECK_FAIL, "inspector", note="未清除干净")
    assert case.overdue_before_rework and case.status == S.HANDLING
    assert case.deadline > dt.datetime.now(tz=SH)  # a fresh rework limit, yet the case stays late
    case = act(env, case, A.FEEDBACK, "cgzf", note="已彻底清除")
    case = act(env, act(env, case, A.CHECK_PASS, "inspector"), A.CLOSE, "shiftlead")
    assert case.closed_on_time is False


def test_the_seeded_catalogue_carries_a_rework_limit_and_the_engineering_flag(env):
    surface = Category.objects.get(code="E0402")
    assert surface.is_engineering and surface.rework_limit_value == surface.limit_value
    assert not Category.objects.get(code="E0102").is_engineering


# --- departments as practised -------------------------------------------------------------------------------------

def test_it_routes_hydrants_signals_and_signs_as_in_practice(env):
    from shequ.core.choices import DepartmentKind
    from shequ.core.models import Department

    police = Department.objects.create(code="PCS", name="派出所", short_name="派出所", kind=DepartmentKind.DISTRICT_BUREAU,
                                       node=env["sub"])
    Category.objects.filter(code__in=["C0108", "C0205", "C0206"]).update(department=police)
    water = Department.objects.create(code="ZLS", name="供水", short_name="自来水", kind=DepartmentKind.SERVICE_UNIT,
                                      node=env["sub"])
    traffic = Department.objects.create(code="JJ", name="交警", short_name="交警", kind=DepartmentKind.DISTRICT_BUREAU,
                                        node=env["sub"])
    ensure_taxonomy()  # a rerun moves rows still on the old unit
    units = dict(Category.objects.filter(code__in=["C0108", "C0205", "C0206"]).values_list("code", "department"))
    assert units == {"C0108": water.pk, "C0205": traffic.pk, "C0206": traffic.pk}
    assert "消防救援" in Category.objects.get(code="C0108").description
    Category.objects.filter(code="C0205").update(department=water)  # an administrator's own choice is kept
    ensure_taxonomy()
    assert Category.objects.get(code="C0205").department == water


# --- the 110 hand-over list -------------------------------------------------------------------------------------

def test_a_110_transfer_lands_in_the_class_of_its_list_item(env):
    item = PoliceItem.objects.get(code="110-YJ-03")
    assert item.category.code == "E0404"
    case = report(env, user="operator", source="110", category=None, police_item="110-YJ-03",
                  description="110移交：路口井盖缺失")
    assert case.category.code == "E0404" and case.source == "110"
    assert case.events.get(action=A.REPORT).data["police_item"] == "110-YJ-03"


def test_it_refuses_a_list_item_for_another_source_or_an_unknown_item(env):
    with pytest.raises(DomainError) as exc:
        report(env, user="operator", source="patrol", category=None, police_item="110-YJ-03")
    assert "police_item" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        report(env, user="operator", source="110", category=None, police_item="110-XX-99")
    assert "police_item" in exc.value.errors
    PoliceItem.objects.filter(code="110-YJ-03").update(is_active=False)
    with pytest.raises(DomainError):
        report(env, user="operator", source="110", category=None, police_item="110-YJ-03")


def test_the_api_and_the_page_take_a_110_item_instead_of_a_category(env, api_as, client_as):
    from shequ.grid.tests.conftest import DUNHUA

    body = {"police_item": "110-ZX-01", "source": "110", "description": "110移交：菜场门口设摊",
            "lat": DUNHUA[0], "lng": DUNHUA[1], "address": "敦化路1号"}
    response = api_as(env["operator"]).post("/api/v1/grid/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["category"] == "E0502"
    missing = api_as(env["operator"]).post("/api/v1/grid/cases/", {**body, "police_item": ""}, format="json")
    assert missing.status_code == 400 and "category" in missing.json()["errors"]
    page = client_as(env["operator"]).get(reverse("grid:report")).content.decode()
    assert "110非警务事项" in page and "占道经营、设摊" in page
    patrol_page = client_as(env["inspector"]).get(reverse("grid:report")).content.decode()
    assert "110非警务事项" not in patrol_page


# --- indicators by period: the closing cohort -------------------------------------------------------------------

def test_closing_figures_follow_the_cases_due_or_closed_in_the_period_not_reported_in_it(env, client_as):
    from shequ.grid import stats
    from shequ.grid.tests.test_indicators import _case

    def at(month, day):
        return dt.datetime(2026, month, day, 10, 0, tzinfo=SH)

    early = _case(env, 1, status="closed", closed_on_time=True, deadline=at(3, 3), closed_at=at(3, 2))
    late = _case(env, 2, status="closed", closed_on_time=False, deadline=at(3, 5), closed_at=at(4, 2))
    open_ = _case(env, 3, status="handling", deadline=at(4, 3), day=25)
    type(early).objects.filter(pk=early.pk).update(reported_at=at(2, 20))  # reported in February
    stats.rebuild()
    now = at(5, 1)
    feb, march, april = stats.indicators(start=dt.date(2026, 2, 1), end=dt.date(2026, 4, 30), by="month", now=now)
    assert (feb["reported"], feb["due"], feb["closed"]) == (1, 0, 0)  # reported in February, due in March
    assert (march["reported"], march["due"], march["closed"], march["closed_on_time"]) == (2, 2, 1, 1)
    assert march["close_rate"] == 50.0  # the case closed in April is March's unclosed 应结案
    assert (april["due"], april["closed"], april["closed_on_time"], april["overdue_open"]) == (2, 1, 0, 1)
    assert april["on_time_rate"] == 0.0 and april["reported"] == 0
    total = stats.indicators(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), now=now)[0]
    assert (total["due"], total["closed"]) == (2, 1) and open_.pk and late.pk
    page = client_as(env["leader"]).get(reverse("grid:stats"), {
        "preset": "custom", "start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert "处置期限在本期间内" in page and "结案率 = 结案数 ÷ (应结案数 − 缓办数)" in page
