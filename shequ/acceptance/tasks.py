"""Scheduled work of the acceptance centre: 容缺 promises that lapsed end in 终止."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from shequ.core.tasks import shequ_task

from . import services


@shequ_task(label=gettext_lazy("容缺受理：逾期未补齐的办件终止办理"))
def rongque_lapse(*, since: str = "", due: str = "") -> dict:
    today = timezone.localdate(dt.datetime.fromisoformat(due)) if due else None
    return {"terminated": services.cases_lapse_rongque(today=today)}
