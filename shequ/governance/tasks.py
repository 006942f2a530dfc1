"""Scheduled work of 综合治理: the daily reminder of overdue tasks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from shequ.core.tasks import shequ_task

from . import services


@shequ_task(label=gettext_lazy("交办任务：逾期催办责任部门"))
def remind_overdue_tasks(*, since: str = "", due: str = "") -> dict:
    today = timezone.localdate(dt.datetime.fromisoformat(due)) if due else None
    return {"reminded": services.task_remind_overdue(today=today)}
