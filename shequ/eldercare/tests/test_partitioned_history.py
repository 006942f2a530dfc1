"""Meal orders (by meal date) and day-care attendance (by date) partitioned by year on PostgreSQL: where rows land,
the unique rules kept on the parent (they contain the date, so they hold across partitions), pruning. SQLite: the
plain tables, the same refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from shequ.eldercare.models import Attendance, MealOrder
from shequ.eldercare.services import attendance_record, daycare_enrol, meal_order_create

from .conftest import TODAY

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning exists only on PostgreSQL")
NEXT_YEAR_DAY = dt.date(TODAY.year + 1, 1, 4)  # a Monday, past every cut-off from TODAY


def _where(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _order(personas, resident, day):
    return meal_order_create(actor=personas["dunhua"], resident=resident, date=day.isoformat(), meal="lunch",
                             mode="dine_in")


@pytest.fixture
def guest(places, elder, personas, clock):
    return daycare_enrol(actor=personas["officer"], facility=places["daycare"], resident=elder(84, name="孙玉兰"),
                         care_grade=3, daily_fee=Decimal("30"), start_date=TODAY - dt.timedelta(days=40))


def _attend(places, guest, day):
    return attendance_record(actor=places["nurse"], enrolment=guest, date=day, arrived_at=dt.time(8, 30))


@on_postgres
def test_it_puts_meal_orders_in_the_partition_of_their_meal_date(enrolled, personas):
    elder = enrolled(82)
    tomorrow = _order(personas, elder, TODAY + dt.timedelta(days=1))
    next_year = _order(personas, elder, NEXT_YEAR_DAY)
    assert _where("eldercare_mealorder", tomorrow.pk) == f"eldercare_mealorder_y{TODAY.year}"
    assert _where("eldercare_mealorder", next_year.pk) == f"eldercare_mealorder_y{TODAY.year + 1}"


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_order_of_a_day_and_meal(enrolled, personas):
    """The partial unique index contains the meal date: on PostgreSQL it stays on the partitioned parent."""
    order = _order(personas, enrolled(82), NEXT_YEAR_DAY)
    clone = MealOrder.objects.get(pk=order.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.status = "cancelled"
    clone.save()  # a cancelled order does not count
    assert MealOrder.objects.filter(resident=order.resident, date=NEXT_YEAR_DAY).count() == 2


@on_postgres
def test_a_canteens_month_of_orders_scans_one_partition(enrolled, personas, places):
    _order(personas, enrolled(82), TODAY + dt.timedelta(days=1))
    plan = MealOrder.objects.filter(canteen=places["canteen"], date__gte=TODAY.replace(day=1),
                                    date__lte=TODAY.replace(day=31)).explain()
    assert f"eldercare_mealorder_y{TODAY.year}" in plan
    assert f"eldercare_mealorder_y{TODAY.year + 1}" not in plan and "eldercare_mealorder_default" not in plan


@on_postgres
def test_it_puts_attendance_in_the_partition_of_its_date_and_prunes_a_month(places, guest):
    row = _attend(places, guest, TODAY)
    assert _where("eldercare_attendance", row.pk) == f"eldercare_attendance_y{TODAY.year}"
    plan = Attendance.objects.filter(enrolment=guest, date__gte=TODAY.replace(day=1),
                                     date__lte=TODAY.replace(day=31)).explain()
    assert f"eldercare_attendance_y{TODAY.year}" in plan
    assert f"eldercare_attendance_y{TODAY.year + 1}" not in plan and "eldercare_attendance_default" not in plan


@pytest.mark.django_db
def test_the_database_refuses_a_second_attendance_of_a_day(places, guest):
    row = _attend(places, guest, TODAY)
    clone = Attendance.objects.get(pk=row.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.date = TODAY - dt.timedelta(days=366)  # another day, another year's partition on PostgreSQL
    clone.save()
    assert Attendance.objects.filter(enrolment=guest).count() == 2
