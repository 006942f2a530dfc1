"""How the grid's lists and figures read on screen: a rate with nothing to divide by says 无数据, never "—%"."""

import pytest
from django.template import Context, Template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_formats_a_rate_or_says_there_is_no_data():
    t = Template("{% load shequ %}{{ a|rate }} {{ b|rate }} {{ c|rate }}")
    assert t.render(Context({"a": 87.5, "b": None, "c": 0})) == "87.5% 无数据 0%"


def test_it_shows_no_data_instead_of_a_dash_percent_on_the_ranking(env, client_as):
    html = client_as(env["leader"]).get(reverse("grid:stats")).content.decode()
    assert "—%" not in html and "—<span" not in html and "无数据" in html


def _links(html, *cases):
    return {c.number for c in cases if f"/grid/cases/{c.pk}/" in html}


def test_it_opens_a_patrols_list_on_their_own_cases_with_chips(env, client_as, clock):
    import datetime as dt

    from shequ.grid.models import GridResponsible
    from shequ.grid.testing import report

    clock.move_to(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    yesterday = report(env, user="inspector", address="敦化路1号")
    clock.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    own = report(env, user="patrol", address="敦化路2号")
    client = client_as(env["patrol"])

    def shown(**params):
        return _links(client.get(reverse("grid:case-list"), params).content.decode(), yesterday, own)

    html = client.get(reverse("grid:case-list")).content.decode()
    assert _links(html, yesterday, own) == {own.number}
    assert 'aria-current="true" href="?mine=mine">我的<' in html and "我的网格" in html and "今天" in html
    assert shown(mine="all") == {yesterday.number, own.number}
    assert shown(mine="today") == {own.number}
    assert shown(mine="grids") == set()
    GridResponsible.objects.create(grid=yesterday.grid, name="巡查", duty="联勤队员", user=env["patrol"])
    GridResponsible.objects.create(grid=yesterday.grid, name="巡查", duty="网格员", user=env["patrol"])
    html = client.get(reverse("grid:case-list"), {"mine": "grids"}).content.decode()
    assert _links(html, yesterday) == {yesterday.number} and html.count(f"/grid/cases/{yesterday.pk}/") == 2
    bad = client.get(reverse("grid:case-list"), {"mine": "x"})
    assert bad.status_code == 200 and "范围：" in bad.content.decode() and _links(bad.content.decode(), yesterday, own) == set()
    # Other roles still open on everything in scope.
    assert _links(client_as(env["operator"]).get(reverse("grid:case-list")).content.decode(),
                  yesterday, own) == {yesterday.number, own.number}


def test_it_shows_each_case_as_a_card_on_a_phone(env, client_as):
    from shequ.grid.testing import report

    case = report(env, user="patrol", address="敦化路3号")
    html = client_as(env["patrol"]).get(reverse("grid:case-list"), HTTP_HX_REQUEST="true").content.decode()
    cards = html.split('<ul class="list-group list-group-flush d-md-none sq-case-cards">')[1].split("</ul>")[0]
    assert cards.count('class="list-group-item sq-case-card"') == 1
    for text in (case.number, case.category.name, "敦化路3号", case.get_status_display(), "处置期限"):
        assert text in cards
    assert 'class="table-responsive d-none d-md-block"' in html
