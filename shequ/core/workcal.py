"""Working-day calendar (工作日历): official holidays and 调休 make-up workdays.

A day is a working day when its year is confirmed and it is either a weekday that is not a holiday or a
weekend day declared a make-up workday. A year's data comes from the admin table (`CalendarYear` +
`CalendarDay`) when a system administrator has entered it, otherwise from the `chinesecalendar` package when the
package covers the year. For any other year we refuse to compute: a guessed deadline is worse than none.

Counting follows 民法典 Art. 201: the start day is not counted, day 1 is the next working day.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError


class CalendarUnavailable(DomainError):
    """No confirmed holiday schedule for a year the computation needs."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _("%(year)s年的法定节假日安排尚未确认，无法计算工作日。请系统管理员在“工作日历”中录入该年度安排。")
            % {"year": year},
            {"date": [_("%(year)s年工作日历缺失") % {"year": year}]},
        )


@dataclass(frozen=True)
class YearData:
    source: str
    exceptions: dict  # date -> is_workday, only days that differ from the Mon–Fri rule
    names: dict  # date -> holiday / 调休 name


_lock = threading.Lock()
_cache: dict[int, tuple[object, YearData, float]] = {}  # year → (stamp, data, time.monotonic() of the check)


def library_years() -> range:
    import chinese_calendar

    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


def library_year_data(year: int) -> YearData | None:
    import chinese_calendar

    if year not in library_years():
        return None
    exceptions, names = {}, {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year and day.weekday() < 5:
            exceptions[day] = False
            names[day] = _holiday_name(name)
    for day, name in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            exceptions[day] = True
            names[day] = _("调休上班") + (f"（{_holiday_name(name)}）" if name else "")
    return YearData(source="chinesecalendar", exceptions=exceptions, names=names)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(value) -> str:
    name = getattr(value, "value", value) or ""
    if isinstance(name, tuple):
        name = name[0]
    return _HOLIDAY_NAMES.get(str(name), str(name))


def _db_year_data(year: int) -> tuple[object, YearData | None]:
    from .models import CalendarDay, CalendarYear

    row = CalendarYear.objects.filter(year=year).values_list("confirmed", "updated_at", "source").first()
    if row is None:
        return None, None
    confirmed, stamp, source = row
    if not confirmed:
        return stamp, None
    exceptions, names = {}, {}
    for day, is_workday, name in CalendarDay.objects.filter(
            date__year=year).values_list("date", "is_workday", "name"):
        if is_workday != (day.weekday() < 5):
            exceptions[day] = is_workday
            names[day] = name
    return stamp, YearData(source=source, exceptions=exceptions, names=names)


def year_data(year: int) -> YearData:
    """A year's working-day data, kept per process and checked against the year's `updated_at` at most every
    `SHEQU_CALENDAR_RECHECK_SECONDS` (an edit made in this process clears the copy at once)."""
    from .models import CalendarYear

    now = time.monotonic()
    with _lock:
        hit = _cache.get(year)
        if hit and now - hit[2] < settings.SHEQU_CALENDAR_RECHECK_SECONDS:
            return hit[1]
    stamp_row = CalendarYear.objects.filter(year=year).values_list("updated_at", "confirmed").first()
    stamp = ("db", stamp_row[0], stamp_row[1]) if stamp_row else ("lib",)
    if hit and hit[0] == stamp:
        with _lock:
            _cache[year] = (stamp, hit[1], now)
        return hit[1]
    if stamp_row is not None:
        _, data = _db_year_data(year)
    else:
        data = library_year_data(year)
    if data is None:
        raise CalendarUnavailable(year)
    with _lock:
        _cache[year] = (stamp, data, now)
    return data


def clear_cache() -> None:
    with _lock:
        _cache.clear()


_WEEKDAY_RULE = YearData(source="", exceptions={}, names={})


class _YearView:
    """Checks days of possibly several years, loading each year once per computation. With `provisional_after`,
    a later year without data follows the Mon–Fri rule and the view remembers it (`provisional`)."""

    def __init__(self, provisional_after: int | None = None):
        self._years: dict[int, YearData] = {}
        self.provisional_after = provisional_after
        self.provisional = False

    def is_workday(self, day: dt.date) -> bool:
        data = self._years.get(day.year)
        if data is None:
            try:
                data = year_data(day.year)
            except CalendarUnavailable:
                if self.provisional_after is None or day.year <= self.provisional_after:
                    raise
                data, self.provisional = _WEEKDAY_RULE, True
            self._years[day.year] = data
        if day in data.exceptions:
            return data.exceptions[day]
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    return _YearView().is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted). days=0 returns start."""
    return add_working_days_each(start, [days])[0]


def add_working_days_each(start: dt.date, counts: list[int]) -> list[dt.date]:
    """`add_working_days(start, n)` for each n, in one walk (each year's calendar read once)."""
    if any(days < 0 for days in counts):
        raise DomainError(_("工作日天数不能为负数。"), {"days": [_("必须是非负整数。")]})
    view = _YearView()
    found = {0: start}
    current, passed, last = start, 0, max(counts, default=0)
    while passed < last:
        current += dt.timedelta(days=1)
        if view.is_workday(current):
            passed += 1
            found[passed] = current
    return [found[days] for days in counts]


def add_working_days_provisional(start: dt.date, counts: list[int]) -> tuple[list[dt.date], bool]:
    """`add_working_days_each`, except that a year after `start`'s year without a confirmed schedule (next year's
    holidays are published around November) is counted on the Mon–Fri rule. Returns the dates and whether any is
    provisional (to be recomputed when that year is entered). A missing current year still raises."""
    if any(days < 0 for days in counts):
        raise DomainError(_("工作日天数不能为负数。"), {"days": [_("必须是非负整数。")]})
    view = _YearView(provisional_after=start.year)
    found = {0: start}
    current, passed, last = start, 0, max(counts, default=0)
    while passed < last:
        current += dt.timedelta(days=1)
        if view.is_workday(current):
            passed += 1
            found[passed] = current
    return [found[days] for days in counts], view.provisional


def count_working_days_provisional(start: dt.date, end: dt.date) -> int:
    """`count_working_days` with the Mon–Fri rule for a later year without a confirmed schedule."""
    if end < start:
        return -count_working_days_provisional(end, start)
    view = _YearView(provisional_after=start.year)
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if view.is_workday(current):
            count += 1
    return count


def count_working_days(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -count_working_days(end, start)
    view = _YearView()
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if view.is_workday(current):
            count += 1
    return count


@lru_cache(maxsize=8)
def _parse_periods(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in spec.split(","):
        begin, _sep, end = part.strip().partition("-")
        b = dt.time.fromisoformat(begin.strip())
        e = dt.time.fromisoformat(end.strip())
        if e <= b:
            raise ValueError(f"working period {part!r} ends before it begins")
        periods.append((b, e))
    periods.sort()
    return tuple(periods)


def working_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    return _parse_periods(settings.SHEQU_WORKING_PERIODS)


def hours_per_working_day() -> float:
    return sum((_minutes(e) - _minutes(b)) for b, e in working_periods()) / 60


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start`, counting only the working periods of working days."""
    if hours < 0:
        raise DomainError(_("工作时数不能为负数。"), {"hours": [_("必须是非负数。")]})
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start, tz) if timezone.is_aware(start) else start.replace(tzinfo=tz)
    remaining = dt.timedelta(hours=hours)
    view = _YearView()
    day = local.date()
    cursor = local
    for _guard in range(3700):
        if view.is_workday(day):
            for begin, end in working_periods():
                p_begin = dt.datetime.combine(day, begin, tzinfo=tz)
                p_end = dt.datetime.combine(day, end, tzinfo=tz)
                if cursor >= p_end:
                    continue
                from_ = max(cursor, p_begin)
                available = p_end - from_
                if remaining <= available:
                    return from_ + remaining
                remaining -= available
                cursor = p_end
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        if remaining == dt.timedelta(0):
            return cursor
    raise DomainError(_("工作时数过大。"), {"hours": [_("超出可计算范围。")]})


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working hours elapsed from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    a = timezone.localtime(start, tz)
    b = timezone.localtime(end, tz)
    view = _YearView()
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        if view.is_workday(day):
            for begin, finish in working_periods():
                p_begin = dt.datetime.combine(day, begin, tzinfo=tz)
                p_end = dt.datetime.combine(day, finish, tzinfo=tz)
                lo, hi = max(a, p_begin), min(b, p_end)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of `month`'s month."""
    first = month.replace(day=1)
    return first, month_end(first)


def recent_months(day: dt.date, count: int) -> list[dt.date]:
    """The first day of `day`'s month and of the `count - 1` months before it, newest first."""
    months = [day.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months


BUILT_IN_SOURCE = "chinesecalendar"


def source_label(source: str) -> str:
    """A year's source as a clerk reads it: the built-in data is named for what it is, not for its package."""
    from django.utils.translation import gettext as _

    return _("内置的国务院放假安排") if source == BUILT_IN_SOURCE else source
