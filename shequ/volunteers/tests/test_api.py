"""The published API contract: teams, activities, sign-up (201 / 409 / DELETE), check-in and check-out by code."""

import pytest

from shequ.volunteers import services

from .conftest import at, publish

pytestmark = pytest.mark.django_db


def test_it_lists_the_teams_of_the_callers_subdistrict(org, vols, api_as):
    answer = api_as(vols[0][0]).get("/api/v1/volunteers/teams/")
    assert answer.status_code == 200
    rows = answer.json()
    assert {r["name"] for r in rows} == {"平安志愿服务队", "敦化路红马甲"}
    assert set(rows[0]) == {"id", "name", "kind", "committee"}


def test_the_organiser_publishes_and_a_volunteer_signs_up_checks_in_and_out(org, vols, api_as, clock):
    organiser = api_as(org["vcenter"])
    body = {"title": "敦化路平安巡逻", "team": org["standing"].pk, "start": "2026-09-29T09:00:00+08:00",
            "end": "2026-09-29T11:00:00+08:00", "place": "敦化路1号", "slots": 1}
    created = organiser.post("/api/v1/volunteers/activities/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    first, second = api_as(vols[0][0]), api_as(vols[1][0])
    url = f"/api/v1/volunteers/activities/{pk}/signup/"
    assert first.post(url).json() == {"status": "confirmed", "position": 1}
    assert second.post(url).status_code == 201 and second.post(url).status_code == 409
    detail = first.get(f"/api/v1/volunteers/activities/{pk}/").json()
    assert (detail["confirmed"], detail["waitlisted"]) == (1, 1)
    assert first.delete(url).status_code == 200
    detail = first.get(f"/api/v1/volunteers/activities/{pk}/").json()
    assert (detail["confirmed"], detail["waitlisted"]) == (1, 0)
    from shequ.volunteers.models import Activity

    activity = Activity.objects.get(pk=pk)
    clock.move_to(at(9, 29, 9))
    second = api_as(vols[1][0])  # a new session: the clock jumped past the idle timeout
    bad = second.post(f"/api/v1/volunteers/activities/{pk}/checkin/", {"code": "000000"}, format="json")
    if services.activity_code(activity=activity) != "000000":
        assert bad.status_code == 400 and "code" in bad.json()["errors"]
    code = services.activity_code(activity=activity)
    assert second.post(f"/api/v1/volunteers/activities/{pk}/checkin/", {"code": code}, format="json") \
        .status_code == 200
    clock.move_to(at(9, 29, 11))
    second = api_as(vols[1][0])
    code = services.activity_code(activity=activity)
    out = second.post(f"/api/v1/volunteers/activities/{pk}/checkout/", {"code": code}, format="json")
    assert out.status_code == 200 and out.json()["credited_minutes"] == 120
    clock.move_to(at(9, 29, 12))
    second = api_as(vols[1][0])
    late = second.post(f"/api/v1/volunteers/activities/{pk}/checkout/", {"code": code}, format="json")
    assert late.status_code == 400


def test_a_plain_volunteer_cannot_publish_and_a_foreign_team_is_a_field_error(org, vols, api_as):
    body = {"title": "x", "team": org["standing"].pk, "start": "2026-09-29T09:00:00+08:00",
            "end": "2026-09-29T11:00:00+08:00", "place": "p", "slots": 1}
    assert api_as(vols[0][0]).post("/api/v1/volunteers/activities/", body, format="json").status_code == 403
    far = api_as(org["vcenter"]).post("/api/v1/volunteers/activities/", {**body, "team": org["far_team"].pk},
                                      format="json")
    assert far.status_code == 400 and "team" in far.json()["errors"]
    bad = api_as(org["vcenter"]).post("/api/v1/volunteers/activities/", {**body, "slots": 0, "title": ""},
                                      format="json")
    assert bad.status_code == 400


def test_personas(org, vols, personas, api_as, client):
    activity = publish(org)
    url = f"/api/v1/volunteers/activities/{activity.pk}/"
    assert api_as(personas["dunhua"]).get(url).status_code == 200  # same 街道
    assert api_as(personas["yinxing"]).get(url).status_code == 404  # other 街道
    assert api_as(personas["resident"]).get(url).status_code == 200  # residents see what is published
    assert api_as(personas["clerk"]).get(url).status_code == 403  # no volunteer business
    assert client.get(url).status_code in (401, 403)
    # a resident without a profile is told to register
    answer = api_as(personas["resident"]).post(url + "signup/")
    assert answer.status_code == 400 and "登记" in answer.json()["detail"]
