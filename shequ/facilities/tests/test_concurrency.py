"""Many people booking one slot at the same moment: exactly one gets it, on SQLite (serialised writers) and on
PostgreSQL (the room row lock, and the exclusion constraint behind it)."""

import datetime as dt
import zoneinfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shequ.core.choices import Role
from shequ.core.errors import ConflictError
from shequ.core.testing import build_tree, make_user, run_threads
from shequ.facilities import services
from shequ.facilities.choices import FacilityLevel
from shequ.facilities.models import Booking, Room

pytestmark = pytest.mark.django_db(transaction=True)
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def room(threaded_db):
    def prepare():
        tree = build_tree()
        facility = services.facility_create(actor=None, level=FacilityLevel.NEIGHBOURHOOD_CENTRE, name="敦化路睦邻中心",
                                            node=tree["dunhua"], address="敦化路1号", closed_on_holidays=False)
        services.opening_hours_set(actor=None, facility=facility,
                                   periods=[(d, dt.time(0), dt.time(23, 59)) for d in range(7)])
        room = services.room_create(actor=None, facility=facility, name="多功能厅", capacity=80)
        users = [make_user(Role.LEADER, [tree["sub"]], username=f"leader{i}") for i in range(8)]
        return room.pk, [u.pk for u in users]

    return run_threads(lambda _i: prepare(), 1)[0]


def test_it_gives_a_contested_slot_to_exactly_one_of_many(room):
    from shequ.core.models import User

    room_pk, user_pks = room
    start = timezone.now().astimezone(SH).replace(microsecond=0) + dt.timedelta(days=2)
    start = start.replace(hour=10, minute=0, second=0)

    def attempt(index):
        actor = User.objects.get(pk=user_pks[index])
        offset = dt.timedelta(minutes=index * 5)  # every range overlaps every other
        try:
            return services.booking_create(actor=actor, room=Room.objects.get(pk=room_pk), start=start + offset,
                                           end=start + offset + dt.timedelta(hours=1), purpose=f"活动{index}").pk
        except ConflictError as exc:
            return exc

    results = run_threads(attempt, len(user_pks))
    wins = [r for r in results if isinstance(r, int)]
    assert len(wins) == 1, results
    assert all(isinstance(r, ConflictError) for r in results if not isinstance(r, int)), results
    assert run_threads(lambda _i: Booking.objects.count(), 1)[0] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_it_is_refused_by_the_database_even_past_the_service(room):
    room_pk, user_pks = room
    start = dt.datetime(2030, 1, 7, 10, tzinfo=SH)
    common = {"room_id": room_pk, "booked_by_id": user_pks[0], "purpose": "x", "status": "approved"}
    Booking.objects.create(start=start, end=start + dt.timedelta(hours=1), **common)
    Booking.objects.create(start=start + dt.timedelta(hours=1), end=start + dt.timedelta(hours=2), **common)
    Booking.objects.create(start=start, end=start + dt.timedelta(hours=1), **{**common, "status": "cancelled"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(start=start + dt.timedelta(minutes=30), end=start + dt.timedelta(hours=3), **common)
