"""Work-station self-handling reported as 自处置率 and kept out of 结案率 / 按期结案率 (issue 11, reference grid.md §6
"居民区网格工作站"); the composite 综合指标值 as editable data (reference grid.md §5: the weights are local)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shequ.core.models import AuditLog
from shequ.grid import stats
from shequ.grid.models import CompositeRule
from shequ.grid.tests.test_indicators import _case

pytestmark = pytest.mark.django_db
MARCH = dict(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))


@pytest.fixture
def station_month(env):
    """敦化: two cases the work station solved itself, one dispatched case closed late, one open past its deadline."""
    past = dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    _case(env, 1, status="closed", closed_on_time=True, self_handled=True, unit="station", deadline=past)
    _case(env, 2, status="evaluated", closed_on_time=True, self_handled=True, unit="station", deadline=past,
          satisfaction="satisfied", urgency="urgent")
    _case(env, 3, status="closed", closed_on_time=False, deadline=past)
    _case(env, 4, status="handling", deadline=past)
    stats.rebuild()
    return env


def _total(env):
    return stats.indicators(**MARCH, by="total", node_ids=[env["node_dunhua"].pk])[0]


def test_self_handled_cases_are_kept_out_of_the_close_rates(station_month):
    r = _total(station_month)
    # Counting the station's own cases as 结案 gave 结案率 3 ÷ 4 = 75 % and 按期 2 ÷ 4 = 50 %.
    assert (r["closed"], r["closed_on_time"], r["due"]) == (1, 0, 2)
    assert r["close_rate"] == 50.0  # 1 ÷ 2
    assert r["on_time_rate"] == 0.0  # 0 ÷ 2
    assert r["urgent_on_time_rate"] is None  # the only urgent case was the station's own


def test_self_handling_is_reported_as_its_own_rate(station_month):
    r = _total(station_month)
    assert r["self_handled"] == 2 and r["filed"] == 4
    assert r["self_handle_rate"] == 50.0  # 自处置数 2 ÷ 立案数 4
    by_committee = {x["key"]: x for x in stats.indicators(**MARCH, by="committee")}
    assert by_committee[station_month["node_dunhua"].pk]["self_handle_rate"] == 50.0


def test_the_page_shows_self_handling_and_the_composite_formula(station_month, client_as):
    page = client_as(station_month["leader"]).get(reverse("grid:stats"), {
        "preset": "custom", "start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert "工作站自处置率" in page and "不计入结案数" in page
    assert "综合指标值（0–100）= 50 × min(1, 按期结案率 ÷ 90%)" in page
    assert "金华" not in page


def _old_formula(row):
    """The weights the code had before they became data (kept here to show the default reproduces them)."""
    score = 0.0
    if row["on_time_rate"] is not None:
        score += 50 * min(1.0, row["on_time_rate"] / 100 / 0.9)
    if row["close_rate"] is not None:
        score += 20 * min(1.0, row["close_rate"] / 100 / 0.9)
    urgent = row.get("urgent_on_time_rate")
    score += 10 * (min(1.0, urgent / 100) if urgent is not None else 1.0)
    score += 20 * (1 - min(1.0, (row.get("rework_rate") or 0) / 100))
    score -= 0.2 * row.get("rework_total", 0) + 0.5 * row.get("overdue_open", 0)
    return round(max(0.0, score), 1)


def test_the_default_rule_reproduces_the_former_weights(station_month):
    assert CompositeRule.objects.count() == 1  # the migration's row (or none: the defaults are the same)
    for row in stats.indicators(**MARCH, by="committee"):
        assert row["score"] == _old_formula(row)


def test_the_administrator_edits_the_weights_and_the_score_follows(station_month, client_as, personas):
    before = _total(station_month)["score"]
    rule = CompositeRule.objects.get()
    url = reverse("core:config-edit", args=["grid-composite-rule", rule.pk])
    fields = {"name": "综合指标值", "on_time_weight": "40", "on_time_full": "90", "close_weight": "30",
              "close_full": "90", "urgent_weight": "10", "rework_weight": "20", "rework_deduction": "0.2",
              "overdue_deduction": "2", "note": ""}
    admin = client_as(personas["sysadmin"])
    bad = admin.post(url, {**fields, "close_weight": "35"})
    assert bad.status_code == 200 and "四项权重合计须为100分" in bad.content.decode()
    assert admin.post(url, {**fields, "overdue_deduction": "-1"}).status_code == 200
    rule.refresh_from_db()
    assert rule.close_weight == Decimal(20)
    assert admin.post(url, fields).status_code == 302
    after = _total(station_month)
    # 按期 0 % × 40 + 结案 50 % → 30 × 0.5/0.9 + 紧急 10 + 返工 20 − 2 × 1 超时未处置
    assert after["score"] == round(30 * 0.5 / 0.9 + 10 + 20 - 2, 1) != before
    assert AuditLog.objects.filter(action="config", object_type="grid.compositerule").exists()
    assert client_as(station_month["leader"]).get(url).status_code == 403


def test_a_second_rule_is_refused(personas, client_as, env):
    response = client_as(personas["sysadmin"]).post(reverse("core:config-create", args=["grid-composite-rule"]), {
        "name": "另一套", "on_time_weight": "50", "on_time_full": "90", "close_weight": "20", "close_full": "90",
        "urgent_weight": "10", "rework_weight": "20", "rework_deduction": "0.2", "overdue_deduction": "0.5"})
    assert response.status_code == 200 and CompositeRule.objects.count() == 1
