"""Grid cases partitioned by year of reported_at on PostgreSQL: where rows land, the per-year unique numbers, the
foreign keys without database constraints (on_delete applied by Django), pruning. SQLite: the plain table."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from shequ.grid.models import Case, CaseEvent
from shequ.grid.tests.conftest import SH, report

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning exists only on PostgreSQL")


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM grid_case WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@on_postgres
def test_a_reported_case_lands_in_its_years_partition_and_a_moved_date_moves_it(env):
    case = report(env)
    assert _where(case.pk) == "grid_case_y2026"
    Case.objects.filter(pk=case.pk).update(reported_at=dt.datetime(1999, 5, 1, tzinfo=SH))
    assert _where(case.pk) == "grid_case_default"  # an UPDATE of the key moves the row
    assert Case.objects.get(pk=case.pk).number == case.number


@on_postgres
def test_the_number_stays_unique_within_a_year(env):
    case = report(env)
    clone = Case.objects.get(pk=case.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.open311_token = None
    clone.number = case.number + "-b"
    clone.save()  # another number is fine
    assert _where(clone.pk) == "grid_case_y2026" and clone.pk > case.pk


@on_postgres
def test_a_one_month_read_scans_one_partition(env):
    report(env)
    plan = Case.objects.filter(reported_at__gte=dt.datetime(2026, 3, 1, tzinfo=SH),
                               reported_at__lt=dt.datetime(2026, 4, 1, tzinfo=SH), node=env["sub"]).explain()
    assert "grid_case_y2026" in plan
    assert "grid_case_y2027" not in plan and "grid_case_default" not in plan


def test_on_delete_is_still_applied_without_database_constraints(env):
    """No FK constraint points into grid_case on PostgreSQL: Django's collector applies CASCADE and PROTECT."""
    main, dup = report(env), report(env, description="同一处暴露垃圾")
    Case.objects.filter(pk=dup.pk).update(duplicate_of=main)
    with pytest.raises(ProtectedError) as exc:
        main.delete()
    assert {obj.pk for obj in exc.value.protected_objects} == {dup.pk}
    assert Case.objects.filter(pk=main.pk).exists()
    assert CaseEvent.objects.filter(case=dup).exists()
    Case.objects.get(pk=dup.pk).delete()
    assert not CaseEvent.objects.filter(case_id=dup.pk).exists()  # cascaded


def test_a_case_locked_for_update_is_saved_in_place(env):
    case = report(env)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        locked.status_note = "已到场"
        locked.save(update_fields=["status_note"])
    assert Case.objects.get(pk=case.pk).status_note == "已到场"
    assert Case.objects.filter(number=case.number).count() == 1


# --- 12345 orders (grid_hotlineorder, by received_at) ------------------------------------------------------------

def _order(env, no="SH12345-1"):
    from shequ.grid import services
    from shequ.grid.tests.conftest import DUNHUA

    payload = {"order_no": no, "hotline_type": "投诉", "title": "占道经营", "content": "小区门口有摊贩占道经营",
               "address": "敦化路1号", "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0502"}
    return services.hotline_receive(actor=env["operator"], data=payload, subdistrict=env["node_sub"])


@on_postgres
def test_a_12345_order_lands_in_its_years_partition_and_its_number_stays_unique(env):
    from shequ.grid.models import HotlineOrder

    order = _order(env)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM grid_hotlineorder WHERE id = %s", [order.pk])
        assert cursor.fetchone()[0] == "grid_hotlineorder_y2026"
    clone = HotlineOrder.objects.get(pk=order.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()  # the database refuses the same number in the same year, whatever the door
    plan = HotlineOrder.objects.filter(received_at__gte=dt.datetime(2026, 3, 1, tzinfo=SH),
                                       received_at__lt=dt.datetime(2026, 4, 1, tzinfo=SH)).explain()
    assert "grid_hotlineorder_y2026" in plan and "grid_hotlineorder_default" not in plan


def test_the_intake_refuses_a_number_imported_in_another_year(env):
    from shequ.core.errors import ConflictError
    from shequ.grid.models import HotlineOrder

    order = _order(env, no="SH-2025-1")
    HotlineOrder.objects.filter(pk=order.pk).update(received_at=dt.datetime(2025, 6, 1, tzinfo=SH))
    with pytest.raises(ConflictError):
        _order(env, no="SH-2025-1")
    assert HotlineOrder.objects.filter(order_no="SH-2025-1").count() == 1


def test_an_orders_events_cascade_without_database_constraints(env):
    from shequ.grid.models import HotlineEvent, HotlineOrder

    order = _order(env)
    assert HotlineEvent.objects.filter(order=order).exists()
    HotlineOrder.objects.get(pk=order.pk).delete()
    assert not HotlineEvent.objects.filter(order_id=order.pk).exists()


# --- the closing cohort's statements prune (grid_case by reported_at) -------------------------------------------

def _scans(plan):
    return set(re.findall(r"\bon (grid_case_(?:y\d{4}|default))\b", plan))


def _explain(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgres
def test_a_months_closing_cohort_skips_the_years_after_the_month(env, clock):
    """The cohort reads cases by deadline and closing time; the report-time bound they imply (a case due or
    closed in a period was reported before its end) keeps every one of its statements off the later years."""
    from django.test.utils import CaptureQueriesContext

    from shequ.grid import stats
    from shequ.grid.choices import CaseAction as A
    from shequ.grid.tests.conftest import act

    def cohort_statements(captured):  # the reads of grid_case along a deadline or closing-time range
        ranges = ('"grid_case"."deadline" >=', '"grid_case"."closed_at" >=')
        return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                and any(r in q["sql"].partition(" WHERE ")[2] for r in ranges)]

    with CaptureQueriesContext(connection) as steps:  # each step recounts its deadline's and closing day
        case = act(env, report(env), A.FILE, "shiftlead")
        case = act(env, case, A.DISPATCH, "dispatcher", unit=env["chengguan"])
    clock.move_to(dt.datetime(2026, 4, 15, 10, 0, tzinfo=SH))
    march = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}
    with CaptureQueriesContext(connection) as reads:
        by_unit = stats.indicators(**march, by="unit")  # counted live from the cases
        stats.indicators(**march, by="day")  # the cases due in March closed after it, live
        stats.indicators(start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13))  # a few days: likewise
        stats.indicators(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))  # this month: today live
    assert sum(row["due"] for row in by_unit) == 1
    statements = cohort_statements(steps) + cohort_statements(reads)
    assert len(statements) >= 8
    for sql in statements:
        scanned = _scans(_explain(sql))
        assert "grid_case_y2026" in scanned and "grid_case_y2027" not in scanned, sql
    # Without the bound the same read visits every partition.
    unbounded = stats._cohort_base({}).filter(deadline__gte=dt.datetime(2026, 3, 1, tzinfo=SH),
                                              deadline__lt=dt.datetime(2026, 4, 1, tzinfo=SH))
    assert "grid_case_y2027" in _scans(unbounded.explain())
