"""Fixtures of the 大联动 tests: a frozen 2026 clock, the catalogue, centre staff, units and a work station."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shequ.grid.testing import DUNHUA, KONGJIANG, OUTSIDE, build_grid_centre, report  # noqa: F401 (fixtures' helpers)

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
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    station, users = build_grid_centre(tree)
    users["other_inspector"] = make_user(Role.INSPECTOR, [tree["other_sub"]], username="inspector_yx")
    users["hotline_office"] = make_user(Role.HOTLINE_OFFICE, [tree["district"]], username="hotline_office")
    return {**{f"node_{k}": v for k, v in tree.items()}, **tree, **personas, **users, "station": station,
            "mz": tree["minzheng"]}


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
