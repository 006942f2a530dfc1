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
