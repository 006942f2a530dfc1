"""Scheduled work of the volunteer service."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from shequ.core.tasks import shequ_task

from . import services


@shequ_task(label=gettext_lazy("志愿活动：开始前提醒已报名的志愿者"))
def remind_activities(*, since: str = "", due: str = "") -> dict:
    now = dt.datetime.fromisoformat(due) if due else None
    return {"reminded": services.activity_remind_due(now=now)}
