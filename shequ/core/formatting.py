"""Numbers as people read them: no exponent, no trailing zeros, no Python repr."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation


def number_text(value, places: int | None = None) -> str:
    """Plain decimal text for a number: 20, 1.5, 0.25 — never "2E+1", "1.50" or "Decimal('3')".

    `places` rounds to at most that many decimals first. None and "" give "". A value that is not a number
    is returned as text unchanged.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(int(value))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places)) if places > 0 else number.quantize(Decimal(1))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def date_text(value) -> str:
    """YYYY年M月D日 (in the English locale: 27 Nov 2026). The template filter `cn_date`."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if not chinese():
        return f"{value.day} {value:%b} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def datetime_text(value) -> str:
    """YYYY年M月D日 HH:MM in local time. The template filter `cn_datetime`."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_text(local)} {local:%H:%M}"
