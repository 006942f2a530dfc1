"""One reading of a month ("YYYY-MM") for every page and form: core.inputs.parse_month / MonthField / month_arg.
A malformed month is refused with a Chinese message (400), never replaced by another month."""

import datetime as dt

import pytest

from shequ.core.inputs import last_month, parse_month
from shequ.eldercare.forms import SettleForm


def test_parse_month_reads_a_month_and_refuses_the_rest():
    assert parse_month("2026-11") == dt.date(2026, 11, 1)
    assert parse_month(" 2026-02-17 ") == dt.date(2026, 2, 1)
    assert parse_month("", default=dt.date(2026, 5, 1)) == dt.date(2026, 5, 1)
    assert parse_month(None) == last_month()
    assert last_month(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)
    for bad in ("2026-13", "2026-1", "26-11", "abc", "２０２６-１１", "2026/11", "1999-12", "2101-01", "2026-11-31"):
        with pytest.raises(ValueError) as exc:
            parse_month(bad)
        assert "月份" in str(exc.value)


@pytest.mark.django_db
def test_the_forms_use_it():
    assert SettleForm({"month": "2026-13"}, canteens=None).errors["month"] == ["月份格式须为 YYYY-MM。"]
    assert SettleForm({"month": "1999-01"}, canteens=None).errors["month"][0].startswith("月份须在2000年")


@pytest.mark.django_db
def test_a_page_refuses_a_malformed_month_with_400(personas, client_as):
    client = client_as(personas["officer"])
    assert client.get("/eldercare/settlements/?month=2026-10").status_code == 200
    answer = client.get("/eldercare/settlements/?month=2026-13")
    assert answer.status_code == 400 and "月份格式须为 YYYY-MM" in answer.content.decode()
