import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.grid import stats
from shequ.grid.choices import CaseAction as A
from shequ.grid.models import Case, CaseStat, Category
from shequ.grid.tests.conftest import SH, act, report

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _case(env, n, *, status, committee="dunhua", unit="chengguan", day=2, source="patrol", **fields):
    reported = dt.datetime(2026, 3, day, 9, 0, tzinfo=SH)
    filed = status not in ("reported", "void")
    grid = env[f"grid_{committee}"]
    return Case.objects.create(
        number=f"T-{n}", category=Category.objects.order_by("id").first(), kind="event", source=source, status=status, node=grid, grid=grid,
        committee=grid.parent, description="测试案件", reported_at=reported,
        filed_at=reported if filed else None, first_dispatched_at=reported if filed else None,
        dispatched_at=reported if filed else None, unit=env[unit] if filed else None, **fields)


@pytest.fixture
def known(env):
    past = dt.datetime(2026, 3, 5, 12, 0, tzinfo=SH)
    future = dt.datetime(2026, 3, 20, 12, 0, tzinfo=SH)
    _case(env, 1, status="closed", closed_on_time=True, urgency="urgent", deadline=past)
    _case(env, 2, status="closed", closed_on_time=True, rework_count=1, deadline=past)
    _case(env, 3, status="closed", closed_on_time=True, extension_count=1, deadline=past)
    _case(env, 4, status="evaluated", closed_on_time=True, satisfaction="satisfied", deadline=past)
    _case(env, 5, status="closed", closed_on_time=False, deadline=past)
    _case(env, 6, status="closed", closed_on_time=False, rework_count=2, deadline=past)
    _case(env, 7, status="parked", deadline=past)
    _case(env, 8, status="handling", deadline=past, extension_count=1)
    _case(env, 9, status="dispatched", deadline=past)
    _case(env, 10, status="handling", deadline=future)
    _case(env, 11, status="void", source="resident")
    _case(env, 12, status="reported", source="resident")
    _case(env, 13, status="closed", closed_on_time=True, committee="kongjiang", unit="mz", deadline=past)
    _case(env, 14, status="closed", closed_on_time=False, day=1, deadline=past)  # reported 1 March
    _case(env, 15, status="closed", closed_on_time=True, deadline=past, day=2).__class__.objects.filter(
        number="T-15").update(reported_at=dt.datetime(2026, 2, 27, 9, 0, tzinfo=SH))  # February: outside
    stats.rebuild()
    return env


def test_it_computes_the_reference_formulas_on_a_known_data_set(known):
    rows = {r["key"]: r for r in stats.indicators(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 31),
                                                     by="committee")}
    r = rows[known["node_dunhua"].pk]
    # Report figures: the 12 cases reported from 2 March. Closing figures: the cases due (5 March) or closed in the
    # period, so T-14 (reported 1 March) and T-15 (February) count too; T-10 (due 20 March) is not due yet.
    assert (r["reported"], r["filed"]) == (12, 10)
    assert (r["closed"], r["closed_on_time"], r["closed_late"]) == (8, 5, 3)
    assert (r["parked"], r["overdue_open"]) == (1, 2)
    assert r["due"] == 11  # 应结案 = 结案 8 + 超期未结 2 + 缓办 1
    assert r["close_rate"] == 80.0  # 8 ÷ (11 − 1)
    assert r["on_time_rate"] == 50.0  # 5 ÷ (11 − 1)
    assert r["rework_rate"] == 25.0  # 2 ÷ 8
    assert r["rework_total"] == 3
    assert r["extension_rate"] == 20.0  # 2 ÷ 10
    assert r["patrol_share"] == 83.3  # 10 ÷ 12
    assert r["satisfaction_rate"] == 100.0
    assert r["urgent_on_time_rate"] == 100.0
    assert r["light"] == "red"
    other = rows[known["node_kongjiang"].pk]
    assert (other["closed"], other["on_time_rate"], other["light"]) == (1, 100.0, "green")


def test_it_filters_by_period_and_groups_by_unit_and_month(known):
    total = stats.indicators(start=MARCH[0], end=MARCH[1])[0]
    assert total["reported"] == 14  # 12 + 1 (控江) + 1 (1 March); February excluded
    assert stats.indicators(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))[0]["reported"] == 1
    units = {r["key"]: r for r in stats.indicators(start=MARCH[0], end=MARCH[1], by="unit")}
    assert units[known["mz"].pk]["closed"] == 1 and units[known["chengguan"].pk]["closed"] == 8
    assert units[None]["reported"] == 2  # not dispatched (void and reported)
    months = stats.indicators(start=dt.date(2026, 2, 1), end=MARCH[1], by="month")
    assert [m["reported"] for m in months] == [1, 14]
    scoped = stats.indicators(start=MARCH[0], end=MARCH[1], node_ids=[known["node_kongjiang"].pk])[0]
    assert scoped["reported"] == 1
    # A period mixing a partial month (daily rows) and a whole month (monthly rollup) adds up.
    mixed = stats.indicators(start=dt.date(2026, 2, 15), end=MARCH[1])[0]
    assert (mixed["reported"], mixed["closed"], mixed["closed_on_time"]) == (15, 9, 6)
    partial = stats.indicators(start=dt.date(2026, 2, 15), end=dt.date(2026, 3, 2))[0]
    assert partial["reported"] == 15  # February (1) + 1 March (1) + 2 March (13)


def test_the_total_of_the_committee_rows_is_the_total_row(known):
    # The computed targets read the rows by committee once and add them up instead of counting the period again.
    for start, end in ((MARCH[0], MARCH[1]), (dt.date(2026, 2, 15), MARCH[1])):
        total = stats.indicators(start=start, end=end)[0]
        added = stats.total_of(stats.indicators(start=start, end=end, by="committee"))
        for key in ("reported", "filed", "due", "closed", "closed_on_time", "parked", "reworked", "close_rate",
                    "on_time_rate", "rework_rate", "extension_rate", "self_handle_rate", "urgent_close_rate",
                    "score"):
            assert added[key] == total[key], key
        assert total["due"] > 0


def test_it_keeps_the_summary_equal_to_a_full_rebuild_as_cases_move(env):
    for index in range(3):
        case = act(env, report(env), A.FILE, "shiftlead")
        case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
        case = act(env, case, A.SIGN, "cgzf")
        if index:
            case = act(env, case, A.FEEDBACK, "cgzf", note="已处置")
            case = act(env, case, A.CHECK_PASS, "inspector")
            act(env, case, A.CLOSE, "shiftlead")
    act(env, report(env, source="resident", user="operator"), A.SEND_VERIFY, "operator")
    from shequ.grid.models import CaseStatCommitteeMonth, CaseStatMonth

    fields = ["day", "committee_id", "unit_id", "urgent", *stats.STAT_FIELDS]
    month_fields = ["month", "committee_id", "unit_id", "urgent", *stats.STAT_FIELDS]
    committee_fields = ["month", "committee_id", "urgent", *stats.STAT_FIELDS]
    incremental = sorted(CaseStat.objects.values_list(*fields), key=repr)
    incremental_months = sorted(CaseStatMonth.objects.values_list(*month_fields), key=repr)
    incremental_committees = sorted(CaseStatCommitteeMonth.objects.values_list(*committee_fields), key=repr)
    assert incremental_months and incremental_committees
    stats.rebuild()  # INSERT … SELECT of the grouped counts: the same rows, the same types
    assert sorted(CaseStat.objects.values_list(*fields), key=repr) == incremental
    assert sorted(CaseStatMonth.objects.values_list(*month_fields), key=repr) == incremental_months
    assert sorted(CaseStatCommitteeMonth.objects.values_list(*committee_fields), key=repr) == incremental_committees
    total = stats.indicators(start=MARCH[0], end=MARCH[1])[0]
    assert (total["reported"], total["filed"], total["closed"], total["closed_on_time"]) == (4, 3, 2, 2)


def test_it_computes_post_figures(env, clock):
    case = report(env, source="resident", user="operator")
    case = act(env, case, A.SEND_VERIFY, "operator")
    clock.shift(dt.timedelta(hours=3))  # the 1-hour verification limit is missed
    case = act(env, case, A.VERIFY_OK, "inspector")
    case = act(env, case, A.FILE, "shiftlead")
    case = act(env, case, A.DISPATCH, "dispatcher", unit=env["mz"])
    case = act(env, case, A.REDISPATCH, "dispatcher", unit=env["chengguan"])
    patrol_case = act(env, report(env), A.FILE, "shiftlead")
    rows = {r["user"].username: r for r in stats.post_indicators(start=MARCH[0], end=MARCH[1])}
    assert rows["inspector"]["verify"] == 1 and rows["inspector"]["verify_on_time_rate"] == 0.0
    assert rows["inspector"]["reports"] == 1 and rows["inspector"]["valid_reports"] == 1
    assert rows["dispatcher"]["dispatch"] == 2 and rows["dispatcher"]["wrong_dispatch"] == 1
    assert rows["dispatcher"]["accurate_dispatch_rate"] == 50.0
    assert rows["shiftlead"]["file"] == 2
    assert patrol_case.status == "filed"


def test_it_shows_ranks_and_exports_the_indicators(known, client_as):
    client = client_as(known["leader"])
    for by in ("committee", "unit", "post"):
        page = client.get(reverse("grid:stats"), {"preset": "custom", "start": "2026-03-01", "end": "2026-03-31",
                                                  "by": by})
        assert page.status_code == 200
    page = client.get(reverse("grid:stats"), {"preset": "custom", "start": "2026-03-01", "end": "2026-03-31"})
    text = page.content.decode()
    assert "按期结案率" in text and "敦化路居委会" in text
    trend = client.get(reverse("grid:stats-trend"), {"preset": "custom", "start": "2026-03-01", "end": "2026-03-31"})
    assert sum(trend.json()["reported"]) == 14
    export = client.get(reverse("grid:stats-export"), {"preset": "custom", "start": "2026-03-01",
                                                       "end": "2026-03-31"})
    ws = load_workbook(io.BytesIO(export.content)).active
    assert ws.cell(row=2, column=1).value == "名称" and ws.max_row == 4
    assert client_as(known["cgzf"]).get(reverse("grid:stats")).status_code == 403
