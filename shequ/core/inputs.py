"""Shared guards for values read from a request. One date-range guard for every date a user can type (forms,
filters, serializers and the few views that parse a query string themselves) and one reader for numeric ids in a
query string: dates outside 1900–2100 and ids that are not plain ASCII digits of a sane size are refused with a
Chinese message instead of overflowing a date sum or the database driver."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
ID_MAX = 2**63 - 1

DATE_RANGE_MESSAGE = _("日期须在1900年1月1日至2100年12月31日之间。")
DATE_FORMAT_MESSAGE = _("日期格式须为 YYYY-MM-DD。")


def check_date(value: dt.date | None) -> dt.date | None:
    """The date itself when inside the accepted range; ValidationError otherwise."""
    if value is None:
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    if not (DATE_MIN <= day <= DATE_MAX):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")
    return value


def parse_date(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD date from a query string, None when empty; ValueError (with a Chinese message) when malformed
    or outside the accepted range."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(str(DATE_FORMAT_MESSAGE)) from None
    try:
        check_date(day)
    except ValidationError:
        raise ValueError(str(DATE_RANGE_MESSAGE)) from None
    return day


def query_int(value) -> int | None:
    """A positive id from a query string or form: plain ASCII digits within a 64-bit integer, else None.
    (`str.isdigit()` accepts '²' and '٣', which `int()` then refuses or the database cannot store.)"""
    text = str(value if value is not None else "").strip()
    if not (text and text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


def query_text(value, limit: int = 64) -> str | None:
    """A search term from a query string: stripped, at most `limit` characters, no control characters (a NUL
    cannot even be sent to PostgreSQL). None when the term is not acceptable, so the page can say so; it is never
    cut to fit."""
    text = str(value if value is not None else "").strip()
    if len(text) > limit or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return None
    return text


SEARCH_TEXT_MESSAGE = _("搜索词无效：最多%(n)s个字符，且不能含控制字符。")


class BoundedDateField(forms.DateField):
    """A form date limited to 1900–2100."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(check_date)


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedSerializerDateField(serializers.DateField):
    """A serializer date limited to 1900–2100."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(self._check)

    @staticmethod
    def _check(value):
        try:
            check_date(value)
        except ValidationError:
            raise serializers.ValidationError(str(DATE_RANGE_MESSAGE)) from None


def check_length(value, limit: int, field: str, label: str) -> str:
    """The text itself when it fits `limit` characters; a DomainError naming the limit otherwise. Text longer than
    its field is refused, never cut."""
    from shequ.core.errors import DomainError

    text = "" if value is None else str(value)
    if len(text) > limit:
        message = _("%(label)s不能超过%(limit)s个字符（现为%(n)s个）。") % {"label": label, "limit": limit,
                                                                     "n": len(text)}
        raise DomainError(message, {field: [message]})
    return text


def check_lengths(errors: dict, *checks) -> None:
    """`check_length` of each `(field, value, limit, label)`, the refusals added to `errors` instead of raised: for
    a service that reports every field's errors at once."""
    from shequ.core.errors import DomainError

    for field, value, limit, label in checks:
        try:
            check_length(value, limit, field, label)
        except DomainError as exc:
            errors.setdefault(field, []).extend(exc.errors[field])


# --- periods (a start date and an end date) ----------------------------------------------------------------------

# The longest period a list or an evaluation may span (two years and a day: a leap year's two full years).
MAX_PERIOD_DAYS = 731


def period_errors(start: dt.date | None, end: dt.date | None, *, end_field: str = "end",
                  max_days: int = MAX_PERIOD_DAYS, end_before_start=None, too_long=None) -> dict:
    """The one period rule: the end not before the start, at most `max_days` days. Refused, never clamped. The
    errors by field (on the end's), empty when the period is acceptable or one of its dates is missing. A use with
    its own wording passes `end_before_start` and `too_long` (the latter naming its own limit)."""
    if start is None or end is None:
        return {}
    if end < start:
        return {end_field: [end_before_start or _("止日不得早于起日。")]}
    if (end - start).days > max_days:
        return {end_field: [too_long or _("期间跨度不能超过两年（%(n)d天）。") % {"n": max_days}]}
    return {}


def add_period_errors(form, start_field: str = "start", end_field: str = "end", **rule) -> None:
    """`period_errors` of a form's cleaned start and end, added to the form (in its `clean`)."""
    data = form.cleaned_data
    for field, messages in period_errors(data.get(start_field), data.get(end_field), end_field=end_field,
                                         **rule).items():
        for message in messages:
            form.add_error(field, message)


# --- months ("YYYY-MM") ---------------------------------------------------------------------------------------

MONTH_MIN = dt.date(2000, 1, 1)
MONTH_FORMAT_MESSAGE = _("月份格式须为 YYYY-MM。")
MONTH_RANGE_MESSAGE = _("月份须在2000年1月至2100年12月之间。")


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before `today` (the local date by default): the month a report or a
    settlement is usually about."""
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def parse_month(text: str | None, default: dt.date | None = None, *, allow_day: bool = True) -> dt.date | None:
    """A "YYYY-MM" month (a full "YYYY-MM-DD" date is read as its month, unless `allow_day` is False: an API whose
    contract is "YYYY-MM" refuses it) as the first day of that month; `default` (last month when not given) when
    empty. ValueError with a Chinese message when malformed or outside 2000–2100: a mistyped month is refused,
    never silently replaced by another one."""
    text = (str(text) if text is not None else "").strip()
    if not text:
        return default if default is not None else last_month()
    if not (text.isascii() and len(text) in ((7, 10) if allow_day else (7,)) and text[4] == "-"):
        raise ValueError(str(MONTH_FORMAT_MESSAGE))
    try:
        day = dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        raise ValueError(str(MONTH_FORMAT_MESSAGE)) from None
    month = day.replace(day=1)
    if not (MONTH_MIN <= month <= DATE_MAX):
        raise ValueError(str(MONTH_RANGE_MESSAGE))
    return month


class MonthField(forms.Field):
    """A form month ("YYYY-MM", the browser's `<input type="month">`), cleaned to the first day of the month.
    Empty gives `default` (a date or a callable; last month unless given) when the field is optional."""

    widget = forms.DateInput(attrs={"type": "month"})

    def __init__(self, *args, default=None, **kwargs):
        self.default = default
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m")
        return value

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="month") from None

    def clean(self, value):
        month = super().clean(value)
        if month is None:
            default = self.default() if callable(self.default) else self.default
            return default if default is not None else last_month()
        return month


def month_arg(request, name: str = "month", default: dt.date | None = None, *,
              allow_day: bool = True) -> tuple[dt.date, str]:
    """The month of a query-string argument (`?month=YYYY-MM`) and an error message: `(default, "")` when absent
    (last month unless given), `(default, message)` when malformed, so the page shows the message with a 400
    instead of quietly showing another month."""
    default = default if default is not None else last_month()
    try:
        return parse_month(request.GET.get(name), default, allow_day=allow_day), ""
    except ValueError as exc:
        return default, str(exc)
