"""Fixtures of the 大联动 tests: a frozen 2026 clock, the catalogue, centre staff, units and a work station."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)  # a Tuesday, inside the working periods


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from shequ.grid import spatial

    spatial.clear()
    cache.clear()
    yield
    spatial.clear()
    cache.clear()


@pytest.fixture
def env(tree, personas):
    """The tree and personas plus: the catalogue, centre staff, a 城管 handler and a 敦化路 work station."""
    from shequ.core.choices import DepartmentKind, Role
    from shequ.core.models import Department
    from shequ.core.testing import make_user
    from shequ.grid.models import WorkStation
    from shequ.grid.taxonomy import ensure_process_limits, ensure_taxonomy

    ensure_taxonomy()
    ensure_process_limits()
    sub = tree["sub"]
    station_dept = Department.objects.create(code="GZZ01", name="敦化路居民区网格工作站", short_name="敦化路工作站",
                                             kind=DepartmentKind.WORK_STATION, node=tree["dunhua"])
    WorkStation.objects.create(department=station_dept, committee=tree["dunhua"])
    users = {
        "operator": make_user(Role.OPS_OPERATOR, [sub], username="operator"),
        "shiftlead": make_user(Role.SHIFT_LEADER, [sub], username="shiftlead"),
        "dispatcher": make_user(Role.DISPATCHER, [sub], username="dispatcher"),
        "inspector": make_user(Role.INSPECTOR, [sub], username="inspector"),
        "cgzf": make_user(Role.DEPT_OFFICER, [sub], tree["chengguan"], username="cgzf"),
        "other_inspector": make_user(Role.INSPECTOR, [tree["other_sub"]], username="inspector_yx"),
    }
    return {**{f"node_{k}": v for k, v in tree.items()}, **tree, **personas, **users, "station": station_dept, "mz": tree["minzheng"]}


# A point inside 敦化第1网格 (121.530–121.535 E, 31.275–31.280 N) and one in 控江第1网格.
DUNHUA = (31.2775, 121.5325)
KONGJIANG = (31.2775, 121.5375)
OUTSIDE = (31.3500, 121.6000)


def report(env, *, user="inspector", category="E0102", point=DUNHUA, source="patrol", **kw):
    from shequ.grid import services

    return services.case_report(actor=env[user], category=category, source=source,
                                description=kw.pop("description", "绿化带边有暴露垃圾"), lat=point[0], lng=point[1],
                                address=kw.pop("address", "敦化路100号"), **kw)


def act(env, case, action, user, **kw):
    from shequ.grid import services

    return services.case_transition(actor=env[user], case=case, action=action, **kw)


def jpeg(*, gps: tuple[float, float] | None = None, size=(64, 48), name="photo.jpg") -> io.BytesIO:
    from PIL import Image

    img = Image.new("RGB", size, (120, 160, 90))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        lat, lng = gps
        to_dms = lambda v: (int(v), int(v * 60) % 60, round((v * 3600) % 60, 2))  # noqa: E731
        exif[0x8825] = {1: "N", 2: to_dms(lat), 3: "E", 4: to_dms(lng)}
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    out.seek(0)
    out.name = name
    out.size = len(out.getvalue())
    return out


def upload(data: bytes, name: str, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
