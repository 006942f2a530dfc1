from decimal import Decimal

import pytest
from django.template import Context, Template

from shequ.core.formatting import number_text


@pytest.mark.parametrize("value, expected", [
    (Decimal("20"), "20"), (Decimal("2E+1"), "20"), (Decimal("1.50"), "1.5"), (Decimal("0.00"), "0"),
    (24.0, "24"), (3, "3"), (Decimal("-0.0"), "0"), (Decimal("1E-7"), "0.0000001"), (None, ""), ("", ""),
    ("abc", "abc"), (True, "1"),
])
def test_it_writes_numbers_as_people_read_them(value, expected):
    assert number_text(value) == expected


def test_it_rounds_to_the_places_asked():
    assert number_text(Decimal("2.345"), 1) == "2.3"
    assert number_text(Decimal("2.05"), 0) == "2"


def test_it_gives_templates_a_num_filter():
    out = Template("{% load shequ %}{{ a|num }}|{{ b|num:1 }}|{{ c|num:'x' }}").render(
        Context({"a": Decimal("2E+1"), "b": Decimal("7.25"), "c": Decimal("3.0")}))
    assert out == "20|7.2|3"


@pytest.mark.django_db
def test_it_shows_a_category_time_limit_without_exponent():
    from shequ.grid.models import Category

    category = Category(limit_value=Decimal("2E+1"), limit_unit=Category._meta.get_field("limit_unit").choices[0][0])
    assert category.limit_display.startswith("20")
    assert "E" not in category.limit_display
