"""The acceptance rules of practice (issue 11): situation materials (情形材料) asked at intake, provisional due dates
while next year's holidays are missing, one 补正 with a paused clock, the 容缺 lapse and its bar, and the
documents' department phone and court."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import override_settings

from shequ.acceptance import services
from shequ.acceptance.choices import CaseStatus
from shequ.acceptance.models import Case, CaseEvent, ItemMaterial
from shequ.acceptance.workflows import case_available_actions
from shequ.core import services as core_services
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import AuditLog, CalendarYear, Notification

from .conftest import at, intake, visitor
from .test_pdfs import text_of

pytestmark = pytest.mark.django_db

PROXY = "代领人身份证件及授权委托书（代领时）"
SITUATION = "委托他人代领"


@pytest.fixture
def proxy_item(centre):
    """敬老卡申领 (30 working days): the ID card always, the proxy's papers only when someone else collects."""
    item = centre["long"]
    ItemMaterial.objects.create(item=item, name=PROXY, is_key=False, original_required=True, condition=SITUATION,
                                sort_order=5)
    return item


def _id_card(item):
    return [item.materials.get(name="居民身份证").pk]


# --- 情形材料 -------------------------------------------------------------------------------------------------

def test_it_leaves_out_the_materials_of_situations_that_do_not_apply(centre, proxy_item):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre, item=proxy_item, provided=_id_card(proxy_item))
        assert case.status == CaseStatus.ACCEPTED and case.situations == []
        assert [m.name for m in case.materials.all()] == ["居民身份证"]
        # The approval check no longer waits for papers that never applied (the clerk does not tick them).
        services.case_claim(actor=centre["officer"], case=case)
        case = services.case_approve(actor=centre["officer"], case=case)
    assert case.status == CaseStatus.APPROVED


def test_it_requires_the_materials_of_a_situation_that_applies(centre, proxy_item, tmp_path):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        with pytest.raises(DomainError) as exc:
            intake(centre, item=proxy_item, provided=_id_card(proxy_item), situations=[SITUATION])
        assert PROXY in exc.value.message
        case = intake(centre, item=proxy_item, decision="notify", provided=_id_card(proxy_item),
                      situations=[SITUATION])
    assert case.situations == [SITUATION]
    assert [m.name for m in case.materials.filter(provided=False)] == [PROXY]
    text = text_of(services.case_print(actor=centre["clerk"], case=case, kind="notice")[1], tmp_path)
    assert "代领人身份证件" in text and SITUATION in text
    event = case.events.get(action="intake")
    assert event.detail["situations"] == [SITUATION]


def test_it_keeps_a_situation_material_out_of_the_notice_when_it_does_not_apply(centre, proxy_item, tmp_path):
    ItemMaterial.objects.create(item=proxy_item, name="近期一寸免冠照片", is_key=True, sort_order=3)
    case = intake(centre, item=proxy_item, decision="notify", provided=_id_card(proxy_item))
    text = text_of(services.case_print(actor=centre["clerk"], case=case, kind="notice")[1], tmp_path)
    assert "免冠照片" in text and "代领人身份证件" not in text


def test_it_refuses_a_situation_the_item_does_not_ask(centre, proxy_item):
    with pytest.raises(DomainError) as exc:
        intake(centre, item=proxy_item, situations=["投靠亲属居住"])
    assert "situations" in exc.value.errors
    assert not Case.objects.exists()


def test_it_asks_the_situation_on_the_intake_page_and_lists_its_materials_only_when_ticked(centre, proxy_item,
                                                                                          client_as):
    client = client_as(centre["clerk"])
    url = f"/acceptance/cases/new/materials/?item={proxy_item.pk}"
    page = client.get(url).content.decode()
    assert f'name="situations" value="{SITUATION}"' in page and PROXY not in page
    page = client.get(url + f"&situations={SITUATION}").content.decode()
    assert PROXY in page
    with time_machine.travel(at(2026, 11, 16), tick=False):
        response = client.post("/acceptance/cases/new/", {
            "item": proxy_item.pk, "decision": "notify", "applicant_name": "王访客",
            "applicant_id_number": visitor()["id_number"], "materials": _id_card(proxy_item),
            "situations": [SITUATION]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.situations == [SITUATION] and case.materials.count() == 2
    assert SITUATION in client.get(f"/acceptance/cases/{case.pk}/").content.decode()


def test_it_takes_situations_through_the_api(centre, proxy_item, api_as):
    api = api_as(centre["clerk"])
    item = api.get(f"/api/v1/acceptance/items/{proxy_item.pk}/").json()
    assert {m["name"]: m["condition"] for m in item["materials"]}[PROXY] == SITUATION
    with time_machine.travel(at(2026, 11, 16), tick=False):
        body = api.post("/api/v1/acceptance/cases/", {
            "item": proxy_item.code, "decision": "accept", "applicant": visitor(),
            "materials": _id_card(proxy_item)}, format="json").json()
        assert body["situations"] == [] and [m["name"] for m in body["materials"]] == ["居民身份证"]
        refused = api.post("/api/v1/acceptance/cases/", {
            "item": proxy_item.code, "decision": "accept", "applicant": visitor(seed=9),
            "materials": _id_card(proxy_item), "situations": ["不存在的情形"]}, format="json")
    assert refused.status_code == 400 and "situations" in refused.json()["errors"]


def test_it_validates_the_situation_in_the_catalogue(centre):
    data = {"code": "T-1", "name": "测试事项", "department": centre["dibao"].department, "category": "测试",
            "queue_category": centre["A"], "mode": "instant", "limit_days": 0}
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=data,
                           materials=[{"name": "委托书", "condition": "情" * 61}])
    assert "60" in exc.value.message


def test_the_data_migration_marks_the_known_situation_materials(centre):
    row = ItemMaterial.objects.create(item=centre["long"], name=PROXY, is_key=False)
    other = ItemMaterial.objects.get(item=centre["long"], name="居民身份证")
    migration = importlib.import_module("shequ.acceptance.migrations.0006_conditional_materials")
    migration.mark(django_apps, None)
    row.refresh_from_db()
    other.refresh_from_db()
    assert row.condition == SITUATION and other.condition == ""


# --- next year's calendar --------------------------------------------------------------------------------------

def _enter_2027(actor, confirmed=True):
    # 2027-01-01 (a Friday) is 元旦: the Mon–Fri rule counted it as a working day.
    return core_services.calendar_set_year(actor=actor, year=2027, source="国办发明电〔2026〕X号", confirmed=confirmed,
                                           days=[(dt.date(2027, 1, 1), False, "元旦")])


def test_it_accepts_with_a_provisional_due_date_and_recomputes_it_when_the_year_is_entered(centre, personas,
                                                                                          client_as):
    with time_machine.travel(at(2026, 12, 21), tick=False):
        case = intake(centre, item=centre["long"])
        short = intake(centre, applicant=visitor(seed=9))
    # 8 working days left in 2026 (12-22 … 12-31), then 22 on the Mon–Fri rule, 2027-01-01 included.
    assert case.due_provisional and case.due_date == dt.date(2027, 2, 1)
    assert not short.due_provisional
    page = client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert "暂定" in page
    assert "暂定" in client_as(centre["clerk"]).get("/acceptance/cases/").content.decode()

    _enter_2027(personas["sysadmin"], confirmed=False)  # a draft changes nothing
    case.refresh_from_db()
    assert case.due_provisional and case.due_date == dt.date(2027, 2, 1)

    with time_machine.travel(at(2026, 12, 22), tick=False):
        _enter_2027(personas["sysadmin"])
    case.refresh_from_db()
    assert not case.due_provisional and case.due_date == dt.date(2027, 2, 2)
    event = case.events.get(action="recompute")
    assert event.detail["from_due"] == "2027-02-01" and event.detail["due_date"] == "2027-02-02"
    assert AuditLog.objects.filter(object_type="acceptance.case", object_id=str(case.pk),
                                   detail__op="recompute").exists()
    assert not short.events.filter(action="recompute").exists()
    assert "暂定" not in client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/").content.decode()


def test_it_resumes_a_paused_provisional_case_on_the_entered_calendar(centre, personas):
    with time_machine.travel(at(2026, 12, 21), tick=False):
        case = intake(centre, item=centre["long"])
    with time_machine.travel(at(2026, 12, 23), tick=False):
        case = services.case_return(actor=centre["officer"], case=case, reason="申请表填写不全",
                                    materials=["更正后的申请表"])
        _enter_2027(personas["sysadmin"])
    case.refresh_from_db()
    assert case.due_provisional  # paused: left for the resumption
    with time_machine.travel(at(2026, 12, 28), tick=False):
        services.case_supplement(actor=centre["clerk"], case=case,
                                 materials=[case.materials.get(requested_by_backoffice=True).pk])
        case = services.case_resubmit(actor=centre["clerk"], case=case)
    # Returned on 12-23 with 28 working days left (counted on the rule: 6 in 2026 + 22 in 2027); resumed 12-28:
    # 3 left in 2026 (12-29 … 12-31), then 25 in 2027 without 元旦 → 2027-02-05.
    assert case.clock_remaining == 28 and not case.due_provisional
    assert case.due_date == dt.date(2027, 2, 5)


# --- 补正 once, clock paused -------------------------------------------------------------------------------------

def test_it_refuses_a_return_that_lists_no_material(centre):
    case = intake(centre)
    with pytest.raises(DomainError) as exc:
        services.case_return(actor=centre["officer"], case=case, reason="材料不全", materials=[])
    assert "全部材料" in exc.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.return_count == 0


def _returned_once(centre):
    with time_machine.travel(at(2026, 11, 16), tick=False):
        case = intake(centre)
    with time_machine.travel(at(2026, 11, 17), tick=False):
        case = services.case_return(actor=centre["officer"], case=case, reason="收入证明不清晰",
                                    materials=["家庭成员收入证明（清晰件）"])
        services.case_supplement(actor=centre["clerk"], case=case,
                                 materials=[case.materials.get(requested_by_backoffice=True).pk])
        return services.case_resubmit(actor=centre["clerk"], case=case)


def test_it_allows_a_second_return_only_to_the_supervisor_with_a_reason(centre):
    case = _returned_once(centre)
    assert "return" not in case_available_actions(centre["officer"], case)
    assert "return" in case_available_actions(centre["supervisor"], case)
    with time_machine.travel(at(2026, 11, 18), tick=False):
        with pytest.raises(Forbidden) as exc:
            services.case_return(actor=centre["officer"], case=case, reason="还缺", materials=["户口簿"])
        assert "受理大厅主管" in exc.value.message
        with pytest.raises(DomainError) as exc:
            services.case_return(actor=centre["supervisor"], case=case, reason="还缺", materials=["户口簿"])
        assert "second_reason" in exc.value.errors
        case = services.case_return(actor=centre["supervisor"], case=case, reason="还缺", materials=["户口簿"],
                                    second_reason="户籍信息变更，须补充新户口簿")
    assert case.status == CaseStatus.RETURNED and case.return_count == 2
    event = case.events.filter(action="return").last()
    assert event.detail["second_reason"] == "户籍信息变更，须补充新户口簿" and event.detail["round"] == 2


def test_the_supervisor_does_not_take_the_first_return(centre):
    case = intake(centre)
    assert "return" not in case_available_actions(centre["supervisor"], case)
    assert "return" in case_available_actions(centre["officer"], case)
    with pytest.raises(Forbidden):
        services.case_return(actor=centre["supervisor"], case=case, reason="缺", materials=["户口簿"])


def test_the_page_offers_the_second_return_to_the_supervisor(centre, client_as):
    case = _returned_once(centre)
    page = client_as(centre["supervisor"]).get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert "再次退回补正的理由" in page
    with time_machine.travel(at(2026, 11, 18), tick=False):
        client_as(centre["supervisor"]).post(f"/acceptance/cases/{case.pk}/act/return/", {
            "reason": "还缺", "materials": "户口簿", "second_reason": ""})
        case.refresh_from_db()
        assert case.return_count == 1  # refused: no reason
        client_as(centre["supervisor"]).post(f"/acceptance/cases/{case.pk}/act/return/", {
            "reason": "还缺", "materials": "户口簿", "second_reason": "户籍变更"})
    case.refresh_from_db()
    assert case.return_count == 2 and case.status == CaseStatus.RETURNED


def test_the_clock_pauses_instead_of_restarting(centre):
    case = _returned_once(centre)
    # Accepted 11-16 (due 11-23), returned 11-17 with 4 working days left, resumed the same day: due 11-23 still;
    # a full restart would have given 11-24.
    assert case.clock_remaining == 4 and case.due_date == dt.date(2026, 11, 23)


# --- 容缺 lapse ---------------------------------------------------------------------------------------------------

def _rongque(centre, *, applicant=None, day=at(2026, 11, 16), deadline=dt.date(2026, 11, 19)):
    with time_machine.travel(day, tick=False):
        return intake(centre, decision="rongque", provided=[centre["materials"][0].pk, centre["materials"][1].pk],
                      rongque_deadline=deadline, promise_signed=True, applicant=applicant or visitor())


def test_it_terminates_a_lapsed_rongque_case_with_a_notice(centre, tmp_path, django_capture_on_commit_callbacks):
    lapsed = _rongque(centre)
    on_time = _rongque(centre, applicant=visitor(seed=9), deadline=dt.date(2026, 11, 20))
    supplemented = _rongque(centre, applicant=visitor(seed=11))
    services.case_supplement(actor=centre["clerk"], case=supplemented,
                             materials=[supplemented.materials.get(provided=False).pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_lapse_rongque(today=dt.date(2026, 11, 20)) == 1
    lapsed.refresh_from_db()
    assert lapsed.status == CaseStatus.TERMINATED and lapsed.rongque_lapsed and not lapsed.rongque_pending
    assert "家庭成员收入证明" in lapsed.closing_reason
    assert CaseEvent.objects.filter(case=lapsed, action="lapse").exists()
    assert Notification.objects.filter(recipient=centre["clerk"], title__contains=lapsed.number).exists()
    assert "lapse" in services.documents_available(lapsed)
    text = text_of(services.case_print(actor=centre["clerk"], case=lapsed, kind="lapse")[1], tmp_path)
    assert "终止办理通知书" in text and "家庭成员收入证明" in text and "2026年11月19日" in text
    for other in (on_time, supplemented):
        other.refresh_from_db()
        assert other.status == CaseStatus.ACCEPTED and not other.rongque_lapsed
    assert services.cases_lapse_rongque(today=dt.date(2026, 11, 20)) == 0  # once


def test_the_lapse_runs_on_the_schedule():
    from shequ.core.schedule import entries

    assert "acceptance.rongque_lapse" in {e.name for e in entries()}


def test_it_bars_rongque_for_an_applicant_with_a_lapsed_promise(centre, personas):
    _enter_2027(personas["sysadmin"])
    _rongque(centre)
    with time_machine.travel(at(2026, 11, 20, 0, 10), tick=False):
        services.cases_lapse_rongque()
    with pytest.raises(DomainError) as exc:
        _rongque(centre, day=at(2027, 11, 1), deadline=dt.date(2027, 11, 3))
    assert "12个月内不能再适用容缺受理" in exc.value.message and "decision" in exc.value.errors
    # The same applicant may still be accepted with complete materials, or given a one-time notice.
    with time_machine.travel(at(2026, 11, 23), tick=False):
        assert intake(centre).status == CaseStatus.ACCEPTED
    # After the bar (12 months from 2026-11-20) 容缺 is open again.
    assert _rongque(centre, day=at(2027, 11, 23), deadline=dt.date(2027, 11, 25)).rongque_pending


@override_settings(ACCEPTANCE_RONGQUE_BAR_MONTHS=0)
def test_the_bar_can_be_switched_off(centre):
    _rongque(centre)
    services.cases_lapse_rongque(today=dt.date(2026, 11, 20))
    assert _rongque(centre, day=at(2026, 11, 23), deadline=dt.date(2026, 11, 25)).rongque_pending


# --- documents --------------------------------------------------------------------------------------------------

def test_the_receipt_carries_the_departments_phone(centre, tmp_path):
    department = centre["dibao"].department
    department.phone = "021-65011234"
    department.save()
    case = intake(centre)
    text = text_of(services.case_print(actor=centre["clerk"], case=case, kind="receipt")[1], tmp_path)
    assert "审批部门电话" in text and "021-65011234" in text


@override_settings(ACCEPTANCE_ADMIN_COURT="上海市第三中级人民法院", ACCEPTANCE_REVIEW_BODY="{district}人民政府")
def test_the_refusal_names_the_configured_court(centre, tmp_path):
    case = intake(centre, decision="reject", reasons="不属于本中心受理范围")
    text = text_of(services.case_print(actor=centre["clerk"], case=case, kind="refusal")[1], tmp_path)
    assert "上海市第三中级人民法院" in text and "杨浦区人民政府" in text and "杨浦区人民法院" not in text
