"""The home page (/m/): its tiles' numbers are computed together and kept for TILE_FRESHNESS_SECONDS, so a home
page costs a fixed handful of statements; the account's own writes show at once."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.portal import services
from shequ.portal.hooks import TILE_FRESHNESS_SECONDS, tiles_for


def _badge(account, url_name):
    return next(t["badge"] for t in tiles_for(account) if t["url"].rstrip("/").endswith(url_name))


@pytest.mark.django_db
def test_the_home_page_runs_a_fixed_number_of_statements(me, client, slots, centre):
    client.force_login(me.user)
    client.get("/m/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/m/").status_code == 200
    # session, user, account + resident, coming appointments, latest notices, the kept tile numbers, unread count
    assert len(ctx.captured_queries) <= 7, [q["sql"][:120] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_my_own_booking_shows_at_once_and_staff_changes_within_the_stated_freshness(
        me, client, slots, centre, django_capture_on_commit_callbacks, family):

    client.force_login(me.user)
    client.get("/m/")
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(account=me, slot_id=slots["b9"].pk, item_id=centre["dibao"].pk)
    assert _badge(me, "/m/book") == 1
    # A case registered for me at the window (staff side) appears once the kept numbers expire.
    from shequ.portal.tests.conftest import intake
    from shequ.people.models import Resident

    r = Resident.objects.get(pk=family["head"].pk)
    intake(centre, applicant={"name": r.name, "id_number": r.id_number, "phone": "13800138000"})
    assert _badge(me, "/m/mine") is None
    later = timezone.now() + dt.timedelta(seconds=TILE_FRESHNESS_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert _badge(me, "/m/mine") == 1
