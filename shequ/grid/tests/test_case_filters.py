"""One filter schema for the grid case list (page, export, API) and one period rule (refused, never clamped)."""

import pytest
from django.urls import reverse

from shequ.core.models import AuditLog
from shequ.grid.tests.conftest import KONGJIANG, report

pytestmark = pytest.mark.django_db
CASES = "/api/v1/grid/cases/"


@pytest.fixture
def two_cases(env):
    dunhua = report(env, description="敦化路绿化带边有暴露垃圾")
    kongjiang = report(env, point=KONGJIANG, address="控江路645弄", description="控江路有暴露垃圾")
    return dunhua, kongjiang


def _page_numbers(client, params):
    body = client.get(reverse("grid:case-list"), params, HTTP_HX_REQUEST="true").content.decode()
    return body


def test_it_filters_page_and_api_by_the_same_fields(env, two_cases, client_as, api_as):
    dunhua, kongjiang = two_cases
    params = {"committee": env["node_kongjiang"].pk, "date_from": "2026-03-01", "date_to": "2026-03-31",
              "urgency": kongjiang.urgency}
    page = _page_numbers(client_as(env["operator"]), params)
    assert kongjiang.number in page and dunhua.number not in page
    api = api_as(env["operator"]).get(CASES, params)
    assert api.status_code == 200
    assert [row["number"] for row in api.json()["results"]] == [kongjiang.number]


def test_it_keeps_the_apis_search_and_takes_the_pages_q(env, two_cases, api_as, client_as):
    dunhua, _kongjiang = two_cases
    for name in ("search", "q"):
        api = api_as(env["operator"]).get(CASES, {name: "敦化路绿化带"})
        assert [row["number"] for row in api.json()["results"]] == [dunhua.number]
    assert dunhua.number in _page_numbers(client_as(env["operator"]), {"q": "敦化路绿化带"})


@pytest.mark.parametrize("dates,message", [(("2026-03-10", "2026-03-01"), "止日不得早于起日"),
                                           (("2024-01-01", "2026-03-10"), "不能超过两年")])
def test_it_refuses_a_bad_period_on_the_page_the_export_and_the_api(env, two_cases, client_as, api_as, dates,
                                                                    message):
    params = {"date_from": dates[0], "date_to": dates[1]}
    page = _page_numbers(client_as(env["operator"]), params)
    assert message in page and two_cases[0].number not in page
    api = api_as(env["operator"]).get(CASES, params)
    assert api.status_code == 400 and message in api.json()["errors"]["date_to"][0]
    exports = AuditLog.objects.filter(action="export", object_type="grid.case").count()
    export = client_as(env["operator"]).get(reverse("grid:case-export"), params)
    assert export.status_code == 302 and "/grid/cases/" in export["Location"]
    assert AuditLog.objects.filter(action="export", object_type="grid.case").count() == exports


def test_it_refuses_an_unknown_status_over_the_api(env, two_cases, api_as):
    response = api_as(env["operator"]).get(CASES, {"status": "bogus"})
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_it_exports_with_the_lists_filters_and_audits_them(env, two_cases, client_as):
    response = client_as(env["operator"]).get(reverse("grid:case-export"), {"committee": env["node_kongjiang"].pk})
    assert response.status_code == 200
    row = AuditLog.objects.filter(action="export", object_type="grid.case").latest("id")
    assert row.detail["rows"] == 1 and row.detail["filters"] == {"committee_id": str(env["node_kongjiang"].pk)}


def test_it_refuses_an_evaluation_period_over_two_years_on_the_page_and_the_api(env, client_as, api_as):
    page = client_as(env["operator"]).get(reverse("grid:stats"), {"preset": "custom", "start": "2024-01-01",
                                                                  "end": "2026-03-10"}).content.decode()
    assert "不能超过两年" in page
    api = api_as(env["operator"]).get("/api/v1/grid/indicators/", {"start": "2024-01-01", "end": "2026-03-10"})
    assert api.status_code == 400 and "不能超过两年" in api.json()["errors"]["end"][0]
    ok = api_as(env["operator"]).get("/api/v1/grid/indicators/", {"start": "2025-03-10", "end": "2026-03-10"})
    assert ok.status_code == 200
