"""Each role's home shows the charts its work needs, with the same figures as a table; nothing it may not see."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.core.hooks import ChartData, HomeChart, Series, charts_for, registry


@pytest.fixture
def fake_chart():
    calls = []

    def data(user):
        calls.append(user)
        return ChartData(labels=["11月1日", "11月2日"], series=[Series("上报", [3, 0]),
                                                               Series("按期结案率", [None, 87.5], "line", True)])

    chart = HomeChart("测试图表", "grid.stats", data, order=1)
    registry.charts.append(chart)
    yield calls
    registry.charts.remove(chart)


@pytest.mark.django_db
def test_it_shows_a_chart_and_its_figures_to_a_role_with_the_capability(personas, client_as, fake_chart):
    page = client_as(personas["leader"]).get(reverse("core:home")).content.decode()
    assert "测试图表" in page
    assert 'data-chart="sq-home-chart-' in page
    assert "87.5" in page and "无数据" in page  # the table under 查看数据, None as 无数据
    assert "常用功能" not in page  # no button grid repeating the sidebar


@pytest.mark.django_db
def test_it_hides_charts_from_roles_without_the_capability(personas, client_as, fake_chart):
    page = client_as(personas["dunhua"]).get(reverse("core:home")).content.decode()
    assert "测试图表" not in page
    assert fake_chart == []  # the figures were not even computed


@pytest.mark.django_db
def test_the_grid_and_hall_charts_count_real_rows_in_scope(personas):
    from shequ.acceptance.home_charts import hall_trend
    from shequ.grid.home_charts import case_trend

    leader = personas["leader"]
    trend = case_trend(leader)
    assert len(trend.labels) == 30
    today = timezone.localdate()
    assert trend.labels[-1] == f"{today.month}月{today.day}日"
    assert sum(trend.series[0].values) == 0
    assert hall_trend(leader) is None  # no numbers issued yet: no empty chart
    titles = [chart.title for chart, _data in charts_for(leader)]
    assert "近30天案件与按期结案率" in titles


@pytest.mark.django_db
def test_the_hall_chart_averages_waits_per_day(personas, tree):
    from shequ.acceptance.models import QueueCategory, Ticket
    from shequ.acceptance.selectors.trend import hall_days

    sub = personas["leader"].nodes.get()
    category = QueueCategory.objects.create(letter="A", name="综合")
    day = timezone.localdate() - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    for seq, wait, status in ((1, 10, "done"), (2, 20, "done"), (3, None, "expired")):
        Ticket.objects.create(node=sub, day=day, category=category, seq=seq, number=f"A{seq:03d}",
                              issued_at=start, status=status,
                              called_at=start + dt.timedelta(minutes=wait) if wait else None)
    assert hall_days(user=personas["leader"]) == [(day, 2, 15.0)]
