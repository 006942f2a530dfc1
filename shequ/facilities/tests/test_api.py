import pytest

from shequ.facilities.models import Booking

from .conftest import at

pytestmark = pytest.mark.django_db

URL = "/api/v1/facilities/"


def _body(room, start, end, purpose="合唱团排练"):
    return {"room": room.pk if hasattr(room, "pk") else room, "start": start.isoformat(), "end": end.isoformat(),
            "purpose": purpose}


def test_it_lists_rooms_in_the_published_shape(net, api_as):
    answer = api_as(net["operator"]).get(URL + "rooms/")
    assert answer.status_code == 200
    rows = answer.json()
    assert isinstance(rows, list)
    assert {r["id"] for r in rows} == {net["hall"].pk, net["studio"].pk}
    studio = next(r for r in rows if r["id"] == net["studio"].pk)
    assert studio == {"id": net["studio"].pk, "name": "舞蹈房", "facility": net["centre"].pk, "capacity": 30,
                      "bookable": True, "needs_approval": True}


def test_it_books_refuses_a_double_booking_and_frees_the_slot_on_cancel(net, api_as):
    api = api_as(net["operator"])
    answer = api.post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)), format="json")
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert set(created) == {"id", "status", "room", "start", "end"}
    assert created["status"] == "approved" and created["room"] == net["hall"].pk
    assert created["start"].startswith("2026-09-29T10:00:00")
    again = api.post(URL + "bookings/", _body(net["hall"], at(9, 29, 10, 30), at(9, 29, 12)), format="json")
    assert again.status_code == 409 and "start" in again.json()["errors"]
    adjacent = api.post(URL + "bookings/", _body(net["hall"], at(9, 29, 11), at(9, 29, 12)), format="json")
    assert adjacent.status_code == 201
    cancel = api.post(URL + f"bookings/{created['id']}/cancel/", {}, format="json")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert api.post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)),
                    format="json").status_code == 201


@pytest.mark.parametrize("change,field", [
    ({"start": "2026-09-29 25:00"}, "start"),
    ({"start": "not a date"}, "start"),
    ({"end": "2026-09-29T09:00:00+08:00"}, "end"),
    ({"start": "2026-09-27T10:00:00+08:00", "end": "2026-09-27T11:00:00+08:00"}, "start"),
    ({"start": "2026-09-29T06:00:00+08:00", "end": "2026-09-29T07:00:00+08:00"}, "start"),
    ({"room": 999999}, "room"),
    ({"room": "abc"}, "room"),
    ({"purpose": "排" * 5000}, "purpose"),
    ({"purpose": ""}, "purpose"),
], ids=["hour25", "malformed", "end-before-start", "past", "before-opening", "unknown-room", "room-not-int",
        "huge-purpose", "empty-purpose"])
def test_it_answers_bad_input_with_field_errors(net, api_as, change, field):
    body = {**_body(net["hall"], at(9, 29, 10), at(9, 29, 11)), **change}
    answer = api_as(net["operator"]).post(URL + "bookings/", body, format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["errors"] and answer.json()["detail"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("missing", ["room", "start", "end", "purpose"])
def test_it_names_each_missing_field(net, api_as, missing):
    body = _body(net["hall"], at(9, 29, 10), at(9, 29, 11))
    del body[missing]
    answer = api_as(net["operator"]).post(URL + "bookings/", body, format="json")
    assert answer.status_code == 400 and missing in answer.json()["errors"]


def test_it_treats_a_room_outside_scope_as_unknown(net, api_as, personas):
    other = api_as(net["other_operator"])
    assert other.get(URL + f"rooms/{net['hall'].pk}/").status_code == 404
    answer = other.post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)), format="json")
    assert answer.status_code == 400 and "room" in answer.json()["errors"]
    booking = api_as(net["operator"]).post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)),
                                           format="json").json()
    for user in (net["other_operator"], personas["kongjiang"], personas["resident"]):
        client = api_as(user)
        assert client.get(URL + f"bookings/{booking['id']}/").status_code == 404
        assert client.post(URL + f"bookings/{booking['id']}/cancel/", {}, format="json").status_code == 404


def test_it_shows_a_resident_only_his_own_bookings(net, api_as, personas):
    resident = api_as(personas["resident"])
    mine = resident.post(URL + "bookings/", _body(net["studio"], at(9, 29, 10), at(9, 29, 11), "读书会"),
                         format="json")
    assert mine.status_code == 201 and mine.json()["status"] == "pending"
    api_as(net["operator"]).post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)), format="json")
    listed = resident.get(URL + "bookings/").json()["results"]
    assert [b["id"] for b in listed] == [mine.json()["id"]]
    assert resident.post(URL + f"bookings/{mine.json()['id']}/approve/").status_code == 403


def test_it_runs_the_approval_through_the_api(net, api_as, personas):
    request = api_as(personas["dunhua"]).post(URL + "bookings/", _body(net["studio"], at(9, 29, 10), at(9, 29, 11)),
                                              format="json").json()
    assert request["status"] == "pending"
    assert api_as(personas["dunhua"]).post(URL + f"bookings/{request['id']}/approve/").status_code == 403
    assert api_as(net["other_operator"]).post(URL + f"bookings/{request['id']}/approve/").status_code == 404
    detail = api_as(net["operator"]).get(URL + f"bookings/{request['id']}/").json()
    assert set(detail["actions"]) == {"approve", "reject", "cancel"}
    reject = api_as(net["operator"]).post(URL + f"bookings/{request['id']}/reject/", {"reason": ""}, format="json")
    assert reject.status_code == 400 and "reason" in reject.json()["errors"]
    approve = api_as(net["operator"]).post(URL + f"bookings/{request['id']}/approve/")
    assert approve.status_code == 200 and approve.json()["status"] == "approved"
    assert api_as(net["operator"]).post(URL + f"bookings/{request['id']}/approve/").status_code == 409


def test_it_reports_the_clashing_weeks_of_a_series(net, api_as, personas):
    api = api_as(personas["dunhua"])
    api.post(URL + "bookings/", _body(net["hall"], at(10, 13, 14), at(10, 13, 15)), format="json")
    body = {**_body(net["hall"], at(9, 29, 14), at(9, 29, 16), "合唱团"), "weeks": 4}
    answer = api.post(URL + "bookings/series/", body, format="json")
    assert answer.status_code == 409 and len(answer.json()["errors"]["dates"]) == 2
    answer = api.post(URL + "bookings/series/", {**body, "skip": ["2026-10-06", "2026-10-13"]}, format="json")
    assert answer.status_code == 201 and len(answer.json()) == 2


def test_it_refuses_anonymous_and_roles_without_the_capability(net, api_as, personas, client):
    assert client.get(URL + "rooms/").status_code in (401, 403)
    assert api_as(personas["patrol"]).get(URL + "rooms/").status_code == 403
    assert api_as(personas["sysadmin"]).post(URL + "bookings/", _body(net["hall"], at(9, 29, 10), at(9, 29, 11)),
                                             format="json").status_code == 403
