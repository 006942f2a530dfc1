"""The closing cohort's summary rows (`CaseCohort`): kept by every step of a case, equal to a rebuild from the
cases, and the indicators read from them equal the live count of the same cases (`stats._cohort_live`) for any
period: this month to date, a month or a year that is over (cases closed after its end), a period of a few days,
by committee and by day."""

import datetime as dt

import pytest

from shequ.grid import stats
from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.models import CaseCohort, CaseCohortMonth, CaseStatCommitteeMonth
from shequ.grid.tests.conftest import KONGJIANG, SH, act, report

pytestmark = pytest.mark.django_db

FIELDS = ["day", "committee_id", *stats.COHORT_ROW_KEYS]


def _rows():
    months = CaseCohortMonth.objects.values_list("month", *FIELDS[1:])
    committee_months = CaseStatCommitteeMonth.objects.values_list("month", "committee_id", "urgent",
                                                                  *stats.STAT_FIELDS)
    return (sorted(CaseCohort.objects.values_list(*FIELDS), key=repr), sorted(months, key=repr),
            sorted(committee_months, key=repr))


def _periods(today: dt.date):
    first = today.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return [
        (first, today),  # this month to date (today counted live)
        (previous, first - dt.timedelta(days=1)),  # last month, over
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # March, over (or running)
        (dt.date(2026, 3, 9), dt.date(2026, 3, 13)),  # a few days: the late closings counted live
        (dt.date(2026, 1, 1), today),  # the year to date
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # last year: nothing
        (dt.date(2026, 2, 15), dt.date(2026, 4, 30)),  # across months
    ]


def _check(env):
    """The rows kept by the steps equal a rebuild; the figures read from them equal the live count."""
    kept = _rows()
    stats.rebuild()
    assert _rows() == kept
    assert kept[2]  # the report figures' monthly rows per committee exist, and add up as the units' rows do:
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert _by_committee_from_units(year) == stats._grouped(*year, "committee_id", None)
    now = dt.datetime.now(tz=SH)
    committees = [env["node_dunhua"].pk, env["node_kongjiang"].pk]
    for start, end in _periods(now.date()):
        lo, hi = stats._period_bounds(start, end)
        for filters in ({}, {"committee_id__in": committees}, {"committee_id__in": committees[:1]}):
            for group in (None, "committee_id"):
                summary = stats._cohort(lo, hi, now, group, filters)
                live = stats._cohort_live(lo, hi, now, group, filters)
                live = live if group else {None: live.get(None) or dict.fromkeys(stats.COHORT_KEYS, 0)}
                assert _clean(summary) == _clean(live), (start, end, filters, group)
            assert _clean(stats._cohort_by_day(lo, hi, now, filters)) == _clean(
                stats._cohort_by_day_live(lo, hi, now, filters)), (start, end, filters)
        by_month = stats.indicators(start=start, end=end, by="month")
        for row in by_month:
            first = row["key"]
            last = min(stats._month_end(first), end)
            lo, hi = stats._period_bounds(first, last)  # as `indicators` counts a month (from its first day)
            live = stats._cohort_live(lo, hi, now, None, {}).get(None) or {}
            assert {k: row[k] for k in stats.COHORT_KEYS} == {k: live.get(k, 0) for k in stats.COHORT_KEYS}


def _by_committee_from_units(period) -> dict:
    """The report figures per committee added up from the rows per unit (`CaseStatMonth`)."""
    from shequ.grid.models import CaseStat, CaseStatMonth

    totals: dict = {}
    for model, field, lo, hi in stats._segments(*period, CaseStat, CaseStatMonth):
        qs = model.objects.filter(**{f"{field}__gte": lo, f"{field}__lte": hi})
        for r in qs.values(g=stats.F("committee_id")).annotate(**stats._sums()).order_by():
            target = totals.setdefault(r.pop("g"), dict.fromkeys(stats.SUM_KEYS, 0))
            for k, v in r.items():
                target[stats._strip(k)] += v or 0
    return totals


def _clean(totals: dict) -> dict:
    """Groups with every count zero dropped, only the cohort's counts kept."""
    out = {}
    for key, row in totals.items():
        counts = {k: row.get(k, 0) or 0 for k in stats.COHORT_KEYS}
        if any(counts.values()):
            out[key] = counts
    return out


def _dispatched(env, unit="chengguan", **kw):
    case = act(env, report(env, **kw), A.FILE, "shiftlead")
    return act(env, case, A.DISPATCH, "dispatcher", unit=env[unit])


def test_the_cohort_rows_follow_every_step_and_equal_the_live_count(env, clock):
    assert not CaseCohort.objects.exists()
    closed_late = _dispatched(env)  # due on the 10th/11th, closed days later
    assert CaseCohort.objects.filter(due=1).exists()  # counted on its deadline's day as soon as dispatched
    _check(env)
    extended = _dispatched(env)
    extended = act(env, extended, A.SIGN, "cgzf")
    extended = act(env, extended, A.REQUEST_EXTENSION, "cgzf", hours=8, note="需协调产权单位")
    extended = act(env, extended, A.APPROVE_EXTENSION, "shiftlead", note="同意")  # its deadline moves days on
    _check(env)
    returned = _dispatched(env, unit="mz")
    returned = act(env, returned, A.REQUEST_RETURN, "officer", note="不属于民政职责")
    _check(env)
    returned = act(env, returned, A.APPROVE_RETURN, "shiftlead")  # back to the centre, not dispatched now
    _check(env)
    transferred = _dispatched(env)
    transferred = act(env, transferred, A.REDISPATCH, "dispatcher", unit=env["mz"], note="改派")
    _check(env)
    parked = _dispatched(env)
    parked = act(env, parked, A.REQUEST_PARK, "cgzf", note="季节性工程")
    parked = act(env, parked, A.APPROVE_PARK, "leader", review_on="2026-04-01")
    assert parked.status == S.PARKED
    _check(env)
    urgent = act(env, _dispatched(env, urgency="urgent", point=KONGJIANG), A.SIGN, "cgzf")  # another committee

    clock.move_to(dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH))
    act(env, returned, A.DISPATCH, "dispatcher", unit=env["chengguan"])  # dispatched again: a new deadline
    closed_late = act(env, closed_late, A.SIGN, "cgzf")
    closed_late = act(env, closed_late, A.FEEDBACK, "cgzf", note="已处置")
    closed_late = act(env, closed_late, A.CHECK_FAIL, "inspector", note="返工")  # a rework
    _check(env)
    closed_late = act(env, closed_late, A.FEEDBACK, "cgzf", note="已返工")
    closed_late = act(env, closed_late, A.CHECK_PASS, "inspector")
    closed_late = act(env, closed_late, A.CLOSE, "shiftlead")
    assert closed_late.status == S.CLOSED and closed_late.rework_count == 1
    _check(env)
    urgent = act(env, urgent, A.FEEDBACK, "cgzf", note="已处置")
    urgent = act(env, urgent, A.CHECK_PASS, "inspector")
    urgent = act(env, urgent, A.CLOSE, "shiftlead")
    _check(env)

    clock.move_to(dt.datetime(2026, 4, 2, 10, 0, tzinfo=SH))  # April: March is over
    parked = act(env, parked, A.UNPARK, "shiftlead")
    _check(env)
    transferred = act(env, transferred, A.SIGN, "officer")
    transferred = act(env, transferred, A.FEEDBACK, "officer", note="已处置")
    transferred = act(env, transferred, A.CHECK_PASS, "inspector")
    transferred = act(env, transferred, A.CLOSE, "shiftlead")  # due in March, closed in April
    assert stats._local_day(transferred.deadline).month == 3 and transferred.closed_on_time is False
    assert CaseCohort.objects.filter(due_after_month=1).exists()
    _check(env)
    act(env, closed_late, A.EVALUATE, "operator", satisfaction="satisfied")
    _check(env)

    clock.move_to(dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH))  # later: every period above is over
    _check(env)
    march = stats.indicators(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))[0]
    # due in March: every case dispatched in March; the one closed in April is March's unclosed 应结案
    assert march["due"] >= 5 and march["closed"] == 2 and march["reworked"] == 1 and march["urgent_closed"] == 1


def test_a_report_alone_is_in_no_cohort_and_the_rebuild_command_recounts(env):
    report(env)
    stats.catch_up()
    assert not CaseCohort.objects.exists()
    case = _dispatched(env)
    CaseCohort.objects.all().delete()  # lost rows (a repair): the command counts them again
    from django.core.management import call_command

    call_command("grid_stats_rebuild", stdout=open("/dev/null", "w"))
    assert list(CaseCohort.objects.values_list("committee_id", "due")) == [(case.committee_id, 1)]
