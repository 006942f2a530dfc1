"""Time limits: the case clock (from dispatch, in working hours, or clock hours for urgent cases) and the limits
of the centre's own steps. Every limit is data (categories, `ProcessLimit`); nothing here is a constant rule."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shequ.core import workcal

from .choices import LimitUnit, Urgency

DEFAULT_STEP_HOURS = {"verify": 1, "file": 1, "dispatch": 0.5, "sign": 1, "check": 2, "close": 1,
                      "hotline_sign": 2, "hotline_reply": 40, "hotline_reply_consult": 8}


def step_hours(step: str) -> float:
    from .models import ProcessLimit

    row = ProcessLimit.objects.filter(step=step).values_list("hours", flat=True).first()
    return float(row) if row is not None else float(DEFAULT_STEP_HOURS.get(step, 1))


def step_due(step: str, start: dt.datetime) -> dt.datetime:
    return workcal.add_working_hours(start, step_hours(step))


# 12345 limits in working days (大宁路/夏阳 practice: 咨询、建议 1 个工作日, 求助、投诉 5 个工作日; 先行联系 within 1
# working day of 签收). A `ProcessLimit` row with `days` overrides each.
DEFAULT_STEP_DAYS = {"hotline_reply": 5, "hotline_reply_consult": 1, "hotline_contact": 1,
                     # 退单 and 延期 may be asked only within these working days of the order's receipt.
                     "hotline_return_window": 1, "hotline_extend_window": 3}


def step_days(step: str) -> int:
    from .models import ProcessLimit

    row = ProcessLimit.objects.filter(step=step, days__isnull=False).values_list("days", flat=True).first()
    return int(row) if row is not None else int(DEFAULT_STEP_DAYS.get(step, 1))


def working_day_due(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the working day `days` working days after `start`'s day (a limit in working days ends when that
    day's last working period ends, whatever the hour of the start)."""
    day = workcal.add_working_days(timezone.localdate(start), days)
    end = workcal.working_periods()[-1][1]
    return timezone.make_aware(dt.datetime.combine(day, end))


def hotline_reply_step(hotline_type: str) -> str:
    return "hotline_reply_consult" if hotline_type in ("consult", "suggestion") else "hotline_reply"


def case_limit(category, urgency: str) -> tuple[float, str]:
    """(hours, unit) of a case's disposal limit: urgent cases run in clock hours, others in working hours
    (a working day counts as the configured hours of one working day)."""
    if urgency in (Urgency.URGENT, Urgency.CRITICAL):
        hours = float(category.urgent_limit_hours)
        if urgency == Urgency.CRITICAL:
            hours = max(0.5, hours / 2)
        return hours, LimitUnit.CLOCK_HOURS
    value = float(category.limit_value)
    if category.limit_unit == LimitUnit.WORK_DAYS:
        return value * workcal.hours_per_working_day(), LimitUnit.WORK_HOURS
    if category.limit_unit == LimitUnit.CLOCK_HOURS:
        return value, LimitUnit.CLOCK_HOURS
    return value, LimitUnit.WORK_HOURS


def rework_limit(category, urgency: str) -> tuple[float, str]:
    """(hours, unit) a unit gets to redo the work after a failed check (返工): the 小类's rework limit, else its
    disposal limit for the case's urgency."""
    if category.rework_limit_value is None:
        return case_limit(category, urgency)
    value, unit = float(category.rework_limit_value), category.rework_limit_unit or category.limit_unit
    if unit == LimitUnit.WORK_DAYS:
        return value * workcal.hours_per_working_day(), LimitUnit.WORK_HOURS
    if unit == LimitUnit.CLOCK_HOURS:
        return value, LimitUnit.CLOCK_HOURS
    return value, LimitUnit.WORK_HOURS


def add(start: dt.datetime, hours: float, unit: str) -> dt.datetime:
    if unit == LimitUnit.CLOCK_HOURS:
        return start + dt.timedelta(hours=hours)
    return workcal.add_working_hours(start, hours)


def between(start: dt.datetime, end: dt.datetime, unit: str) -> float:
    if unit == LimitUnit.CLOCK_HOURS:
        return max(0.0, (end - start).total_seconds() / 3600)
    return workcal.working_hours_between(start, end)


def deadline_and_warning(start: dt.datetime, hours: float, unit: str) -> tuple[dt.datetime, dt.datetime]:
    """The deadline and the 80 % warning moment of a limit starting at `start`."""
    return add(start, hours, unit), add(start, hours * 0.8, unit)


def elapsed_share(case, now: dt.datetime) -> float | None:
    """Share of the limit used so far (1.0 = due now), for the progress bar."""
    if not (case.dispatched_at and case.limit_hours):
        return None
    total = between(case.dispatched_at, case.deadline, case.limit_unit) or case.limit_hours
    moment = now
    if case.status == "parked" and case.parked_at:
        moment = case.parked_at
    elif case.status not in ("dispatched", "handling", "returned"):
        moment = case.fed_back_at or case.closed_at or now
    used = between(case.dispatched_at, moment, case.limit_unit)
    return used / total if total else None
