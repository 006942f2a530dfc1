"""The targets pages and the API: personas, the approval and scoring flows through the pages, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.targets import selectors, services
from shequ.targets.config import marks_losing
from shequ.targets.models import Assessment, EcoHousehold, IndicatorEntry

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_it_shows_every_page_to_the_leader(world, client_as):
    c = client_as(world["leader"])
    for path in ("/targets/", "/targets/?year=2026", f"/targets/{world['i']['lc-awareness'].pk}/",
                 f"/targets/{world['i']['grid-close'].pk}/", "/targets/entries/", "/targets/entries/?status=submitted",
                 "/targets/eco/", "/targets/eco/?kind=eco&status=certified&q=王", "/targets/assessments/",
                 "/targets/assessments/new/"):
        assert c.get(path).status_code == 200, path
    page = c.get("/targets/").content.decode()
    assert "低碳延吉" in page and "两下降两提高" in page and "生态文明户" in page


def test_it_keeps_pages_from_those_without_the_capability(world, client_as):
    for who in ("clerk", "patrol", "resident", "sysadmin"):
        assert client_as(world[who]).get("/targets/").status_code == 403, who
    assert client_as(world["dunhua"]).get("/targets/assessments/new/").status_code == 403
    assert client_as(world["leader"]).get("/targets/entries/new/").status_code == 403
    assert client_as(world["yinxing"]).get(f"/targets/{world['i']['lc-awareness'].pk}/").status_code == 404
    assert client_as(world["leader"]).get("/targets/?year=abc").status_code == 400


def test_it_enters_and_approves_through_the_pages(world, client_as):
    worker = client_as(world["dunhua"])
    indicator = world["i"]["lc-awareness"]
    form = {"indicator": indicator.pk, "committee": world["c_dunhua"].pk, "period": "2026-02", "value": "66",
            "note": "问卷统计"}
    response = worker.post("/targets/entries/new/", {**form, "value": "abc", "evidence": pdf()})
    assert response.status_code == 400 and "数值须为数字" in response.content.decode()
    response = worker.post("/targets/entries/new/", form)
    assert response.status_code == 400 and "请上传佐证材料" in response.content.decode()
    response = worker.post("/targets/entries/new/", {**form, "evidence": pdf()})
    assert response.status_code == 302
    entry = IndicatorEntry.objects.get()
    leader = client_as(world["leader"])
    assert "审核通过" in leader.get(f"/targets/entries/{entry.pk}/").content.decode()
    assert worker.post(f"/targets/entries/{entry.pk}/approve/").status_code == 403
    assert client_as(world["kongjiang"]).post(f"/targets/entries/{entry.pk}/approve/").status_code == 404
    assert leader.post(f"/targets/entries/{entry.pk}/bogus/").status_code == 404
    assert leader.post(f"/targets/entries/{entry.pk}/approve/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == "approved"
    evidence = entry.evidence.get()
    download = leader.get(f"/targets/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_as(world["kongjiang"]).get(f"/targets/evidence/{evidence.pk}/").status_code == 404
    assert "66" in leader.get(f"/targets/{indicator.pk}/").content.decode()


def test_it_proposes_and_certifies_eco_households_through_the_pages(world, client_as):
    worker = client_as(world["dunhua"])
    form = {"committee": world["c_dunhua"].pk, "kind": "eco", "name": "王秀英家庭", "address": "敦化路1号",
            "practices": "垃圾分类", "year": "2026"}
    assert worker.post("/targets/eco/", {**form, "name": ""}).status_code == 400
    assert worker.post("/targets/eco/", {**form, "committee": world["c_kongjiang"].pk}).status_code == 400
    assert worker.post("/targets/eco/", form).status_code == 302
    household = EcoHousehold.objects.get()
    assert client_as(world["leader"]).post("/targets/eco/", form).status_code == 404
    assert worker.post(f"/targets/eco/{household.pk}/certify/").status_code == 403
    assert client_as(world["leader"]).post(f"/targets/eco/{household.pk}/certify/").status_code == 302
    household.refresh_from_db()
    assert household.certificate_no == "生态〔2026〕第0001号"
    assert "生态〔2026〕第0001号" in worker.get(f"/targets/eco/{household.pk}/").content.decode()


def test_it_runs_an_assessment_through_the_pages(world, client_as):
    leader = client_as(world["leader"])
    response = leader.post("/targets/assessments/new/", {
        "title": "节能标准化试点验收", "subject_kind": "pilot", "subject": "杨浦区政府办公大楼",
        "sheet": world["sheet"].pk, "held_on": "2026-03-09", "method": "trimmed",
        "experts": [world["leader"].pk, world["officer"].pk]})
    assert response.status_code == 400 and "至少需要三位专家" in response.content.decode()
    response = leader.post("/targets/assessments/new/", {
        "title": "节能标准化试点验收", "subject_kind": "pilot", "subject": "杨浦区政府办公大楼",
        "sheet": world["sheet"].pk, "held_on": "2026-03-09", "method": "trimmed",
        "experts": [world["leader"].pk, world["officer"].pk, world["expert"].pk]})
    assert response.status_code == 302
    a = Assessment.objects.get()
    layout = selectors.sheet_layout(sheet=world["sheet"])
    first = next(i for _s, items in layout for i in items)
    page = client_as(world["expert"]).get(f"/targets/assessments/{a.pk}/").content.decode()
    assert "提交评分" in page
    for who, base, feature in (("leader", 86, 7), ("officer", 88, 8), ("expert", 91, 9)):
        marks = marks_losing(layout, base_loss=100 - base, feature_loss=10 - feature)
        c = client_as(world[who])
        bad = c.post(f"/targets/assessments/{a.pk}/score/", {**{f"item_{k}": v for k, v in marks.items()},
                                                             f"item_{first.pk}": "99"})
        assert bad.status_code == 400 and "须在" in bad.content.decode()
        ok = c.post(f"/targets/assessments/{a.pk}/score/", {f"item_{k}": v for k, v in marks.items()})
        assert ok.status_code == 302
    assert client_as(world["clerk"]).post(f"/targets/assessments/{a.pk}/score/", {}).status_code == 403
    assert leader.get(f"/targets/assessments/{a.pk}/result.pdf").status_code == 404  # not signed yet
    assert leader.post(f"/targets/assessments/{a.pk}/sign/", {"conclusion": "同意通过验收。"}).status_code == 302
    a.refresh_from_db()
    assert (a.base_score, a.feature_score) == (88, 8)
    assert "基本分 88 + 特色分 8" in leader.get(f"/targets/assessments/{a.pk}/").content.decode()
    response = leader.get(f"/targets/assessments/{a.pk}/result.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client_as(world["yinxing"]).get(f"/targets/assessments/{a.pk}/result.pdf").status_code == 404


def test_it_answers_the_api_contract(world, client_as, api_client_as=None):
    from rest_framework.test import APIClient

    services.eco_propose(actor=world["dunhua"], committee=world["c_dunhua"], kind="eco", name="王家", address="1号",
                         year=2026)
    client = APIClient()
    assert client.get("/api/v1/targets/").status_code in (401, 403)
    client.force_authenticate(world["leader"])
    response = client.get("/api/v1/targets/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 14
    assert all(set(r) == {"code", "name", "unit", "baseline", "target", "actual", "progress", "period", "source"}
               for r in rows)
    eco = next(r for r in rows if r["code"] == "lc-eco-households")
    assert eco == {"code": "lc-eco-households", "name": "生态文明户", "unit": "户", "baseline": 300.0,
                   "target": 1000.0, "actual": 0.0, "progress": 0.0, "period": "2025-2027", "source": "computed"}
    assert client.get("/api/v1/targets/?period=2026").status_code == 200
    bad = client.get("/api/v1/targets/?period=20x6")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]
    client.force_authenticate(world["yinxing"])
    assert client.get("/api/v1/targets/").json() == []
    client.force_authenticate(world["clerk"])
    assert client.get("/api/v1/targets/").status_code == 403


def test_it_lists_the_targets_with_a_bounded_number_of_queries(world, client_as, django_assert_max_num_queries):
    c = client_as(world["leader"])
    c.get("/targets/")
    with django_assert_max_num_queries(60):
        assert c.get("/targets/").status_code == 200
    assert dt.date  # noqa: B018
