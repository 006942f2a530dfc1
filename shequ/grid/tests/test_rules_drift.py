"""Rules that once lived in one adapter only (the HTML view or the API) and drifted apart: each is now kept by the
service or selector both adapters call, and each is asserted here through both doors."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.core.choices import Role
from shequ.core.errors import ConflictError
from shequ.core.testing import make_user
from shequ.grid import services
from shequ.grid.choices import CaseStatus as S
from shequ.grid.choices import HotlineStatus as H
from shequ.grid.models import Case, DutyTeam, Inspection, PatrolLog, TeamMember
from shequ.grid.testing import inspection_sheet, sheet_items
from shequ.grid.tests.conftest import DUNHUA, report

pytestmark = pytest.mark.django_db
CASES = "/api/v1/grid/cases/"


def _hotline_case(env):
    """A 12345 order signed by the centre: a grid case in 敦化路 whose source is the hotline."""
    order = services.hotline_receive(actor=env["operator"], subdistrict=env["node_sub"], data={
        "order_no": "SH12345-9", "hotline_type": "投诉", "title": "暴露垃圾", "content": "绿化带边有暴露垃圾",
        "address": "敦化路1号", "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0102"})
    return services.hotline_sign(actor=env["operator"], order=order).case


# --- self-handle is for a work station's own reports ----------------------------------------------------------

def test_it_refuses_the_api_self_handle_of_a_hotline_case(env, api_as):
    case = _hotline_case(env)
    assert case.source == "12345" and case.committee == env["node_dunhua"]
    response = api_as(env["dunhua"]).post(f"{CASES}{case.pk}/self-handle/", {"note": "联系物业当场清理"},
                                          format="json")
    assert response.status_code == 409, response.content
    assert "source" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == S.REPORTED and not case.self_handled


def test_it_refuses_the_service_self_handle_of_a_patrol_case_and_allows_a_station_report(env):
    patrol_case = report(env)  # an inspector's patrol report in 敦化路
    with pytest.raises(ConflictError):
        services.case_transition(actor=env["dunhua"], case=patrol_case, action="self_handle", note="当场清理")
    local = report(env, user="dunhua", source="station")
    local = services.case_transition(actor=env["dunhua"], case=local, action="self_handle", note="当场清理")
    assert local.status == S.CLOSED and local.self_handled


def test_it_offers_self_handle_on_the_page_only_for_a_station_report(env, client_as):
    client = client_as(env["dunhua"])
    hotline = client.get(reverse("grid:case-detail", args=[_hotline_case(env).pk])).content.decode()
    local = client.get(reverse("grid:case-detail", args=[report(env, user="dunhua", source="station").pk]))
    assert "self_handle" not in hotline
    assert "self_handle" in local.content.decode()


# --- a report without coordinates -------------------------------------------------------------------------------

def test_it_files_a_report_without_coordinates_in_the_reporters_subdistrict_through_both_doors(env, client_as,
                                                                                               api_as):
    html = client_as(env["inspector"]).post(reverse("grid:report"), {
        "category": "E0102", "description": "路边暴露垃圾无法定位", "address": "敦化路100号", "source": "patrol"})
    assert html.status_code == 302, html.content.decode()[:500]
    api = api_as(env["inspector"]).post(CASES, {"category": "E0102", "description": "路边暴露垃圾无法定位",
                                                "address": "敦化路100号"}, format="json")
    assert api.status_code == 201, api.content
    cases = list(Case.objects.order_by("id"))
    assert [c.node for c in cases] == [env["node_sub"], env["node_sub"]]
    assert all(c.grid is None and c.lat is None for c in cases)


def test_it_files_a_committee_workers_unlocated_report_in_their_committee(env, api_as):
    response = api_as(env["dunhua"]).post(CASES, {"category": "E0102", "description": "楼道堆物无法定位",
                                                  "address": "敦化路100弄"}, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.node == env["node_dunhua"] and case.committee == env["node_dunhua"]


def test_it_refuses_an_unlocated_report_when_the_scope_holds_two_subdistricts_through_both_doors(env, client_as,
                                                                                                 api_as):
    wide = make_user(Role.OPS_OPERATOR, [env["node_sub"], env["node_other_sub"]], username="wide_operator")
    html = client_as(wide).post(reverse("grid:report"), {
        "category": "E0102", "description": "路边暴露垃圾无法定位", "address": "某路1号", "source": "patrol"})
    assert html.status_code == 200 and "请在地图上选点" in html.content.decode()
    api = api_as(wide).post(CASES, {"category": "E0102", "description": "路边暴露垃圾无法定位",
                                    "address": "某路1号"}, format="json")
    assert api.status_code == 400 and "location" in api.json()["errors"]
    assert not Case.objects.exists()


def test_it_refuses_a_source_the_role_may_not_report_through_both_doors(env, client_as, api_as):
    html = client_as(env["inspector"]).post(reverse("grid:report"), {
        "category": "E0102", "description": "路边暴露垃圾", "lat": DUNHUA[0], "lng": DUNHUA[1], "source": "12345"})
    assert html.status_code == 200
    api = api_as(env["inspector"]).post(CASES, {"category": "E0102", "description": "路边暴露垃圾",
                                                "lat": DUNHUA[0], "lng": DUNHUA[1], "source": "12345"},
                                        format="json")
    assert api.status_code == 400 and "source" in api.json()["errors"]
    assert not Case.objects.exists()


# --- a 12345 return reason ------------------------------------------------------------------------------------

def _received(env, no):
    return services.hotline_receive(actor=env["operator"], subdistrict=env["node_sub"], data={
        "order_no": no, "hotline_type": "投诉", "content": "小区门口有摊贩占道经营", "address": "敦化路1号"})


def test_it_builds_the_return_reason_from_reason_and_note_through_both_doors(env, client_as, api_as):
    by_page, by_api = _received(env, "SH-R-1"), _received(env, "SH-R-2")
    client_as(env["operator"]).post(reverse("grid:hotline-act", args=[by_page.pk, "return"]),
                                    {"reason": "属地不符", "note": "位于殷行街道"})
    response = api_as(env["operator"]).post(f"/api/v1/grid/hotline/{by_api.pk}/return/",
                                            {"reason": "territory", "note": "位于殷行街道"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == H.RETURN_PENDING
    client_as(env["hotline_office"]).post(reverse("grid:hotline-act", args=[by_page.pk, "approve_return"]), {})
    response = api_as(env["hotline_office"]).post(f"/api/v1/grid/hotline/{by_api.pk}/approve-return/", {},
                                                  format="json")
    assert response.status_code == 200, response.content
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert by_page.status == by_api.status == H.RETURNED
    assert by_page.return_reason == by_api.return_reason == "属地不符：位于殷行街道"
    assert response.json()["return_reason"] == "属地不符：位于殷行街道"


def test_it_refuses_a_return_without_a_reason_of_the_list_over_the_api(env, api_as):
    order = _received(env, "SH-R-3")
    response = api_as(env["operator"]).post(f"/api/v1/grid/hotline/{order.pk}/return/", {"note": "权属不清"},
                                            format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    empty = api_as(env["operator"]).post(f"/api/v1/grid/hotline/{_received(env, 'SH-R-4').pk}/return/", {},
                                         format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]


# --- patrol logs and inspections by jurisdiction ---------------------------------------------------------------

@pytest.fixture
def yanji_patrol(env):
    team = DutyTeam.objects.create(code="A", name="甲班", node=env["node_sub"])
    member = TeamMember.objects.create(team=team, node=env["node_sub"], name="测试队员", user=env["patrol"])
    log = services.patrol_start(actor=env["patrol"], shift="E", note="延吉巡查")
    return member, log


def test_it_gives_a_patrol_log_the_members_subdistrict(env, yanji_patrol):
    _member, log = yanji_patrol
    assert log.node == env["node_sub"]


def test_it_hides_yanjis_patrol_logs_from_an_inspector_of_another_subdistrict(env, yanji_patrol, client_as):
    from shequ.grid import selectors

    assert list(selectors.patrol_logs(user=env["inspector"])) == [yanji_patrol[1]]
    assert not selectors.patrol_logs(user=env["other_inspector"]).exists()
    page = client_as(env["other_inspector"]).get(reverse("grid:patrol")).content.decode()
    assert "延吉巡查" not in page
    assert "延吉巡查" in client_as(env["inspector"]).get(reverse("grid:patrol")).content.decode()


def _inspection(env, *, department=None, committee=None):
    template = inspection_sheet("部门督查" if department else "居民区督查", "department" if department else "area")
    item = sheet_items(template)[0]
    return services.inspection_create(actor=env["leader"], sheet=template, title="3月督查",
                                      date=dt.date(2026, 3, 10), department=department, committee=committee,
                                      scores={item.pk: "27"})


def test_it_scopes_an_inspection_without_committee_to_its_subdistrict(env, client_as):
    inspection = _inspection(env, department=env["chengguan"])
    assert inspection.node == env["node_sub"]
    other_leader = make_user(Role.LEADER, [env["node_other_sub"]], username="leader_yx")
    client = client_as(other_leader)
    assert "3月督查" not in client.get(reverse("grid:inspection-list")).content.decode()
    assert client.get(reverse("grid:inspection-detail", args=[inspection.pk])).status_code == 404
    assert client_as(env["leader"]).get(reverse("grid:inspection-detail", args=[inspection.pk])).status_code == 200


def test_it_scopes_a_committee_inspection_to_that_committee(env):
    from shequ.grid import selectors

    inspection = _inspection(env, committee=env["node_kongjiang"])
    assert inspection.node == env["node_kongjiang"]
    assert list(selectors.inspection_list(user=env["leader"])) == [inspection]
    assert not selectors.inspection_list(user=env["dunhua"]).exists()


def test_it_refuses_a_department_inspection_by_an_inspector_of_two_subdistricts(env):
    from shequ.core.errors import DomainError

    wide = make_user(Role.LEADER, [env["node_sub"], env["node_other_sub"]], username="leader_wide")
    template = inspection_sheet("部门督查", "department")
    with pytest.raises(DomainError) as refused:
        services.inspection_create(actor=wide, sheet=template, title="督查", date=dt.date(2026, 3, 10),
                                   department=env["chengguan"], scores={})
    assert "committee" in refused.value.errors
    assert not Inspection.objects.exists() and not PatrolLog.objects.exists()


def test_it_refuses_an_order_of_another_subdistrict_in_the_service_like_a_missing_one(env):
    other_operator = make_user(Role.OPS_OPERATOR, [env["node_other_sub"]], username="operator_yx")
    order = _received(env, "SH-R-5")
    with pytest.raises(services.CaseNotFound):
        services.hotline_sign(actor=other_operator, order=order)
    order.refresh_from_db()
    assert order.status == H.RECEIVED


def test_it_answers_400_to_a_hotline_action_without_its_input_over_the_api(env, api_as):
    client = api_as(env["operator"])
    merged = _received(env, "SH-R-6")
    assert client.post(f"/api/v1/grid/hotline/{merged.pk}/merge/", {}, format="json").status_code == 400
    signed = services.hotline_sign(actor=env["operator"], order=_received(env, "SH-R-7"))
    services.hotline_contact(actor=env["operator"], order=signed, method="phone")  # a reply needs 先行联系 first
    for act, field in (("extend", "days"), ("extend", "reason"), ("reply", "text"), ("reply", "resolution")):
        response = client.post(f"/api/v1/grid/hotline/{signed.pk}/{act}/", {}, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], (act, response.content)


def test_it_configures_a_linkage_team_in_its_subdistrict_and_refuses_a_member_of_another(env, client_as):
    client = client_as(env["sysadmin"])
    created = client.post(reverse("core:config-create", args=["grid-duty-team"]), {
        "node": env["node_sub"].pk, "code": "A", "name": "甲班", "offset": 0, "leader": "",
        "child0-TOTAL_FORMS": 0, "child0-INITIAL_FORMS": 0})
    assert created.status_code == 302, created.content.decode()[:1500]
    team = DutyTeam.objects.get(code="A")
    assert team.node == env["node_sub"]
    edit = reverse("core:config-edit", args=["grid-duty-team", team.pk])
    member = {"node": team.node_id, "code": "A", "name": "甲班", "offset": 0, "leader": "",
              "child0-TOTAL_FORMS": 1, "child0-INITIAL_FORMS": 0, "child0-0-name": "王强", "child0-0-post": "队员",
              "child0-0-is_active": "on"}
    refused = client.post(edit, {**member, "child0-0-node": env["node_other_sub"].pk})
    assert refused.status_code != 302 and not TeamMember.objects.exists()
    assert "队员须属于班组所在的街道" in refused.content.decode()
    ok = client.post(edit, {**member, "child0-0-node": env["node_sub"].pk})
    assert ok.status_code == 302 and TeamMember.objects.get().node == env["node_sub"]
