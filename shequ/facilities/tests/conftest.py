"""Fixtures of the facilities tests: a 睦邻中心 in 敦化路 with a hall (no approval) and a dance studio (approval),
open every day 08:00–21:00, and its operator; a 睦邻点 in 控江路645弄 with its own operator; a facility of another
街道. The clock stands still on Monday 28 September 2026, 09:00 (National Day is that Thursday)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import zoneinfo

import pytest
import time_machine

from shequ.core.choices import Role
from shequ.core.testing import make_user
from shequ.facilities import services
from shequ.facilities.choices import FacilityLevel

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)


def at(m, d, hh, mm=0, y=2026):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _open_every_day(actor, facility):
    services.opening_hours_set(actor=actor, facility=facility,
                               periods=[(d, dt.time(8), dt.time(21)) for d in range(7)])


def bind(user, committee_worker, committee, name="居民甲", born=dt.date(1960, 5, 5)):
    """Bind a resident login to a new registry record of `committee` (a resident books in his own 街道)."""
    from shequ.core.testing import make_resident, valid_id_number
    from shequ.people.models import Resident
    from shequ.portal import services as portal

    resident = make_resident(committee_worker, committee, name=name, id_number=valid_id_number(born))
    number = Resident.objects.get(pk=resident.pk).id_number
    account = portal.account_bind(account=portal.account_for(user), name=name, id_number=number, consent=True)
    for key in ("_shequ_resident_home",):
        user.__dict__.pop(key, None)
    return account


@pytest.fixture
def net(tree, personas, clock):
    leader = personas["leader"]
    centre = services.facility_create(actor=leader, level=FacilityLevel.NEIGHBOURHOOD_CENTRE, name="敦化路睦邻中心",
                                      node=tree["dunhua"], address="敦化路1号", lng="121.53", lat="31.28")
    point = services.facility_create(actor=leader, level=FacilityLevel.NEIGHBOURHOOD_POINT, name="控江睦邻点",
                                     node=tree["kongjiang"], address="控江路645弄1号")
    far = services.facility_create(actor=personas["secadmin"], level=FacilityLevel.NEIGHBOURHOOD_POINT,
                                   name="殷行一村睦邻点", node=tree["yinxing"], address="殷行路1号")
    for f in (centre, point, far):
        _open_every_day(None, f)
    hall = services.room_create(actor=leader, facility=centre, name="多功能厅", capacity=80)
    studio = services.room_create(actor=leader, facility=centre, name="舞蹈房", capacity=30, needs_approval=True)
    point_room = services.room_create(actor=leader, facility=point, name="活动室", capacity=20)
    far_room = services.room_create(actor=None, facility=far, name="活动室", capacity=20)
    operator = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op_centre")
    services.facility_staff_assign(actor=None, facility=centre, user=operator)
    other_operator = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op_point")
    services.facility_staff_assign(actor=None, facility=point, user=other_operator)
    bind(personas["resident"], personas["dunhua"], tree["dunhua"])
    return {"centre": centre, "point": point, "far": far, "hall": hall, "studio": studio, "point_room": point_room,
            "far_room": far_room, "operator": operator, "other_operator": other_operator, "clock": clock}


@pytest.fixture
def book(net, personas):
    """book(actor, room, start, end, purpose=...) through the service."""

    def _book(actor, room, start, end, purpose="合唱团排练", **kw):
        return services.booking_create(actor=actor, room=room, start=start, end=end, purpose=purpose, **kw)

    return _book


@pytest.fixture
def threaded_db(transactional_db):
    """Worker threads need their own connections to one database. The suite's in-memory SQLite answers concurrent
    writers with "table is locked" instead of waiting, so for SQLite the test database is copied into a file that
    the threads open with the project's settings (WAL, IMMEDIATE transactions, busy timeout)."""
    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    folder = tempfile.mkdtemp(prefix="facilities-threads-")
    path = os.path.join(folder, "threads.sqlite3")
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    previous = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield path
    finally:
        settings_dict["NAME"] = previous
        shutil.rmtree(folder, ignore_errors=True)
