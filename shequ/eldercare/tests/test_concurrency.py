"""Two requests ordering the same meal at once: one 201, one 409, never two orders (PostgreSQL; SQLite serialises
writers so the race cannot happen there)."""

import datetime as dt

import pytest
from django.db import connection

from shequ.core.errors import ConflictError
from shequ.core.testing import run_threads
from shequ.eldercare.models import MealOrder
from shequ.eldercare.services import meal_order_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers")
def test_it_lets_only_one_of_two_simultaneous_orders_through(enrolled, personas):
    elder = enrolled(82)
    day = dt.date(2026, 12, 3)

    def order(index):
        return meal_order_create(actor=personas["dunhua"], resident=elder, date=day, meal="lunch",
                                 mode="dine_in" if index else "delivery")

    results = run_threads(order, 4)
    assert sum(isinstance(r, MealOrder) for r in results) == 1
    assert sum(isinstance(r, ConflictError) for r in results) == 3
    assert MealOrder.objects.filter(resident=elder, date=day, meal="lunch").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers")
def test_it_refuses_the_duplicate_by_the_constraint_even_without_the_lock(enrolled, personas):
    from django.db import IntegrityError, transaction

    elder = enrolled(82)
    first = meal_order_create(actor=personas["dunhua"], resident=elder, date=dt.date(2026, 12, 3), meal="lunch",
                              mode="dine_in")
    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()
