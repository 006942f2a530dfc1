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
