"""Acceptance cases (办件) partitioned by year of received_at on PostgreSQL: where rows land, the per-year unique
number, the foreign keys without database constraints (on_delete applied by Django), pruning. SQLite: the plain
table."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from shequ.acceptance import services
from shequ.acceptance.models import Case, CaseEvent, CaseMaterial, Review

from .conftest import SH, at, intake

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning exists only on PostgreSQL")


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM acceptance_case WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@on_postgres
def test_it_puts_a_case_in_its_years_partition_and_moves_it_with_its_date(centre):
    case = intake(centre)
    year = timezone.localtime(case.received_at, SH).year
    assert _where(case.pk) == f"acceptance_case_y{year}"
    Case.objects.filter(pk=case.pk).update(received_at=at(1999, 5, 1))
    assert _where(case.pk) == "acceptance_case_default"  # an UPDATE of the key moves the row
    assert Case.objects.get(pk=case.pk).number == case.number


@on_postgres
def test_it_keeps_the_number_unique_within_a_year(centre):
    case = intake(centre)
    clone = Case.objects.get(pk=case.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.number = case.number + "B"
    clone.save()  # another number is fine
    assert clone.pk > case.pk


@on_postgres
def test_it_scans_one_partition_for_a_centres_month(centre):
    intake(centre)
    plan = Case.objects.filter(node=centre["sub"], received_at__gte=at(2026, 3, 1, 0),
                               received_at__lt=at(2026, 4, 1, 0)).explain()
    assert "acceptance_case_y2026" in plan
    assert "acceptance_case_y2027" not in plan and "acceptance_case_default" not in plan


def test_it_still_applies_on_delete_without_database_constraints(centre):
    """No FK constraint points into acceptance_case on PostgreSQL: Django's collector applies CASCADE and
    PROTECT (reviews, transfers)."""
    reviewed, plain = intake(centre), intake(centre)
    services.review_submit(score=5, channel="web", case=reviewed)
    with pytest.raises(ProtectedError):
        Case.objects.get(pk=reviewed.pk).delete()
    assert Case.objects.filter(pk=reviewed.pk).exists() and Review.objects.filter(case=reviewed).exists()
    assert CaseEvent.objects.filter(case=plain).exists() and CaseMaterial.objects.filter(case=plain).exists()
    Case.objects.get(pk=plain.pk).delete()
    assert not CaseEvent.objects.filter(case_id=plain.pk).exists()  # cascaded
    assert not CaseMaterial.objects.filter(case_id=plain.pk).exists()
