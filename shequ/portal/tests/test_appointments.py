"""预约: slots, capacity, the booking and cancelling rules, the no-show rule, 代办, the kiosk check-in and the API
contract."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError
from shequ.core.models import AuditLog
from shequ.portal import services
from shequ.portal.choices import AppointmentStatus
from shequ.portal.models import Appointment, AppointmentSlot

from .conftest import make_account


def book(account, slot, item, **kw):
    return services.appointment_book(account=account, slot_id=slot.pk, item_id=item.pk, **kw)


@pytest.mark.django_db
def test_it_books_a_slot_and_gives_a_code(me, slots, centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = book(me, slots["b9"], centre["dibao"])
    assert len(a.code) == 8 and a.status == AppointmentStatus.BOOKED
    assert AppointmentSlot.objects.get(pk=slots["b9"].pk).booked == 1
    assert me.user.notifications.filter(title__contains="预约成功").exists()


@pytest.mark.django_db
def test_it_refuses_a_full_slot_with_a_conflict(me, other, slots, centre, family):
    book(me, slots["b9"], centre["dibao"])
    book(other, slots["b9"], centre["dibao"])
    third = make_account("third", family["sister"])
    with pytest.raises(ConflictError, match="约满"):
        book(third, slots["b9"], centre["dibao"])
    assert AppointmentSlot.objects.get(pk=slots["b9"].pk).booked == 2


@pytest.mark.django_db
def test_it_refuses_a_past_slot_an_unknown_item_and_an_item_of_another_category(me, slots, centre):
    with pytest.raises(DomainError) as exc:
        services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=999999)
    assert "item" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        book(me, slots["b9"], centre["instant"])  # category A item in a B slot
    assert "item" in exc.value.errors
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(slots["day"], dt.time(9, 30))), tick=False):
        with pytest.raises(DomainError) as exc:
            book(me, slots["b9"], centre["dibao"])
    assert "slot" in exc.value.errors and not isinstance(exc.value, ConflictError)


@pytest.mark.django_db
def test_it_limits_open_appointments_per_person(me, slots, centre, settings):
    settings.PORTAL_BOOKING_RULES = {"MAX_OPEN": 2}
    book(me, slots["b9"], centre["dibao"])
    book(me, slots["b10"], centre["dibao"])
    with pytest.raises(DomainError, match="最多"):
        book(me, slots["a9"], centre["instant"])


@pytest.mark.django_db
def test_it_frees_the_seat_on_cancel_and_refuses_after_the_start(me, other, slots, centre):
    a = book(me, slots["b9"], centre["dibao"])
    services.appointment_cancel(account=me, appointment=a)
    assert AppointmentSlot.objects.get(pk=slots["b9"].pk).booked == 0
    with pytest.raises(ConflictError):
        services.appointment_cancel(account=me, appointment=a)
    b = book(me, slots["b10"], centre["dibao"])
    with pytest.raises(DomainError):
        services.appointment_cancel(account=other, appointment=b)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(slots["day"], dt.time(10, 5))), tick=False):
        with pytest.raises(ConflictError, match="已开始"):
            services.appointment_cancel(account=me, appointment=b)


@pytest.mark.django_db
def test_it_bars_booking_after_repeated_no_shows(me, slots, centre, settings):
    settings.PORTAL_BOOKING_RULES = {"NO_SHOW_LIMIT": 2, "BAR_DAYS": 30}
    book(me, slots["b9"], centre["dibao"])
    book(me, slots["b10"], centre["dibao"])
    assert services.appointments_mark_no_show(day=slots["day"]) == 2
    me.refresh_from_db()
    assert me.barred_until == slots["day"] + dt.timedelta(days=30)
    with pytest.raises(DomainError, match="暂停网上预约"):
        book(me, slots["a9"], centre["instant"])


@pytest.mark.django_db
def test_it_does_not_bar_after_a_single_no_show(me, slots, centre, settings):
    settings.PORTAL_BOOKING_RULES = {"NO_SHOW_LIMIT": 2}
    book(me, slots["b9"], centre["dibao"])
    services.appointments_mark_no_show(day=slots["day"])
    me.refresh_from_db()
    assert me.barred_until is None
    book(me, slots["b10"], centre["dibao"])


@pytest.mark.django_db
def test_it_books_for_a_parent_and_records_who_acted_for_whom(me, slots, centre, family):
    a = book(me, slots["b9"], centre["long"], for_resident_id=family["father"].pk)
    assert a.for_resident == family["father"]
    log = AuditLog.objects.filter(object_type="portal.appointment", object_id=str(a.pk)).get()
    assert log.detail["acting_for"] == family["father"].pk and log.detail["acting_by"] == family["head"].pk
    with pytest.raises(DomainError):
        book(me, slots["b10"], centre["long"], for_resident_id=family["sister"].pk)
    with pytest.raises(DomainError):
        book(me, slots["b10"], centre["long"], for_resident_id=family["neighbour"].pk)


@pytest.mark.django_db
def test_it_lets_an_unbound_account_book(slots, centre):
    account = make_account("newcomer")
    assert book(account, slots["b9"], centre["dibao"]).pk


@pytest.mark.django_db
def test_it_checks_in_within_the_window_and_issues_a_ticket(me, slots, centre):
    a = book(me, slots["b9"], centre["dibao"])
    start = timezone.make_aware(dt.datetime.combine(slots["day"], dt.time(9, 0)))
    with time_machine.travel(start - dt.timedelta(minutes=45), tick=False):
        with pytest.raises(DomainError, match="稍后"):
            services.appointment_check_in(code=a.code, node=centre["sub"], actor=centre["clerk"])
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        with pytest.raises(DomainError, match="已超过"):
            services.appointment_check_in(code=a.code, node=centre["sub"], actor=centre["clerk"])
    with time_machine.travel(start - dt.timedelta(minutes=10), tick=False):
        with pytest.raises(DomainError):
            services.appointment_check_in(code="WRONGCOD", node=centre["sub"], actor=centre["clerk"])
        done = services.appointment_check_in(code=a.code.lower(), node=centre["sub"], actor=centre["clerk"])
        assert done.status == AppointmentStatus.CHECKED_IN and done.ticket.number.startswith("YB")
        with pytest.raises(ConflictError):
            services.appointment_check_in(code=a.code, node=centre["sub"], actor=centre["clerk"])


@pytest.mark.django_db
def test_it_lets_only_the_hall_supervisor_publish_slots(centre, personas):
    day = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(DomainError):
        services.slot_publish(actor=centre["clerk"], node=centre["sub"], date=day, start=dt.time(9),
                              end=dt.time(10), category=centre["A"], capacity=3)
    with pytest.raises(DomainError) as exc:
        services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=day, start=dt.time(10),
                              end=dt.time(9), category=centre["A"], capacity=0)
    assert {"end", "capacity"} <= set(exc.value.errors)
    weekend = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    slot = services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=weekend, start=dt.time(9),
                                 end=dt.time(11, 30), category=centre["A"], capacity=3)
    assert slot.date.weekday() == 5
    with pytest.raises(ConflictError):
        services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=weekend, start=dt.time(9),
                              end=dt.time(10), category=centre["A"], capacity=3)


# --- parallel bookings --------------------------------------------------------------------------------------------
# The worker threads use a file copy of the test database (threaded_db); state is written and read through threads.

@pytest.mark.django_db(transaction=True)
def test_it_never_overbooks_a_slot_under_parallel_bookings(centre, threaded_db):
    from shequ.acceptance.tests.conftest import in_thread, in_threads
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    day = timezone.localdate() + dt.timedelta(days=2)

    def setup():
        slot = services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=day, start=dt.time(9),
                                     end=dt.time(10), category=centre["B"], capacity=5)
        return slot.pk, [services.account_for(make_user(Role.RESIDENT, username=f"p{i}")) for i in range(20)]

    slot_id, accounts = in_thread(setup)
    item_id = centre["dibao"].pk

    def take(index):
        try:
            return services.appointment_book(account=accounts[index], slot_id=slot_id, item_id=item_id).pk
        except ConflictError:
            return "full"

    results = in_threads(take, 20)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert results.count("full") == 15
    booked, rows = in_thread(lambda: (AppointmentSlot.objects.get(pk=slot_id).booked,
                                      Appointment.objects.filter(slot_id=slot_id, status="booked").count()))
    assert booked == rows == 5


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_open_limit_under_parallel_bookings_of_one_person(centre, threaded_db, settings):
    from shequ.acceptance.tests.conftest import in_thread, in_threads
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    settings.PORTAL_BOOKING_RULES = {"MAX_OPEN": 2}
    day = timezone.localdate() + dt.timedelta(days=2)

    def setup():
        ids = [services.slot_publish(actor=centre["supervisor"], node=centre["sub"], date=day, start=dt.time(h),
                                     end=dt.time(h, 30), category=centre["B"], capacity=5).pk for h in range(8, 14)]
        return ids, services.account_for(make_user(Role.RESIDENT, username="eager"))

    slot_ids, account = in_thread(setup)

    def take(index):
        try:
            return services.appointment_book(account=account, slot_id=slot_ids[index], item_id=centre["dibao"].pk).pk
        except DomainError:
            return "refused"

    results = in_threads(take, 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count("refused") == 4
    assert in_thread(lambda: Appointment.objects.filter(account=account).count()) == 2
