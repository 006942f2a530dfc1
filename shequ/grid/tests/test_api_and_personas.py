import pytest
from django.urls import reverse

from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.models import Case
from shequ.grid.tests.conftest import DUNHUA, KONGJIANG, OUTSIDE, act, jpeg, report

pytestmark = pytest.mark.django_db
CASES = "/api/v1/grid/cases/"


def _dispatched(env, unit="chengguan"):
    return act(env, act(env, report(env), A.FILE, "shiftlead"), A.DISPATCH, "dispatcher", unit=env[unit])


def test_it_creates_a_case_with_lat_lng_and_returns_its_grid_code(env, api_as):
    response = api_as(env["inspector"]).post(CASES, {"category": "E0102", "description": "路边暴露垃圾",
                                                     "lat": DUNHUA[0], "lng": DUNHUA[1]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == env["grid_dunhua"].code and body["status"] == "reported"
    assert body["committee"] == env["node_dunhua"].code


def test_it_answers_400_with_detail_and_errors_for_bad_input(env, api_as):
    client = api_as(env["inspector"])
    outside = client.post(CASES, {"category": "E0102", "description": "路边暴露垃圾", "lat": OUTSIDE[0],
                                  "lng": OUTSIDE[1]}, format="json")
    assert outside.status_code == 400 and "location" in outside.json()["errors"]
    unknown = client.post(CASES, {"category": "X1", "description": "路边暴露垃圾", "lat": DUNHUA[0],
                                  "lng": DUNHUA[1]}, format="json")
    assert unknown.status_code == 400 and "category" in unknown.json()["errors"]
    missing = client.post(CASES, {"lat": DUNHUA[0]}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"detail", "errors"}
    not_json = client.post(CASES, "{bad", content_type="application/json")
    assert not_json.status_code == 400
    assert not Case.objects.exists()


def test_it_refuses_a_non_image_photo_over_the_api(env, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")
    response = api_as(env["inspector"]).post(CASES, {"category": "E0102", "description": "路边暴露垃圾",
                                                     "lat": DUNHUA[0], "lng": DUNHUA[1], "photos": [fake]},
                                             format="multipart")
    assert response.status_code == 400 and not Case.objects.exists()
    good = jpeg()
    ok = api_as(env["inspector"]).post(CASES, {"category": "E0102", "description": "路边暴露垃圾", "lat": DUNHUA[0],
                                               "lng": DUNHUA[1], "photos": [good]}, format="multipart")
    assert ok.status_code == 201 and len(ok.json()["photos"]) == 1


def test_it_exposes_transitions_as_actions_and_409s_illegal_ones(env, api_as):
    case = report(env)
    shift = api_as(env["shiftlead"])
    too_early = shift.post(f"{CASES}{case.pk}/close/", {}, format="json")
    assert too_early.status_code == 409
    assert set(too_early.json()) == {"detail", "errors"} and "status" in too_early.json()["errors"]
    filed = shift.post(f"{CASES}{case.pk}/file/", {"note": "立案"}, format="json")
    assert filed.status_code == 200 and filed.json()["status"] == "filed"
    dispatched = api_as(env["dispatcher"]).post(f"{CASES}{case.pk}/dispatch/", {"unit": "CGZF"}, format="json")
    assert dispatched.status_code == 200 and dispatched.json()["unit"] == "CGZF"
    assert dispatched.json()["deadline"]
    signed = api_as(env["cgzf"]).post(f"{CASES}{case.pk}/sign/", {}, format="json")
    assert signed.json()["status"] == "handling"
    stale = api_as(env["cgzf"]).post(f"{CASES}{case.pk}/feedback/", {"note": "已处置", "version": 1}, format="json")
    assert stale.status_code == 412
    ext = api_as(env["cgzf"]).post(f"{CASES}{case.pk}/request-extension/", {"hours": 8, "note": "需协调"},
                                   format="json")
    assert ext.status_code == 200
    bad_unit = api_as(env["dispatcher"]).post(f"{CASES}{report(env).pk}/dispatch/", {"unit": "NOPE"}, format="json")
    assert bad_unit.status_code == 409  # not filed yet: the order is checked first


def test_it_hides_another_departments_case_from_a_handler(env, api_as, client_as):
    case = _dispatched(env)
    officer = api_as(env["officer"])  # 民政
    assert officer.get(f"{CASES}{case.pk}/").status_code == 404
    assert officer.post(f"{CASES}{case.pk}/sign/", {}, format="json").status_code == 404
    assert officer.get(CASES).json()["results"] == []
    html = client_as(env["officer"]).post(reverse("grid:case-act", args=[case.pk, "sign"]), {"version": case.version})
    assert html.status_code == 404
    case.refresh_from_db()
    assert case.status == S.DISPATCHED
    mine = api_as(env["cgzf"]).get(CASES).json()["results"]
    assert [c["number"] for c in mine] == [case.number]


def test_it_scopes_cases_by_committee_for_committee_workers(env, client_as, api_as):
    in_dunhua = report(env)
    in_kongjiang = report(env, point=KONGJIANG)
    assert client_as(env["dunhua"]).get(reverse("grid:case-detail", args=[in_dunhua.pk])).status_code == 200
    assert client_as(env["dunhua"]).get(reverse("grid:case-detail", args=[in_kongjiang.pk])).status_code == 404
    assert client_as(env["kongjiang"]).get(reverse("grid:case-detail", args=[in_dunhua.pk])).status_code == 404
    assert client_as(env["yinxing"]).get(reverse("grid:case-detail", args=[in_dunhua.pk])).status_code == 404
    numbers = [c["number"] for c in api_as(env["dunhua"]).get(CASES).json()["results"]]
    assert numbers == [in_dunhua.number]


def test_it_keeps_anonymous_users_and_residents_out(env, client, api_as):
    case = report(env)
    response = client.get(reverse("grid:case-detail", args=[case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from rest_framework.test import APIClient

    assert APIClient().get(CASES).status_code in (401, 403)
    assert api_as(env["resident"]).get(CASES).status_code == 403
    assert api_as(env["sysadmin"]).get(CASES).status_code == 403  # 三权分立: no business access


def test_it_locates_a_point_and_lists_categories(env, api_as):
    client = api_as(env["inspector"])
    assert client.get("/api/v1/grid/grids/locate/", {"lat": DUNHUA[0], "lng": DUNHUA[1]}).json()["grid"] == \
        env["grid_dunhua"].code
    assert client.get("/api/v1/grid/grids/locate/", {"lat": OUTSIDE[0], "lng": OUTSIDE[1]}).json()["grid"] is None
    assert client.get("/api/v1/grid/grids/locate/", {"lat": "x"}).status_code == 400
    categories = client.get("/api/v1/grid/categories/").json()
    assert len(categories) >= 40 and {c["kind"] for c in categories} == {"component", "event"}
    assert len(client.get("/api/v1/grid/grids/").json()["features"]) == 2


def test_it_serves_indicators_over_the_api(env, api_as):
    case = _dispatched(env)
    act(env, case, A.SIGN, "cgzf")
    body = api_as(env["leader"]).get("/api/v1/grid/indicators/", {"by": "committee"}).json()
    assert body["rows"][0]["filed"] == 1
    assert api_as(env["leader"]).get("/api/v1/grid/indicators/", {"start": "bad"}).status_code == 400
    assert api_as(env["cgzf"]).get("/api/v1/grid/indicators/").status_code == 403


def test_it_lists_duplicates_over_the_api(env, api_as):
    first = report(env)
    second = report(env, point=(DUNHUA[0] + 0.0001, DUNHUA[1]))
    body = api_as(env["operator"]).get(f"{CASES}{second.pk}/duplicates/").json()
    assert body[0]["number"] == first.number and body[0]["distance_m"] < 20
