"""Working-day calendar (工作日历): days, hours, 调休, missing years, the admin table, the API and the page.

Reference dates (State Council notices, as in chinesecalendar 1.11):
- Spring Festival 2026: holiday Sun 2026-02-15 .. Mon 2026-02-23, make-up workdays Sat 02-14 and Sat 02-28.
- Mid-autumn 2026-09-25..27; National Day 2026: holiday Thu 10-01 .. Wed 10-07, make-up workdays Sun 09-20
  and Sat 10-10.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from shequ.core import services, workcal
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError
from shequ.core.models import AuditLog, CalendarDay, CalendarYear
from shequ.core.workcal import CalendarUnavailable

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


pytestmark = pytest.mark.django_db


# --- add_working_days / count_working_days ------------------------------------------------------------------

def test_it_skips_national_day_2026_and_counts_the_make_up_saturday():
    # 09-30 (1), 10-01..07 holiday, 10-08 (2), 10-09 (3), Sat 10-10 调休 (4), Sun 10-11 rest, Mon 10-12 (5)
    assert workcal.add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert workcal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workcal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_it_counts_make_up_saturdays_as_working_days():
    for day in (D(2026, 10, 10), D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20)):
        assert day.weekday() >= 5
        assert workcal.is_workday(day), day
    # an ordinary Saturday is not
    assert not workcal.is_workday(D(2026, 3, 7))


def test_it_treats_official_holidays_on_weekdays_as_rest_days():
    for day in (D(2026, 10, 1), D(2026, 10, 7), D(2026, 2, 16), D(2026, 2, 23), D(2026, 9, 25), D(2026, 1, 2)):
        assert day.weekday() < 5
        assert not workcal.is_workday(day), day


def test_it_skips_spring_festival_2026():
    # Fri 02-13 → Sat 02-14 is a 调休 workday; then 02-15..02-23 holiday; Tue 02-24 next.
    assert workcal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workcal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # 02-24 (1) 25 (2) 26 (3) 27 (4) Sat 02-28 调休 (5)
    assert workcal.add_working_days(D(2026, 2, 23), 5) == D(2026, 2, 28)
    assert workcal.add_working_days(D(2026, 2, 23), 6) == D(2026, 3, 2)
    assert workcal.count_working_days(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_it_returns_the_start_for_zero_days_even_on_a_holiday():
    assert workcal.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 3)
    assert workcal.add_working_days(D(2026, 3, 4), 0) == D(2026, 3, 4)


def test_it_refuses_a_negative_number_of_days():
    with pytest.raises(DomainError) as exc:
        workcal.add_working_days(D(2026, 3, 4), -1)
    assert "days" in exc.value.errors


def test_it_counts_working_days_excluding_the_start_and_negative_when_reversed():
    assert workcal.count_working_days(D(2026, 9, 29), D(2026, 10, 12)) == 5
    assert workcal.count_working_days(D(2026, 10, 12), D(2026, 9, 29)) == -5
    assert workcal.count_working_days(D(2026, 3, 2), D(2026, 3, 2)) == 0
    # a plain week: Mon → next Mon is 5
    assert workcal.count_working_days(D(2026, 3, 2), D(2026, 3, 9)) == 5
    # the whole Spring Festival week counts nothing
    assert workcal.count_working_days(D(2026, 2, 14), D(2026, 2, 23)) == 0


def test_it_counts_across_a_year_boundary():
    # 2025-12-31 Wed → 2026-01-01/02 holiday, Sat 01-03 holiday, Sun 01-04 调休 → day 1 is 2026-01-04
    assert workcal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert workcal.count_working_days(D(2025, 12, 30), D(2026, 1, 5)) == 3


# --- missing and admin-entered years -----------------------------------------------------------------------

def test_it_refuses_a_year_without_data_with_a_chinese_message():
    assert 2027 not in workcal.library_years(), "chinesecalendar now covers 2027: pick a later missing year"
    with pytest.raises(CalendarUnavailable) as exc:
        workcal.add_working_days(D(2026, 12, 28), 5)  # runs into 2027
    assert exc.value.year == 2027
    assert "2027年的法定节假日安排尚未确认" in exc.value.message
    assert exc.value.errors == {"date": ["2027年工作日历缺失"]}
    assert isinstance(exc.value, DomainError)
    with pytest.raises(CalendarUnavailable):
        workcal.count_working_days(D(2027, 3, 1), D(2027, 3, 5))
    with pytest.raises(CalendarUnavailable):
        workcal.is_workday(D(2027, 3, 1))


def test_it_never_guesses_the_days_inside_2026_before_refusing_2027():
    # Adding within 2026 works right up to the last working day of the year.
    assert workcal.add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)


def _schedule_2027(extra_holiday=None):
    days = [(D(2027, 1, 1), False, "元旦"),
            *[(D(2027, 2, d), False, "春节") for d in (8, 9, 10, 11, 12)],
            (D(2027, 2, 20), True, "春节调休")]
    if extra_holiday:
        days.append((extra_holiday, False, "临时"))
    return days


def test_it_computes_2027_once_the_admin_enters_its_schedule(personas):
    services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="国办发明电〔2026〕1号",
                               confirmed=True, days=_schedule_2027())
    # Thu 2027-02-04 → Fri 02-05 (1), Mon-Fri 02-08..12 holiday, Mon 02-15 (2)
    assert workcal.add_working_days(D(2027, 2, 4), 2) == D(2027, 2, 15)
    assert workcal.is_workday(D(2027, 2, 20))  # Saturday make-up
    assert not workcal.is_workday(D(2027, 1, 1))
    assert workcal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    row = AuditLog.objects.filter(action=AuditAction.CONFIG, object_type="core.calendaryear").first()
    assert row is not None and row.detail["op"] == "set" and row.username == "sysadmin"


def test_it_takes_an_edited_schedule_into_account_immediately(personas):
    services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="通知", confirmed=True,
                               days=_schedule_2027())
    assert workcal.add_working_days(D(2027, 3, 1), 1) == D(2027, 3, 2)  # cached now
    services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="通知（更正）", confirmed=True,
                               days=_schedule_2027(extra_holiday=D(2027, 3, 2)))
    assert workcal.add_working_days(D(2027, 3, 1), 1) == D(2027, 3, 3)
    assert CalendarYear.objects.get(year=2027).source == "通知（更正）"


def test_it_notices_a_change_made_by_another_process_through_the_year_stamp(personas, settings, monkeypatch):
    """The cache is per process: another worker's edit bumps `updated_at`, which invalidates this cache once the
    process checks the stamp again (at most every SHEQU_CALENDAR_RECHECK_SECONDS; no statement in between)."""
    settings.SHEQU_CALENDAR_RECHECK_SECONDS = 2
    clock = [5000.0]
    monkeypatch.setattr(workcal.time, "monotonic", lambda: clock[0])
    services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="通知", confirmed=True,
                               days=_schedule_2027())
    assert workcal.is_workday(D(2027, 3, 2))
    CalendarDay.objects.create(date=D(2027, 3, 2), is_workday=False, name="临时")
    year = CalendarYear.objects.get(year=2027)
    year.note = "touched"
    year.save()  # auto_now bumps updated_at, as the admin's _touch_year does
    clock[0] += 1.5
    with CaptureQueriesContext(connection) as queries:
        assert workcal.is_workday(D(2027, 3, 2))  # within the interval: the copy, not read again
    assert not queries.captured_queries
    clock[0] += 1.0
    assert not workcal.is_workday(D(2027, 3, 2))


def test_it_refuses_an_unconfirmed_year(personas):
    services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="征求意见稿", confirmed=False,
                               days=_schedule_2027())
    with pytest.raises(CalendarUnavailable):
        workcal.add_working_days(D(2027, 3, 1), 1)


def test_it_refuses_an_unconfirmed_row_even_for_a_year_the_library_covers(personas):
    services.calendar_set_year(actor=personas["sysadmin"], year=2026, source="待核", confirmed=False, days=[])
    with pytest.raises(CalendarUnavailable):
        workcal.add_working_days(D(2026, 3, 2), 1)


def test_it_lets_database_rows_override_the_library_for_a_covered_year(personas):
    # An entered 2026 schedule without the 10-10 make-up day and with 10-08 as an extra holiday.
    days = [(D(2026, 10, d), False, "国庆节") for d in (1, 2, 5, 6, 7, 8)]
    services.calendar_set_year(actor=personas["sysadmin"], year=2026, source="手工", confirmed=True, days=days)
    assert not workcal.is_workday(D(2026, 10, 10))
    assert not workcal.is_workday(D(2026, 10, 8))
    assert workcal.is_workday(D(2026, 2, 16))  # the library's Spring Festival no longer applies
    assert workcal.year_data(2026).source == "手工"
    # 09-30 (1), 10-09 (2), 10-12 (3)
    assert workcal.add_working_days(D(2026, 9, 29), 3) == D(2026, 10, 12)


def test_it_imports_a_library_year_into_the_table(personas):
    services.calendar_import_year(actor=personas["sysadmin"], year=2026)
    year = CalendarYear.objects.get(year=2026)
    assert year.confirmed and year.source == "chinesecalendar"
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).is_workday is True
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).is_workday is False
    assert "国庆" in CalendarDay.objects.get(date=D(2026, 10, 1)).name
    assert not CalendarDay.objects.filter(date=D(2026, 10, 3)).exists()  # a Saturday holiday is no exception
    assert workcal.year_data(2026).source == "chinesecalendar"
    assert workcal.add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert AuditLog.objects.filter(action=AuditAction.CONFIG, detail__op="import").exists()


def test_it_refuses_to_import_a_year_the_library_does_not_cover(personas):
    with pytest.raises(DomainError) as exc:
        services.calendar_import_year(actor=personas["sysadmin"], year=2027)
    assert "year" in exc.value.errors
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_refuses_calendar_days_outside_the_year(personas):
    with pytest.raises(DomainError) as exc:
        services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="通知", confirmed=True,
                                   days=[(D(2028, 1, 3), False, "x")])
    assert "days" in exc.value.errors
    with pytest.raises(DomainError):
        services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="  ", confirmed=True, days=[])


# --- working hours ------------------------------------------------------------------------------------------

def test_it_adds_working_hours_across_the_lunch_break():
    assert workcal.add_working_hours(at(2026, 3, 2, 10, 30), 2) == at(2026, 3, 2, 14, 0)
    assert workcal.add_working_hours(at(2026, 3, 2, 11, 30), 0.5) == at(2026, 3, 2, 13, 30)
    assert workcal.add_working_hours(at(2026, 3, 2, 12, 0), 1) == at(2026, 3, 2, 14, 0)


def test_it_starts_counting_at_the_next_working_period():
    assert workcal.add_working_hours(at(2026, 3, 2, 7, 0), 1) == at(2026, 3, 2, 9, 30)
    assert workcal.add_working_hours(at(2026, 3, 2, 18, 0), 1) == at(2026, 3, 3, 9, 30)


def test_it_ends_a_full_day_at_the_close_not_the_next_morning():
    assert workcal.hours_per_working_day() == 7
    assert workcal.add_working_hours(at(2026, 3, 2, 8, 30), 7) == at(2026, 3, 2, 17, 0)
    assert workcal.add_working_hours(at(2026, 3, 2, 8, 30), 7.5) == at(2026, 3, 3, 9, 0)


def test_it_adds_working_hours_over_a_weekend():
    # Fri 16:00 + 2h → 1h on Friday, 1h on Monday morning
    assert workcal.add_working_hours(at(2026, 3, 6, 16, 0), 2) == at(2026, 3, 9, 9, 30)


def test_it_adds_working_hours_over_national_day_and_onto_a_make_up_saturday():
    assert workcal.add_working_hours(at(2026, 9, 30, 16, 0), 2) == at(2026, 10, 8, 9, 30)
    # Fri 10-09 16:00 + 2h → Sat 10-10 (调休) 09:30
    assert workcal.add_working_hours(at(2026, 10, 9, 16, 0), 2) == at(2026, 10, 10, 9, 30)
    # Fri 02-13 16:00 + 8h → 1h Fri, 7h Sat 02-14 (调休): ends 17:00 on the Saturday
    assert workcal.add_working_hours(at(2026, 2, 13, 16, 0), 8) == at(2026, 2, 14, 17, 0)
    # one more hour runs over the whole Spring Festival to Tue 02-24
    assert workcal.add_working_hours(at(2026, 2, 13, 16, 0), 9) == at(2026, 2, 24, 9, 30)


def test_it_accepts_a_utc_datetime_and_a_naive_local_one():
    utc = dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.timezone.utc)  # 10:30 in Shanghai
    assert workcal.add_working_hours(utc, 2) == at(2026, 3, 2, 14, 0)
    assert workcal.add_working_hours(dt.datetime(2026, 3, 2, 10, 30), 2) == at(2026, 3, 2, 14, 0)


def test_it_refuses_negative_hours():
    with pytest.raises(DomainError) as exc:
        workcal.add_working_hours(at(2026, 3, 2, 9), -1)
    assert "hours" in exc.value.errors


@override_settings(SHEQU_WORKING_PERIODS="09:00-12:00, 14:00-18:00")
def test_it_uses_the_configured_working_periods():
    assert workcal.hours_per_working_day() == 7
    assert workcal.add_working_hours(at(2026, 3, 2, 11, 0), 2) == at(2026, 3, 2, 15, 0)
    assert workcal.add_working_hours(at(2026, 3, 2, 8, 0), 1) == at(2026, 3, 2, 10, 0)
    assert workcal.working_hours_between(at(2026, 3, 2, 8, 0), at(2026, 3, 2, 20, 0)) == 7


@override_settings(SHEQU_WORKING_PERIODS="09:00-17:00")
def test_it_supports_a_single_period_without_lunch_break():
    assert workcal.hours_per_working_day() == 8
    assert workcal.add_working_hours(at(2026, 3, 2, 11, 0), 2) == at(2026, 3, 2, 13, 0)


def test_it_measures_working_hours_between_two_moments():
    # Mon 10:00 → Tue 10:00 = 1.5 + 4 + 1.5
    assert workcal.working_hours_between(at(2026, 3, 2, 10), at(2026, 3, 3, 10)) == 7.0
    assert workcal.working_hours_between(at(2026, 3, 2, 11), at(2026, 3, 2, 13, 30)) == 1.0
    assert workcal.working_hours_between(at(2026, 3, 3, 10), at(2026, 3, 2, 10)) == 0.0
    # Wed 09-30 16:00 → Thu 10-08 09:30: 1h + 1h, the holiday counts nothing
    assert workcal.working_hours_between(at(2026, 9, 30, 16), at(2026, 10, 8, 9, 30)) == 2.0
    # the make-up Saturday counts a full day
    assert workcal.working_hours_between(at(2026, 10, 10, 0), at(2026, 10, 11, 0)) == 7.0


def test_it_makes_hours_added_and_hours_between_agree():
    start = at(2026, 9, 29, 15, 20)
    end = workcal.add_working_hours(start, 12.25)
    assert workcal.working_hours_between(start, end) == pytest.approx(12.25)


def test_it_refuses_working_hours_that_reach_a_year_without_data():
    with pytest.raises(CalendarUnavailable):
        workcal.add_working_hours(at(2026, 12, 31, 16), 2)


# --- property -------------------------------------------------------------------------------------------------

@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 9, 30)), n=st.integers(min_value=0, max_value=50))
def test_it_counts_back_exactly_the_days_it_added(start, n):
    end = workcal.add_working_days(start, n)
    assert workcal.count_working_days(start, end) == n
    assert workcal.count_working_days(end, start) == -n
    if n:
        assert workcal.is_workday(end)
        assert workcal.add_working_days(start, n - 1) < end


# --- API --------------------------------------------------------------------------------------------------------

URL = "/api/v1/calendar/add-working-days"


def test_it_answers_the_add_working_days_endpoint(api_as, personas):
    api = api_as(personas["clerk"])
    response = api.get(URL, {"start": "2026-09-29", "days": 5})
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-12"}
    assert api.get(URL, {"start": "2026-02-13", "days": 2}).json() == {"date": "2026-02-24"}


@pytest.mark.parametrize("params, field", [
    ({"days": 5}, "start"),
    ({"start": "2026-09-29"}, "days"),
    ({"start": "2026/09/29", "days": 5}, "start"),
    ({"start": "2026-02-30", "days": 5}, "start"),
    ({"start": "2026-09-29", "days": "五"}, "days"),
    ({"start": "2026-09-29", "days": -1}, "days"),
    ({"start": "2026-09-29", "days": 99999}, "days"),
])
def test_it_answers_400_with_field_errors_for_bad_parameters(api_as, personas, params, field):
    response = api_as(personas["clerk"]).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert field in body["errors"] and body["errors"][field]


def test_it_answers_a_4xx_with_the_message_for_a_year_without_data(api_as, personas):
    response = api_as(personas["clerk"]).get(URL, {"start": "2027-03-01", "days": 1})
    assert 400 <= response.status_code < 500
    body = response.json()
    assert "2027年的法定节假日安排尚未确认" in body["detail"]
    assert body["errors"] == {"date": ["2027年工作日历缺失"]}


def test_it_refuses_the_calendar_api_to_anonymous_callers(client):
    response = client.get(URL, {"start": "2026-09-29", "days": 5})
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_it_answers_the_count_working_days_endpoint(api_as, personas):
    api = api_as(personas["clerk"])
    url = "/api/v1/calendar/count-working-days"
    assert api.get(url, {"start": "2026-09-29", "end": "2026-10-12"}).json() == {"working_days": 5}
    assert api.get(url, {"start": "2026-10-12", "end": "2026-09-29"}).json() == {"working_days": -5}
    bad = api.get(url, {"start": "2026-09-29"})
    assert bad.status_code == 400 and "end" in bad.json()["errors"]
    too_long = api.get(url, {"start": "2000-01-01", "end": "2026-01-01"})
    assert too_long.status_code == 400 and "end" in too_long.json()["errors"]
    missing = api.get(url, {"start": "2026-12-01", "end": "2027-01-10"})
    assert missing.status_code == 400 and "2027" in missing.json()["detail"]


def test_it_answers_the_add_working_hours_endpoint(api_as, personas):
    api = api_as(personas["clerk"])
    url = "/api/v1/calendar/add-working-hours"
    response = api.get(url, {"start": "2026-09-30T16:00:00+08:00", "hours": 2})
    assert response.status_code == 200
    assert dt.datetime.fromisoformat(response.json()["datetime"]) == at(2026, 10, 8, 9, 30)
    bad = api.get(url, {"start": "yesterday", "hours": -2})
    assert bad.status_code == 400
    assert {"start", "hours"} <= set(bad.json()["errors"])


# --- HTML pages -------------------------------------------------------------------------------------------------

def test_it_shows_the_calendar_page_and_computes_a_deadline_for_a_clerk(client_as, personas):
    response = client_as(personas["clerk"]).get("/calendar/", {"year": 2026, "start": "2026-09-29", "days": 5})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年工作日历" in html
    assert "2026年10月12日" in html
    assert "年度安排维护" not in html  # only the sysadmin maintains the table


def test_it_shows_the_missing_year_message_on_the_calendar_page(client_as, personas):
    response = client_as(personas["leader"]).get("/calendar/", {"year": 2027})
    assert response.status_code == 200
    assert "2027年的法定节假日安排尚未确认" in response.content.decode()


def test_it_refuses_the_calendar_pages_to_a_committee_worker(client_as, personas):
    c = client_as(personas["dunhua"])
    assert c.get("/calendar/").status_code == 403
    assert c.get("/calendar/year/").status_code == 403
    assert c.post("/calendar/year/", {"year": 2027, "source": "x"}).status_code == 403
    assert c.post("/calendar/import/", {"year": 2026}).status_code == 403
    assert not CalendarYear.objects.exists()


def test_it_refuses_the_year_form_to_a_clerk_who_may_only_read_the_calendar(client_as, personas):
    c = client_as(personas["clerk"])
    assert c.get("/calendar/").status_code == 200
    assert c.get("/calendar/year/").status_code == 403


def test_it_lets_the_sysadmin_enter_a_year_through_the_form(client_as, personas):
    c = client_as(personas["sysadmin"])
    assert c.get("/calendar/", {"year": 2026}).status_code == 200
    response = c.post("/calendar/year/", {
        "year": 2027, "source": "国办发明电〔2026〕1号",
        "holidays": "2027-01-01 元旦\n2027-02-08..2027-02-12 春节\n",
        "workdays": "2027-02-20 春节调休",
    })
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?year=2027"
    assert CalendarDay.objects.filter(date__year=2027).count() == 7
    assert workcal.add_working_days(D(2027, 2, 4), 2) == D(2027, 2, 15)
    page = c.get("/calendar/", {"year": 2027}).content.decode()
    assert "尚未确认" not in page
    # the form re-opens with what was entered
    form = c.get("/calendar/year/", {"year": 2027}).content.decode()
    assert "2027-02-20 春节调休" in form


@pytest.mark.parametrize("holidays, message", [
    ("2027-01-01 元旦\n2027-13-01 坏日期", "第2行日期格式错误"),
    ("2027-02-12..2027-02-08 倒序", "第1行日期格式错误"),
])
def test_it_shows_a_form_error_for_a_bad_date_line(client_as, personas, holidays, message):
    response = client_as(personas["sysadmin"]).post("/calendar/year/", {
        "year": 2027, "source": "通知", "holidays": holidays, "workdays": ""})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_shows_a_form_error_for_a_day_outside_the_year_or_a_repeated_day(client_as, personas):
    c = client_as(personas["sysadmin"])
    response = c.post("/calendar/year/", {"year": 2027, "source": "通知", "holidays": "2028-01-03 错年"})
    assert response.status_code == 200
    assert "日期不属于该年度" in response.content.decode()
    response = c.post("/calendar/year/", {"year": 2027, "source": "通知", "holidays": "2027-01-01 元旦",
                                          "workdays": "2027-01-01 又上班"})
    assert response.status_code == 200
    assert "重复出现" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_imports_a_library_year_from_the_page(client_as, personas):
    c = client_as(personas["sysadmin"])
    response = c.post("/calendar/import/", {"year": 2026})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2026, source="chinesecalendar").exists()
    response = c.post("/calendar/import/", {"year": 2027}, follow=True)
    assert "没有2027年的安排" in response.content.decode()
    response = c.post("/calendar/import/", {"year": "abc"}, follow=True)
    assert response.status_code == 200
    assert "年份无效" in response.content.decode()


def test_it_names_the_built_in_source_for_what_it_is():
    assert workcal.source_label("chinesecalendar") == "内置的国务院放假安排"
    assert workcal.source_label("国办发明电〔2026〕7号") == "国办发明电〔2026〕7号"


def test_an_edit_in_the_config_admin_is_seen_at_once_on_its_own_node(personas, client_as, settings):
    """The sysadmin unconfirms 2027 in the config admin: this process's copy of the year is dropped at once, so
    the next due date on the same node refuses, whatever the recheck interval."""
    settings.SHEQU_CALENDAR_RECHECK_SECONDS = 3600
    year = services.calendar_set_year(actor=personas["sysadmin"], year=2027, source="通知", confirmed=True,
                                      days=_schedule_2027())
    assert workcal.add_working_days(D(2027, 3, 1), 1) == D(2027, 3, 2)  # cached now
    c = client_as(personas["sysadmin"])
    response = c.post(f"/system/core/calendaryear/{year.pk}/change/",
                      {"year": 2027, "source": "通知", "confirmed": "", "note": ""})
    assert response.status_code == 302, response.content[:500]
    with pytest.raises(CalendarUnavailable):
        workcal.add_working_days(D(2027, 3, 1), 1)
