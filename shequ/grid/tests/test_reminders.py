"""Deadline reminders run by the schedule: each run covers (since, due], so a case or 12345 order is reminded once
for each moment it reaches, and only its unit and the centre staff of its area hear of it."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.models import Notification
from shequ.grid.models import Case, Category, HotlineOrder
from shequ.grid.reminders import deadline_reminders

pytestmark = pytest.mark.django_db


def _case(env, n, **fields):
    grid = env["grid_dunhua"]
    now = timezone.now()
    return Case.objects.create(number=f"R-{n}", category=Category.objects.order_by("id").first(), kind="event",
                               source="patrol", node=grid, grid=grid, committee=grid.parent, description="测试案件",
                               reported_at=now, filed_at=now, dispatched_at=now, unit=env["chengguan"], **fields)


def _titles(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def _run(since, due, capture):
    with capture(execute=True):
        return deadline_reminders.call(since=since.isoformat(), due=due.isoformat())


def test_it_reminds_the_unit_at_the_warning_and_the_centre_at_the_deadline(env, django_capture_on_commit_callbacks):
    now = timezone.now()
    _case(env, 1, status="handling", warn_at=now - dt.timedelta(minutes=5), deadline=now + dt.timedelta(hours=2))
    _case(env, 2, status="dispatched", warn_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(minutes=3))
    _case(env, 3, status="handling", warn_at=now - dt.timedelta(hours=2), deadline=now - dt.timedelta(hours=1))
    _case(env, 4, status="closed", warn_at=now - dt.timedelta(minutes=5), deadline=now - dt.timedelta(minutes=4))
    counts = _run(now - dt.timedelta(minutes=10), now, django_capture_on_commit_callbacks)
    assert counts["case_warn"] == 1 and counts["case_overdue"] == 1
    assert _titles(env["cgzf"]) == ["案件 R-1 即将超过处置时限", "案件 R-2 已超过处置时限"]
    assert _titles(env["shiftlead"]) == ["案件 R-2 已超过处置时限"]
    assert _titles(env["dunhua"]) == []  # not the unit, not the centre
    # The next window reminds nobody again.
    counts = _run(now, now + dt.timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert counts == {"case_warn": 0, "case_overdue": 0, "hotline_soon": 0, "hotline_overdue": 0}


def test_it_reminds_the_centre_of_12345_orders_an_hour_before_and_when_late(env, django_capture_on_commit_callbacks):
    now = timezone.now()
    common = {"title": "占道经营", "content": "小区门口有摊贩占道经营", "node": env["grid_dunhua"]}
    HotlineOrder.objects.create(order_no="SH-1", status="received", sign_due=now + dt.timedelta(minutes=55), **common)
    HotlineOrder.objects.create(order_no="SH-2", status="signed", reply_due=now - dt.timedelta(minutes=1), **common)
    HotlineOrder.objects.create(order_no="SH-3", status="closed", reply_due=now - dt.timedelta(minutes=1), **common)
    counts = _run(now - dt.timedelta(minutes=10), now, django_capture_on_commit_callbacks)
    assert counts["hotline_soon"] == 1 and counts["hotline_overdue"] == 1
    assert _titles(env["operator"]) == ["12345工单 SH-1 将于1小时内到签收时限", "12345工单 SH-2 已超过答复时限"]
    assert _titles(env["cgzf"]) == []
    assert _titles(env["other_inspector"]) == []
