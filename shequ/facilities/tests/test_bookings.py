import datetime as dt

import pytest
from django.http import Http404

from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.testing import make_user
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.facilities import selectors, services
from shequ.facilities.choices import BookingStatus
from shequ.facilities.models import Booking

from .conftest import at

pytestmark = pytest.mark.django_db


# --- overlaps at the edges ----------------------------------------------------------------------------------------

def test_it_allows_a_booking_that_starts_when_the_previous_ends(net, personas, book):
    leader = personas["leader"]
    book(leader, net["hall"], at(9, 29, 10), at(9, 29, 11))
    after = book(leader, net["hall"], at(9, 29, 11), at(9, 29, 12))
    before = book(leader, net["hall"], at(9, 29, 9), at(9, 29, 10))
    assert after.status == before.status == BookingStatus.APPROVED


@pytest.mark.parametrize("start,end", [((10, 0), (11, 0)), ((10, 15), (10, 45)), ((9, 0), (12, 0)),
                                       ((10, 59), (11, 30)), ((9, 30), (10, 1))],
                         ids=["identical", "inside", "containing", "tail", "head"])
def test_it_refuses_any_overlap(net, personas, book, start, end):
    leader = personas["leader"]
    book(leader, net["hall"], at(9, 29, 10), at(9, 29, 11))
    with pytest.raises(ConflictError) as exc:
        book(leader, net["hall"], at(9, 29, *start), at(9, 29, *end))
    assert exc.value.status_code == 409 and "已被预约" in exc.value.message
    assert Booking.objects.count() == 1


def test_it_books_the_same_time_in_another_room(net, personas, book):
    book(personas["leader"], net["hall"], at(9, 29, 10), at(9, 29, 11))
    assert book(personas["leader"], net["studio"], at(9, 29, 10), at(9, 29, 11)).pk


# --- time rules ---------------------------------------------------------------------------------------------------

def test_it_refuses_end_before_start_and_the_past(net, personas, book):
    with pytest.raises(DomainError) as exc:
        book(personas["leader"], net["hall"], at(9, 29, 11), at(9, 29, 11))
    assert "end" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        book(personas["leader"], net["hall"], at(9, 28, 8), at(9, 28, 10))
    assert exc.value.errors["start"] == ["不能预约已经过去的时间。"]


def test_it_keeps_to_opening_hours(net, personas, book):
    services.opening_hours_set(actor=net["operator"], facility=net["centre"], periods=[
        (0, dt.time(8, 30), dt.time(11, 30)), (0, dt.time(13, 30), dt.time(17)), (1, dt.time(8, 30), dt.time(17))])
    with pytest.raises(DomainError) as exc:  # over the lunch break
        book(personas["leader"], net["hall"], at(10, 12, 11), at(10, 12, 14))
    assert "超出开放时间" in exc.value.errors["start"][0]
    with pytest.raises(DomainError) as exc:  # Wednesday: closed
        book(personas["leader"], net["hall"], at(9, 30, 9), at(9, 30, 10))
    assert "星期三不开放" in exc.value.errors["start"][0]
    assert book(personas["leader"], net["hall"], at(10, 12, 13, 30), at(10, 12, 17)).pk


def test_it_is_closed_on_public_holidays_and_closures(net, personas, book):
    with pytest.raises(DomainError) as exc:  # Thursday 1 October
        book(personas["leader"], net["hall"], at(10, 1, 9), at(10, 1, 10))
    assert "国庆节" in exc.value.errors["start"][0]
    services.closure_create(actor=net["operator"], facility=net["centre"], date_from=dt.date(2026, 10, 12),
                            date_to=dt.date(2026, 10, 13), reason="消防设施检修")
    with pytest.raises(DomainError) as exc:
        book(personas["leader"], net["hall"], at(10, 13, 9), at(10, 13, 10))
    assert "消防设施检修" in exc.value.errors["start"][0]
    net["centre"].closed_on_holidays = False
    net["centre"].save()
    assert book(personas["leader"], net["hall"], at(10, 1, 9), at(10, 1, 10)).pk


def test_it_refuses_bad_text_rather_than_cutting_it(net, personas, book):
    with pytest.raises(DomainError) as exc:
        book(personas["leader"], net["hall"], at(9, 29, 10), at(9, 29, 11), purpose="排" * 201)
    assert "不能超过200个字符" in exc.value.errors["purpose"][0]
    with pytest.raises(DomainError) as exc:
        book(personas["leader"], net["hall"], at(9, 29, 10), at(9, 29, 11), purpose="  ", attendees=500)
    assert set(exc.value.errors) == {"purpose", "attendees"}


# --- approval -----------------------------------------------------------------------------------------------------

def test_it_holds_the_slot_while_a_request_waits_and_lets_the_operator_decide(net, personas, book):
    request = book(personas["dunhua"], net["studio"], at(9, 29, 14), at(9, 29, 16))
    assert request.status == BookingStatus.PENDING
    with pytest.raises(ConflictError):
        book(personas["leader"], net["studio"], at(9, 29, 15), at(9, 29, 17))
    with pytest.raises(ActionForbidden):
        services.booking_approve(actor=personas["dunhua"], booking=request)
    with pytest.raises(ActionNotFound):
        services.booking_approve(actor=net["other_operator"], booking=request)
    approved = services.booking_approve(actor=net["operator"], booking=request)
    assert approved.status == BookingStatus.APPROVED and approved.decided_by == net["operator"]
    with pytest.raises(ConflictError):  # not pending any more
        services.booking_reject(actor=net["operator"], booking=approved, reason="x")


def test_it_books_an_approval_room_directly_for_those_who_run_it(net, personas, book):
    assert book(net["operator"], net["studio"], at(9, 29, 9), at(9, 29, 10)).status == BookingStatus.APPROVED
    assert book(personas["leader"], net["studio"], at(9, 29, 10), at(9, 29, 11)).status == BookingStatus.APPROVED


def test_it_needs_a_reason_to_reject_and_rejecting_frees_the_slot(net, personas, book):
    request = book(personas["dunhua"], net["studio"], at(9, 29, 14), at(9, 29, 16))
    with pytest.raises(DomainError) as exc:
        services.booking_reject(actor=net["operator"], booking=request, reason=" ")
    assert "reason" in exc.value.errors
    rejected = services.booking_reject(actor=personas["leader"], booking=request, reason="当天有街道活动")
    assert rejected.status == BookingStatus.REJECTED and rejected.note == "当天有街道活动"
    assert book(personas["leader"], net["studio"], at(9, 29, 14), at(9, 29, 16)).pk


def test_it_refuses_residents_and_outsiders_any_decision(net, personas, book):
    request = book(personas["resident"], net["studio"], at(9, 29, 14), at(9, 29, 16))
    assert request.status == BookingStatus.PENDING
    for outsider in (personas["kongjiang"], personas["yinxing"], personas["officer"]):
        with pytest.raises((ActionForbidden, ActionNotFound)):
            services.booking_approve(actor=outsider, booking=request)
    with pytest.raises(ActionForbidden):
        services.booking_approve(actor=personas["resident"], booking=request)


# --- recurring ----------------------------------------------------------------------------------------------------

def test_it_lists_the_clashing_weeks_and_books_the_rest_once_confirmed(net, personas, book):
    leader = personas["leader"]
    taken = book(leader, net["hall"], at(10, 13, 14), at(10, 13, 15), purpose="居民议事会")
    start, end = at(9, 29, 14), at(9, 29, 16)  # Tuesdays; 6 October is in the National Day holiday
    plan = services.booking_series_plan(actor=personas["dunhua"], room=net["hall"], start=start, end=end, weeks=4)
    problems = {p["date"]: p["problem"] for p in plan}
    assert problems[dt.date(2026, 9, 29)] == "" and problems[dt.date(2026, 10, 20)] == ""
    assert "国庆节" in problems[dt.date(2026, 10, 6)] and "已被预约" in problems[dt.date(2026, 10, 13)]
    with pytest.raises(services.SeriesClashes) as exc:
        services.booking_series_create(actor=personas["dunhua"], room=net["hall"], start=start, end=end,
                                       purpose="合唱团", weeks=4)
    assert len(exc.value.errors["dates"]) == 2 and "2026年10月13日" in exc.value.errors["dates"][1]
    with pytest.raises(services.SeriesClashes):  # agreeing to skip only one of the two is not enough
        services.booking_series_create(actor=personas["dunhua"], room=net["hall"], start=start, end=end,
                                       purpose="合唱团", weeks=4, skip=[dt.date(2026, 10, 6)])
    assert Booking.objects.count() == 1
    series, bookings = services.booking_series_create(
        actor=personas["dunhua"], room=net["hall"], start=start, end=end, purpose="合唱团", weeks=4,
        skip=[dt.date(2026, 10, 6), dt.date(2026, 10, 13)])
    assert [timezone_date(b.start) for b in bookings] == [dt.date(2026, 9, 29), dt.date(2026, 10, 20)]
    assert series.skipped == ["2026-10-06", "2026-10-13"]
    assert Booking.objects.get(pk=taken.pk).status == BookingStatus.APPROVED


def timezone_date(value):
    from django.utils import timezone

    return timezone.localtime(value).date()


def test_it_refuses_a_series_of_impossible_length(net, personas):
    with pytest.raises(DomainError) as exc:
        services.booking_series_plan(actor=personas["dunhua"], room=net["hall"], start=at(9, 29, 14),
                                     end=at(9, 29, 16), weeks=60)
    assert "weeks" in exc.value.errors


# --- cancel, check-in, no-show ------------------------------------------------------------------------------------

def test_it_frees_the_slot_on_cancel(net, personas, book):
    first = book(personas["dunhua"], net["hall"], at(9, 29, 10), at(9, 29, 11))
    colleague = make_user(Role.COMMITTEE_WORKER, [first.room.facility.node], username="dunhua2")
    with pytest.raises(ActionForbidden):  # a colleague sees the booking but it is not his to cancel
        services.booking_cancel(actor=colleague, booking=first)
    with pytest.raises(ActionNotFound):
        services.booking_cancel(actor=net["other_operator"], booking=first)
    cancelled = services.booking_cancel(actor=personas["dunhua"], booking=first, reason="改期")
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.cancelled_at is not None
    assert book(personas["leader"], net["hall"], at(9, 29, 10), at(9, 29, 11)).status == BookingStatus.APPROVED
    with pytest.raises(ConflictError):
        services.booking_cancel(actor=personas["dunhua"], booking=cancelled)


def test_it_checks_in_within_the_window_and_records_no_shows(net, personas, book):
    clock = net["clock"]
    a = book(personas["dunhua"], net["hall"], at(9, 28, 10), at(9, 28, 11))
    b = book(personas["dunhua"], net["hall"], at(9, 28, 11), at(9, 28, 12))
    with pytest.raises(ConflictError):  # 09:00: more than 30 minutes early
        services.booking_check_in(actor=net["operator"], booking=a)
    clock.move_to(at(9, 28, 9, 40))
    with pytest.raises(ActionForbidden):
        services.booking_check_in(actor=personas["dunhua"], booking=a)
    assert services.booking_check_in(actor=net["operator"], booking=a).status == BookingStatus.CHECKED_IN
    with pytest.raises(ConflictError):  # 11:00 has not come
        services.booking_no_show(actor=net["operator"], booking=b)
    clock.move_to(at(9, 28, 11, 20))
    assert services.booking_no_show(actor=net["operator"], booking=b).status == BookingStatus.NO_SHOW
    with pytest.raises(ConflictError):
        services.booking_check_in(actor=net["operator"], booking=b)


def test_it_closes_past_bookings_on_schedule(net, personas, book):
    from shequ.facilities.tasks import close_past_bookings

    held = book(personas["dunhua"], net["hall"], at(9, 28, 10), at(9, 28, 11))
    missed = book(personas["dunhua"], net["hall"], at(9, 28, 11), at(9, 28, 12))
    waiting = book(personas["dunhua"], net["studio"], at(9, 28, 10), at(9, 28, 11))
    later = book(personas["dunhua"], net["hall"], at(9, 28, 15), at(9, 28, 16))
    net["clock"].move_to(at(9, 28, 10, 5))
    services.booking_check_in(actor=net["operator"], booking=held)
    net["clock"].move_to(at(9, 28, 12, 10))
    assert close_past_bookings.call(since="", due=at(9, 28, 12, 10).isoformat()) == {"no_show": 1, "expired": 1}
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {held.pk: "checked_in", missed.pk: "no_show", waiting.pk: "rejected", later.pk: "approved"}


# --- scope --------------------------------------------------------------------------------------------------------

def test_it_scopes_rooms_and_bookings(net, personas, book):
    mine = book(personas["resident"], net["hall"], at(9, 29, 10), at(9, 29, 11))
    theirs = book(personas["dunhua"], net["hall"], at(9, 29, 11), at(9, 29, 12))
    assert set(selectors.booking_list(user=personas["resident"])) == {mine}
    assert set(selectors.booking_list(user=net["operator"])) == {mine, theirs}
    assert not selectors.booking_list(user=net["other_operator"]).exists()
    assert not selectors.booking_list(user=personas["kongjiang"]).exists()
    for user, pk in ((personas["kongjiang"], theirs.pk), (net["other_operator"], theirs.pk),
                     (personas["resident"], theirs.pk)):
        with pytest.raises(Http404):
            selectors.booking_get(user=user, pk=pk)
    assert set(selectors.room_list(user=personas["dunhua"])) == {net["hall"], net["studio"]}
    assert set(selectors.room_list(user=net["other_operator"])) == {net["point_room"]}
    assert net["far_room"] not in set(selectors.room_list(user=personas["leader"]))
    with pytest.raises(DomainError) as exc:  # a room outside his committee does not exist for him
        book(personas["kongjiang"], net["hall"], at(9, 29, 14), at(9, 29, 15))
    assert "room" in exc.value.errors


def test_it_lets_only_those_who_run_a_facility_edit_its_rooms(net, personas):
    with pytest.raises(Forbidden):
        services.room_create(actor=net["other_operator"], facility=net["centre"], name="书画室", capacity=12)
    with pytest.raises(Forbidden):
        services.room_create(actor=personas["dunhua"], facility=net["centre"], name="书画室", capacity=12)
    room = services.room_create(actor=net["operator"], facility=net["centre"], name="书画室", capacity=12)
    with pytest.raises(Forbidden):  # an operator runs the rooms, not the network
        services.facility_update(actor=net["operator"], facility=net["centre"], level="neighbourhood_centre",
                                 name="改名", node=net["centre"].node, address="x")
    assert room.facility == net["centre"]
