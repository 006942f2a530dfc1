"""Fixtures of the governance tests: a frozen clock on a Tuesday morning in March 2026, the grid's catalogue and
centre users, the 城管委 of 延吉新村街道 and one of 殷行街道, a meeting and the 城管 officer persona."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def photo(name="ok.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def gov(tree, personas):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.governance import services
    from shequ.grid.testing import build_grid_centre

    station, centre = build_grid_centre(tree)
    leader = personas["leader"]
    away_leader = make_user(Role.LEADER, [tree["other_sub"]], username="yx_leader")
    committee = services.committee_create(actor=leader, node=tree["sub"], name="城区综合管理委员会", kind="urban")
    services.member_add(actor=leader, committee=committee, name="马志刚", unit="城管中队", post="中队长",
                        department=tree["chengguan"])
    services.member_add(actor=leader, committee=committee, name="胡经理", unit="杨浦物业", post="经理")
    away = services.committee_create(actor=away_leader, node=tree["other_sub"], name="殷行城管委", kind="urban")
    meeting = services.meeting_create(actor=leader, committee=committee, title="3月联席会议",
                                      date=dt.date(2026, 3, 10), place="三楼会议室")
    away_meeting = services.meeting_create(actor=away_leader, committee=away, title="殷行3月会议",
                                           date=dt.date(2026, 3, 10))
    return {**tree, **personas, **centre, "committee": committee, "meeting": meeting, "away_meeting": away_meeting,
            "away_leader": away_leader}
