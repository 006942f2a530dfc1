"""The events' computed targets (指标): 活动参与人次 (attendances checked in plus delegation members) and the
delegations received, counted live, by committee, within the reader's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.events import services
from shequ.targets import selectors as targets
from shequ.targets.config import indicators_ensure
from shequ.targets.hooks import computer_get

pytestmark = pytest.mark.django_db


def _participations(user, committees=False):
    return next(r for r in targets.target_progress(user=user, committees=committees)
                if r["code"] == "lc-participation")


def _past_event(actor, node, **kw):
    start = timezone.now() - dt.timedelta(days=1)
    return services.event_create(actor=actor, title="低碳讲座", node=node, organiser="居委会", start=start,
                                 end=start + dt.timedelta(hours=2), capacity=10, venue="活动室", **kw)


def _attend(actor, event, name):
    from shequ.events.models import Event

    # Registered while the event was ahead, checked in during it.
    Event.objects.filter(pk=event.pk).update(start=timezone.now() + dt.timedelta(hours=1),
                                             end=timezone.now() + dt.timedelta(hours=3))
    event.refresh_from_db()
    reg = services.registration_create(actor=actor, event=event, name=name)
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - dt.timedelta(hours=1),
                                             end=timezone.now() + dt.timedelta(hours=1))
    return services.registration_check_in(actor=actor, registration=reg)


def test_participations_follow_attendance_and_delegations(tree, personas):
    indicators_ensure(node=tree["sub"], start_year=timezone.localdate().year - 1,
                      grid_year=timezone.localdate().year)
    leader, dunhua = personas["leader"], personas["dunhua"]
    row = _participations(leader)
    assert (row["source"], row["actual"]) == ("computed", Decimal(0))
    event = _past_event(dunhua, tree["dunhua"])
    _attend(dunhua, event, "张三")
    assert _participations(leader)["actual"] == Decimal(1)
    _attend(dunhua, event, "李四")
    street = _past_event(leader, tree["sub"])  # the 街道's own event: in the 街道 total, no committee's
    _attend(leader, street, "王五")
    services.delegation_create(actor=leader, date=timezone.localdate(), origin="浦东新区考察团", node=tree["kongjiang"],
                               members=["甲", "乙", "丙"])
    row = _participations(leader, committees=True)
    assert row["actual"] == Decimal(6)  # 2 + 1 attendances, 3 delegation members
    by = {c["id"]: c["actual"] for c in row["committees"]}
    assert by[tree["dunhua"].pk] == Decimal(2) and by[tree["kongjiang"].pk] == Decimal(3)
    assert _participations(dunhua)["actual"] == Decimal(2)  # his committee only


def test_delegations_are_counted_in_scope(tree, personas):
    compute = computer_get("events.delegations").compute
    today = timezone.localdate()
    services.delegation_create(actor=personas["leader"], date=today, origin="静安区", node=tree["dunhua"],
                               member_count=5)
    services.delegation_create(actor=personas["yinxing"], date=today, origin="徐汇区", node=tree["yinxing"],
                               member_count=5)
    fig = compute(user=personas["leader"], start=today.replace(day=1), end=today)
    assert fig.value == Decimal(1) and fig.committees == {tree["dunhua"].pk: Decimal(1)}
    assert compute(user=personas["kongjiang"], start=today.replace(day=1), end=today).value == Decimal(0)
    before = compute(user=personas["leader"], start=today - dt.timedelta(days=40), end=today - dt.timedelta(days=35))
    assert before.value == Decimal(0)
