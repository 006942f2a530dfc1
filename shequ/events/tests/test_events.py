"""Events: the fill and the wait-list, cancellation promoting the first waitlisted, check-in, scope and refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.workflow import ActionForbidden, ActionNotFound
from shequ.events import selectors, services
from shequ.events.models import Registration

pytestmark = pytest.mark.django_db


def test_an_event_fills_then_wait_lists_then_refuses(event, residents):
    regs = [services.registration_create(actor=r, event=event) for r in residents[:3]]
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted"]
    with pytest.raises(ConflictError, match="名额和候补都已满"):
        services.registration_create(actor=residents[3], event=event)
    with pytest.raises(ConflictError, match="已报名"):
        services.registration_create(actor=residents[0], event=event)
    assert selectors.counts(event) == {"taken": 2, "waiting": 1, "attended": 0, "free": 0}


def test_cancelling_a_place_promotes_the_first_on_the_wait_list(event, residents):
    first, _second, waiting = [services.registration_create(actor=r, event=event) for r in residents[:3]]
    services.registration_cancel(actor=residents[0], registration=first)
    waiting.refresh_from_db()
    assert waiting.status == "registered"
    assert selectors.counts(event)["taken"] == 2


def test_a_resident_cannot_cancel_someone_elses_registration(event, residents):
    reg = services.registration_create(actor=residents[0], event=event)
    with pytest.raises(ActionNotFound):
        services.registration_cancel(actor=residents[1], registration=reg)


def test_check_in_by_the_committee_counts_as_participation(event, residents, personas):
    reg = services.registration_create(actor=residents[0], event=event)
    with pytest.raises(ConflictError, match="签到"):
        services.registration_check_in(actor=personas["dunhua"], registration=reg)
    services.registration_check_in(actor=personas["dunhua"], registration=reg, now=event.start)
    assert selectors.participation_count(user=personas["leader"]) == 1
    assert selectors.participation_count(user=personas["kongjiang"]) == 0
    other = services.registration_create(actor=residents[1], event=event)
    with pytest.raises(ActionNotFound):  # another committee's event: answered like a missing one
        services.registration_check_in(actor=personas["kongjiang"], registration=other, now=event.start)
    with pytest.raises(ActionForbidden):  # a resident may not check himself in
        services.registration_check_in(actor=residents[1], registration=other, now=event.start)


def test_walk_in_needs_a_name_and_a_valid_phone(event, personas):
    with pytest.raises(DomainError) as exc:
        services.registration_create(actor=personas["dunhua"], event=event, name="", phone="12ab")
    assert set(exc.value.errors) == {"name", "phone"}
    reg = services.registration_create(actor=personas["dunhua"], event=event, name="李阿姨", phone="13912345678")
    assert reg.phone_masked != "13912345678" and "1234" not in reg.phone_masked
    assert Registration.objects.get(pk=reg.pk).phone == "13912345678"


def test_other_committee_cannot_register_walk_ins_or_see_the_event(event, personas):
    assert not selectors.event_visible(user=personas["kongjiang"], event=event)
    with pytest.raises(DomainError):
        services.registration_create(actor=personas["kongjiang"], event=event, name="王")
    with pytest.raises(Forbidden):
        services.event_create(actor=personas["kongjiang"], title="x", node=event.node, organiser="x",
                              start=event.start, end=event.end, capacity=5, venue="x")


def test_bad_event_input_is_refused_with_field_messages(tree, personas):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError) as exc:
        services.event_create(actor=personas["dunhua"], title="", node=tree["dunhua"], organiser="",
                              start=start, end=start - dt.timedelta(hours=1), capacity="abc", venue="")
    assert {"title", "organiser", "end", "capacity", "venue"} <= set(exc.value.errors)
    with pytest.raises(DomainError) as exc:
        services.event_create(actor=personas["dunhua"], title="x" * 101, node=tree["dunhua"], organiser="o",
                              start=start, end=start + dt.timedelta(hours=1), capacity=10, venue="v")
    assert "title" in exc.value.errors


def test_an_event_in_a_room_books_it_through_facilities(tree, personas):
    from shequ.facilities import services as fac

    centre = fac.facility_create(actor=personas["leader"], level="neighbourhood_centre", name="敦化路睦邻中心",
                                 node=tree["dunhua"], address="敦化路1号")
    fac.opening_hours_set(actor=None, facility=centre, periods=[(d, dt.time(8), dt.time(20)) for d in range(7)])
    room = fac.room_create(actor=personas["leader"], facility=centre, name="多功能厅", capacity=60)
    day = timezone.localdate() + dt.timedelta(days=14)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(14), tzinfo=tz)
    event = services.event_create(actor=personas["leader"], title="学习节讲座", node=tree["dunhua"],
                                  organiser="街道", start=start, end=start + dt.timedelta(hours=2), capacity=50,
                                  room=room)
    assert event.booking is not None and event.booking.room == room
    with pytest.raises(DomainError) as exc:
        services.event_create(actor=personas["leader"], title="撞期", node=tree["dunhua"], organiser="街道",
                              start=start, end=start + dt.timedelta(hours=1), capacity=20, room=room)
    assert "room" in exc.value.errors


def test_delegation_counts_its_members_as_participations(tree, personas):
    services.delegation_create(actor=personas["leader"], date=timezone.localdate(), origin="浙江省某街道考察团",
                               node=tree["sub"], members=["张处长", "李科长", "王主任"], programme="参观睦邻中心")
    assert selectors.participation_count(user=personas["leader"]) == 3
    with pytest.raises(DomainError):
        services.delegation_create(actor=personas["leader"], date=None, origin="", node=tree["sub"])


def test_photos_go_through_the_photo_checks(event, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(DomainError):
        services.event_photo_add(actor=personas["dunhua"], event=event, uploads=[bad])
