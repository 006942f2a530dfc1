"""The report's month through core.inputs.MonthField: refused outside 2000–2100 or malformed, this month when
empty."""

import datetime as dt

from django.utils import timezone

from shequ.charity.forms import MonthForm


def test_the_report_month():
    form = MonthForm({"month": "1999-01"})
    assert not form.is_valid() and "2000" in form.errors["month"][0]
    form = MonthForm({"month": "2026-10"})
    assert form.is_valid() and form.cleaned_data["month"] == dt.date(2026, 10, 1)
    form = MonthForm({"month": ""})
    assert form.is_valid() and form.cleaned_data["month"] == timezone.localdate().replace(day=1)
