"""The "Y 预约" lane (a checked-in appointment is called before walk-ins of its category, shown so on the hall's
screens) and the no-show marking that runs from the schedule, not by hand."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shequ.acceptance.selectors.queue import people_ahead, queue_state
from shequ.acceptance.services.queue import ticket_issue, window_call_next
from shequ.core import schedule
from shequ.core.errors import ConflictError
from shequ.core.tasks import run_ready_tasks
from shequ.portal import services
from shequ.portal.choices import AppointmentStatus
from shequ.portal.models import Appointment

from .conftest import make_account


def _start(slots, hour=9):
    return timezone.make_aware(dt.datetime.combine(slots["day"], dt.time(hour, 0)))


@pytest.fixture
def open_hall(settings):
    settings.SHEQU_HALL_HOURS = ""


@pytest.mark.django_db
def test_a_checked_in_appointment_is_called_before_earlier_walk_ins_of_its_category(me, slots, centre, open_hall):
    a = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    with time_machine.travel(_start(slots) - dt.timedelta(minutes=10), tick=True):
        sub = centre["sub"]
        walk_b1 = ticket_issue(node=sub, category="B")
        walk_b2 = ticket_issue(node=sub, category="B")
        walk_a = ticket_issue(node=sub, category="A")
        done = services.appointment_check_in(code=a.code, node=sub, actor=centre["clerk"])
        y = done.ticket
        assert y.number.startswith("YB") and y.category_id == centre["B"].pk
        # The Y ticket has nobody ahead; the walk-ins now have it ahead of them.
        assert people_ahead(y) == 0
        assert people_ahead(walk_b1) == 1 and people_ahead(walk_b2) == 2
        state = next(s for s in queue_state(node=sub) if s.category.letter == "B")
        assert state.waiting == 3 and state.booked_waiting == 1
        # Window 2 serves B first: the appointment, then the walk-ins in order.
        first = window_call_next(actor=centre["clerk"], window=centre["w2"])
        assert first.pk == y.pk
        # Window 1 serves A before B: its own category's walk-in comes first (the lane is within a category).
        assert window_call_next(actor=centre["clerk2"], window=centre["w1"]).pk == walk_a.pk


@pytest.mark.django_db
def test_the_hall_and_window_screens_mark_the_appointment_lane(me, slots, centre, open_hall, client):
    a = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    with time_machine.travel(_start(slots) - dt.timedelta(minutes=10), tick=True):
        ticket_issue(node=centre["sub"], category="B")
        y = services.appointment_check_in(code=a.code, node=centre["sub"], actor=centre["clerk"]).ticket
        window_call_next(actor=centre["clerk"], window=centre["w2"])
        client.force_login(centre["supervisor"])
        from django.urls import reverse

        body = client.get(reverse("acceptance:hall-display")).content.decode()
        assert y.number in body and "badge bg-success" in body and "其中预约" not in body  # called, not waiting
        body = client.get(reverse("acceptance:window-display", args=[centre["w2"].number])).content.decode()
        assert y.number in body and "badge bg-success" in body


@pytest.mark.django_db
def test_no_shows_are_marked_by_the_schedule_as_the_check_in_window_closes(me, slots, centre, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.PORTAL_BOOKING_RULES = {"NO_SHOW_LIMIT": 2, "BAR_DAYS": 30}
    nine = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    ten = services.appointment_book(account=me, slot_id=slots["b10"].pk, item_id=centre["dibao"].pk)
    assert any(e.name == "portal.no_show" for e in schedule.entries())
    # 9:10 — within 9:00's check-in window: nothing is marked.
    with time_machine.travel(_start(slots) + dt.timedelta(minutes=10), tick=False):
        assert "portal.no_show" in schedule.schedule_tick()
        run_ready_tasks()
    assert Appointment.objects.get(pk=nine.pk).status == AppointmentStatus.BOOKED
    # 9:30 — 9:00's window closed: that one is a no-show, 10:00's is still booked and can be checked in.
    with time_machine.travel(_start(slots) + dt.timedelta(minutes=30), tick=False):
        schedule.schedule_tick()
        run_ready_tasks()
        with pytest.raises(ConflictError):
            services.appointment_check_in(code=nine.code, node=centre["sub"], actor=centre["clerk"])
    assert Appointment.objects.get(pk=nine.pk).status == AppointmentStatus.NO_SHOW
    assert Appointment.objects.get(pk=ten.pk).status == AppointmentStatus.BOOKED
    me.refresh_from_db()
    assert me.barred_until is None
    # 10:30 — the second no-show bars booking (the rule), and the resident is told.
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(_start(slots, 10) + dt.timedelta(minutes=30), tick=False):
            schedule.schedule_tick()
            run_ready_tasks()
    me.refresh_from_db()
    assert me.barred_until == slots["day"] + dt.timedelta(days=30)
    assert me.user.notifications.filter(title="网上预约已暂停").exists()
    # Running again changes nothing.
    assert services.appointments_mark_no_show_due(now=_start(slots, 11)) == 0


@pytest.mark.django_db
def test_a_checked_in_or_cancelled_appointment_is_never_a_no_show(me, slots, centre, open_hall):
    other = make_account("someone")
    a = services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    b = services.appointment_book(account=other, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    services.appointment_cancel(account=other, appointment=b)
    with time_machine.travel(_start(slots) - dt.timedelta(minutes=5), tick=False):
        services.appointment_check_in(code=a.code, node=centre["sub"], actor=centre["clerk"])
    assert services.appointments_mark_no_show_due(now=_start(slots, 12)) == 0
    assert Appointment.objects.get(pk=a.pk).status == AppointmentStatus.CHECKED_IN
    assert Appointment.objects.get(pk=b.pk).status == AppointmentStatus.CANCELLED
