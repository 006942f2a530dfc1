"""Scheduled work of the facilities module."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from shequ.core.tasks import shequ_task

from . import services


@shequ_task(label=gettext_lazy("场地预约：结束后记未到场、逾期未审批"))
def close_past_bookings(*, since: str = "", due: str = "") -> dict:
    now = dt.datetime.fromisoformat(due) if due else None
    return services.booking_close_past(now=now)
