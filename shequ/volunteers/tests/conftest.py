"""Fixtures of the volunteer tests: the 延吉 志愿中心 (admin `vcenter`) with a standing team (admin `lead`), the
敦化路 brand team, a station; volunteers with logins (a `volunteer` login, a resident, a committee worker); a
centre in another 街道. The clock stands still on Monday 28 September 2026, 09:00."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from shequ.core.choices import Role
from shequ.core.testing import make_user
from shequ.volunteers import services
from shequ.volunteers.choices import TeamKind

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH)
IDS = ["110101199003070011", "110101198507120016", "11010119700101001X", "110101200001010019",
       "110101195505050011", "110101199912120016"]


def at(m, d, hh, mm=0, y=2026):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def valid_id(seed: int, birth: str = "19900307") -> str:
    from shequ.core.idcard import check_char

    body = f"110101{birth}{seed:03d}"
    return body + check_char(body)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tree, personas, clock):
    leader = personas["leader"]
    vcenter = make_user(Role.VOLUNTEER, [tree["sub"]], username="vcenter")
    lead = make_user(Role.VOLUNTEER, [tree["dunhua"]], username="teamlead")
    centre = services.centre_create(actor=leader, node=tree["sub"], name="延吉志愿中心", person_in_charge="王中心",
                                    phone="021-65010099", admins=[vcenter])
    standing = services.team_create(actor=leader, centre=centre, name="平安志愿服务队", kind=TeamKind.STANDING,
                                    admins=[lead])
    brand = services.team_create(actor=leader, centre=centre, name="敦化路红马甲", kind=TeamKind.BRAND,
                                 committee=tree["dunhua"])
    station = services.station_create(actor=leader, centre=centre, committee=tree["dunhua"], head_name="刘站长")
    other_centre = services.centre_create(actor=None, node=tree["other_sub"], name="殷行志愿中心",
                                          person_in_charge="殷中心")
    far_team = services.team_create(actor=None, centre=other_centre, name="殷行平安队", kind=TeamKind.STANDING)
    return {"centre": centre, "standing": standing, "brand": brand, "station": station, "vcenter": vcenter,
            "lead": lead, "other_centre": other_centre, "far_team": far_team, "leader": leader}


def register(user, committee, seed, birth="19900307", skills=()):
    return services.volunteer_register(actor=None, user=user, committee=committee, name=f"志愿者{seed}",
                                       id_number=valid_id(seed, birth), phone=f"139{seed:08d}", consent=True,
                                       skills=list(skills))


@pytest.fixture
def vols(tree, org):
    """Six volunteer logins of 敦化路, each with a profile."""
    out = []
    for i in range(6):
        user = make_user(Role.VOLUNTEER, [tree["dunhua"]], username=f"vol{i}")
        out.append((user, register(user, tree["dunhua"], i + 1)))
    return out


def publish(org, *, slots=2, start=None, minutes=120, team=None, place="敦化路1号", **kw):
    start = start or at(9, 29, 9)
    return services.activity_create(actor=org["vcenter"], team=team or org["standing"], title="平安巡逻",
                                    start=start, end=start + dt.timedelta(minutes=minutes), place=place,
                                    slots=slots, **kw)


@pytest.fixture
def threaded_db(transactional_db):
    """Worker threads need their own connections to one database. The suite's in-memory SQLite answers concurrent
    writers with "table is locked" instead of waiting, so for SQLite the test database is copied into a file that
    the threads open with the project's settings (WAL, IMMEDIATE transactions, busy timeout)."""
    import os
    import shutil
    import sqlite3
    import tempfile

    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    folder = tempfile.mkdtemp(prefix="volunteers-threads-")
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
