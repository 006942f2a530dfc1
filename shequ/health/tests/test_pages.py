"""The pages and the API as each persona sees them; bad input answered in Chinese, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.models import AuditLog
from shequ.health import services
from shequ.health.models import Contract
from shequ.health.testing import sign


@pytest.fixture
def contracts(health, people, personas):
    today = timezone.localdate()
    return {
        "father": sign(personas["dunhua"], people["father"], health, start=today - dt.timedelta(days=340),
                       conditions="高血压"),
        "head": sign(personas["dunhua"], people["head"], health, start=today),
        "kj": sign(personas["kongjiang"], people["kj"], health, start=today - dt.timedelta(days=330)),
    }


def test_it_lists_only_the_workers_own_committee(client_as, contracts, personas):
    page = client_as(personas["dunhua"]).get("/health/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "王老伯" in text and "王建国" in text and "赵师傅" not in text
    assert "高血压" not in text  # health data never on a list


def test_it_shows_the_due_list_soonest_first(client_as, contracts, personas):
    text = client_as(personas["dunhua"]).get("/health/due/").content.decode()
    assert "王老伯" in text and "王建国" not in text
    leader = client_as(personas["leader"]).get("/health/due/").content.decode()
    assert leader.index("王老伯") < leader.index("赵师傅")  # ends 24 days ahead, before 34 days


def test_it_answers_404_for_a_contract_of_another_committee(client_as, contracts, personas):
    assert client_as(personas["kongjiang"]).get(f"/health/contracts/{contracts['father'].pk}/").status_code == 404
    assert client_as(personas["yinxing"]).get(f"/health/contracts/{contracts['kj'].pk}/").status_code == 404
    assert client_as(personas["dunhua"]).get("/health/contracts/999999/").status_code == 404


def test_it_shows_the_detail_masked_and_audits_the_view(client_as, contracts, personas):
    c = contracts["father"]
    text = client_as(personas["dunhua"]).get(f"/health/contracts/{c.pk}/").content.decode()
    assert "高血压" not in text and "已登记（加密保存）" in text
    assert "139****0001" in text and "13916200001" not in text
    assert "续约" in text and "解约" in text
    assert AuditLog.objects.filter(action="view", object_type="health.contract", object_id=str(c.pk)).exists()


def test_it_reveals_the_conditions_for_a_reason_and_audits_it(client_as, contracts, personas):
    c = contracts["father"]
    client = client_as(personas["dunhua"])
    refused = client.post(f"/health/contracts/{c.pk}/reveal/", {"reason": ""})
    assert refused.status_code == 400 and "该字段是必填项" in refused.content.decode()
    shown = client.post(f"/health/contracts/{c.pk}/reveal/", {"reason": "随访核对用药"})
    assert shown.status_code == 200 and "高血压" in shown.content.decode()
    row = AuditLog.objects.get(action="reveal", object_type="health.contract", object_id=str(c.pk))
    assert row.detail["reason"] == "随访核对用药"
    assert client_as(personas["leader"]).post(f"/health/contracts/{c.pk}/reveal/",
                                              {"reason": "查看"}).status_code == 403


def test_it_renews_through_the_page(client_as, contracts, personas):
    c = contracts["father"]
    response = client_as(personas["dunhua"]).post(f"/health/contracts/{c.pk}/renew/",
                                                  {"renew-years": "1", "renew-version": c.version})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "renewed" and c.successor.status == "active"


def test_it_refuses_bad_action_input_in_chinese(client_as, contracts, personas):
    client = client_as(personas["dunhua"])
    c = contracts["father"]
    bad = client.post(f"/health/contracts/{c.pk}/renew/", {"renew-years": "9"})
    assert bad.status_code == 400 and "选择一个有效的选项" in bad.content.decode()
    early = client.post(f"/health/contracts/{contracts['head'].pk}/renew/", {"renew-years": "1"})
    assert early.status_code == 400 and "到期前60天内才能续约" in early.content.decode()
    no_reason = client.post(f"/health/contracts/{c.pk}/terminate/", {"terminate-reason": ""})
    assert no_reason.status_code == 400 and "该字段是必填项" in no_reason.content.decode()
    assert client.post(f"/health/contracts/{c.pk}/explode/", {}).status_code == 404
    assert client_as(personas["kongjiang"]).post(f"/health/contracts/{c.pk}/renew/",
                                                 {"renew-years": "1"}).status_code == 404
    assert client_as(personas["leader"]).post(f"/health/contracts/{c.pk}/renew/",
                                              {"renew-years": "1"}).status_code == 403


def test_it_signs_through_the_page(client_as, health, people, personas):
    client = client_as(personas["dunhua"])
    found = client.get("/health/sign/", {"id_number": people["father"].id_number})
    text = found.content.decode()
    assert found.status_code == 200 and "王老伯" in text and "王小明" in text  # the household
    today = timezone.localdate()
    url = f"/health/sign/?id_number={people['father'].id_number}"
    short = client.post(url, {"members": [people["father"].pk], "doctor": health["shen"].pk,
                              "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=200)).isoformat()})
    assert short.status_code == 400 and "签约期限不得少于一年" in short.content.decode()
    ok = client.post(url, {"members": [people["father"].pk, people["head"].pk], "doctor": health["shen"].pk,
                           "district_hospital": health["district"].pk, "start_date": today.isoformat(),
                           "end_date": services.term_end(today, 1).isoformat()})
    assert ok.status_code == 302
    assert Contract.objects.filter(status="active").count() == 2


def test_it_does_not_find_a_resident_of_another_committee_to_sign(client_as, people, personas, health):
    response = client_as(personas["dunhua"]).get("/health/sign/", {"id_number": people["kj"].id_number})
    assert response.status_code == 200 and "您管辖的居委会中没有该身份证号的居民" in response.content.decode()
    assert "赵师傅" not in response.content.decode()
    bad = client_as(personas["dunhua"]).get("/health/sign/", {"id_number": "12345"})
    assert "至少" in bad.content.decode()


def test_it_refuses_pages_to_roles_without_the_capability(client, client_as, contracts, personas):
    for name in ("clerk", "patrol", "sysadmin", "auditor", "resident"):
        assert client_as(personas[name]).get("/health/").status_code == 403, name
    assert client_as(personas["leader"]).get("/health/sign/").status_code == 403
    anonymous = client.get("/health/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_it_shows_bad_filters_as_errors_and_no_rows(client_as, contracts, personas):
    response = client_as(personas["dunhua"]).get("/health/", {"status": "nonsense", "committee": "abc"})
    text = response.content.decode()
    assert response.status_code == 200 and "筛选条件有误" in text and "王老伯" not in text


def test_it_exports_masked_and_audited(client_as, contracts, personas):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_as(personas["dunhua"]).get("/health/export/")
    assert response.status_code == 200 and response["X-Export-Rows"] == "2"
    cells = [str(c.value) for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row]
    assert "王老伯" in cells and "高血压" not in cells
    assert not any(str(v) == contracts["father"].resident.id_number for v in cells)
    assert AuditLog.objects.filter(action="export", object_type="health.contract").exists()


def test_the_api_lists_scoped_contracts_with_keyset_pages(api_as, contracts, personas):
    api = api_as(personas["dunhua"])
    body = api.get("/api/v1/health/contracts/", {"page_size": 1}).json()
    assert len(body["results"]) == 1 and body["next"] and "cursor=" in body["next"]
    assert "count" not in body
    second = api.get(body["next"]).json()
    names = {body["results"][0]["resident_name"], second["results"][0]["resident_name"]}
    assert names == {"王老伯", "王建国"}
    assert "conditions" not in body["results"][0]
    due = api.get("/api/v1/health/contracts/due/").json()
    assert [r["resident_name"] for r in due["results"]] == ["王老伯"]
    assert due["results"][0]["days_left"] == (contracts["father"].end_date - timezone.localdate()).days == 24


def test_the_api_refuses_bad_input_with_field_errors(api_as, contracts, personas):
    api = api_as(personas["dunhua"])
    bad = api.get("/api/v1/health/contracts/", {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    cursor = api.get("/api/v1/health/contracts/", {"cursor": "garbage"})
    assert cursor.status_code == 400 and cursor.json()["errors"]["cursor"] == ["分页游标无效。"]
    c = contracts["father"]
    act = api.post(f"/api/v1/health/contracts/{c.pk}/act/", {"action": "renew", "years": 9}, format="json")
    assert act.status_code == 400 and "years" in act.json()["errors"]
    early = api.post(f"/api/v1/health/contracts/{contracts['head'].pk}/act/", {"action": "renew"}, format="json")
    assert early.status_code == 409 and "续约" in early.json()["detail"]
    ok = api.post(f"/api/v1/health/contracts/{c.pk}/act/", {"action": "renew", "years": 1, "version": c.version},
                  format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "active"


def test_the_api_answers_404_403_401_by_persona(api_as, client, contracts, personas):
    from rest_framework.test import APIClient

    c = contracts["father"]
    assert api_as(personas["kongjiang"]).get(f"/api/v1/health/contracts/{c.pk}/").status_code == 404
    assert api_as(personas["kongjiang"]).post(f"/api/v1/health/contracts/{c.pk}/act/",
                                              {"action": "terminate", "reason": "moved"},
                                              format="json").status_code == 404
    assert api_as(personas["leader"]).post(f"/api/v1/health/contracts/{c.pk}/act/",
                                           {"action": "terminate", "reason": "moved"},
                                           format="json").status_code == 403
    assert api_as(personas["clerk"]).get("/api/v1/health/contracts/").status_code == 403
    assert APIClient().get("/api/v1/health/contracts/").status_code in (401, 403)
    kj = api_as(personas["kongjiang"]).get("/api/v1/health/contracts/").json()
    assert [r["resident_name"] for r in kj["results"]] == ["赵师傅"]


def test_the_resident_sees_his_own_and_his_households_contracts_only(client_as, contracts, people, personas):
    from shequ.portal import services as portal_services

    account = portal_services.account_for(personas["resident"])
    assert client_as(personas["resident"]).get("/health/m/").status_code == 200
    account.resident = people["head"]  # bound to the head of the 王 household
    account.save()
    text = client_as(personas["resident"]).get("/health/m/").content.decode()
    assert "王建国" in text and "王老伯" in text and "赵师傅" not in text and "高血压" not in text
    assert "沈丽华" in text
    assert client_as(personas["dunhua"]).get("/health/m/").status_code == 403


def test_the_home_pages_show_the_tile_and_the_pending_counter(client_as, contracts, personas):
    home = client_as(personas["dunhua"]).get("/").content.decode()
    assert "待续约签约" in home
    m = client_as(personas["resident"]).get("/m/").content.decode()
    assert "家庭医生" in m


def test_it_audits_a_search_by_full_id_number(client_as, api_as, contracts, people, personas):
    client_as(personas["dunhua"]).get("/health/", {"q": people["father"].id_number})
    api_as(personas["dunhua"]).get("/api/v1/health/contracts/", {"q": people["father"].id_number})
    client_as(personas["dunhua"]).get("/health/sign/", {"id_number": people["father"].id_number})
    rows = AuditLog.objects.filter(action="search", object_type="people.resident")
    assert rows.count() == 3 and all(r.detail == {"by": "id_number"} for r in rows)
