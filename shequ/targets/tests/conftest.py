"""Fixtures of the targets tests: a frozen clock in March 2026, the seed's targets for 延吉新村街道, the pilot's
scoring sheet, and experts (the leader, the 民政 officer and a 城管 officer)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(tree, personas):
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.targets.config import indicators_ensure, pilot_sheet_ensure

    indicators = {i.code: i for i in indicators_ensure(node=tree["sub"], start_year=2025, grid_year=2026)}
    expert = make_user(Role.DEPT_OFFICER, [tree["sub"]], tree["chengguan"], username="expert")
    return {**tree, **{f"c_{k}": v for k, v in tree.items()}, **personas, "i": indicators, "sheet": pilot_sheet_ensure(), "expert": expert}


def pdf(name="证明.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n%%EOF\n", content_type="application/pdf")


def code_of(rows, code):
    return next(r for r in rows if r["code"] == code)
