"""insert_many: what it stores is what save() would store, and the objects get their primary keys."""

import datetime as dt

import pytest
from django.db import connection, transaction

from shequ.core import crypto
from shequ.core.audit import audit_bulk
from shequ.core.bulk import insert_many
from shequ.core.models import AuditLog
from shequ.core.testing import build_tree, valid_id_number
from shequ.people.models import Resident

pytestmark = pytest.mark.django_db


def test_it_sets_the_primary_keys_and_stores_what_save_would():
    tree = build_tree()
    committee = tree["dunhua"]
    Resident.objects.create(name="先来", committee=committee, id_number=valid_id_number(seed=1),
                            id_hash=crypto.keyed_hash("x"), id_masked="",
                            birth_date=dt.date(1950, 1, 1))  # ids need not start at 1
    numbers = [valid_id_number(seed=n) for n in range(2, 7)]
    rows = [Resident(name=f"居民{n}", committee=committee, id_number=number, id_hash=crypto.keyed_hash(number),
                     id_masked=number[:4], phone="13800000000", birth_date=dt.date(1960, 1, n + 1)) for n, number in enumerate(numbers)]
    with transaction.atomic():
        insert_many(Resident, rows)
    assert all(r.pk for r in rows) and len({r.pk for r in rows}) == 5
    for row, number in zip(rows, numbers):
        stored = Resident.objects.get(pk=row.pk)
        assert (stored.name, stored.id_number, stored.phone) == (row.name, number, "13800000000")
        assert stored.created_at is not None and stored.version == 1 and stored.is_active
    with connection.cursor() as cursor:  # encrypted at rest, not the clear number
        cursor.execute("SELECT id_number FROM people_resident WHERE id = %s", [rows[0].pk])
        assert numbers[0] not in str(cursor.fetchone()[0])


def test_audit_rows_inserted_in_bulk_verify():
    rows = [AuditLog(username="importer", action="create", object_type="people.resident", object_id=str(n),
                     detail={"via": "import"}) for n in range(3)]
    with transaction.atomic():
        audit_bulk(rows)
    stored = list(AuditLog.objects.filter(username="importer").order_by("id"))
    assert [r.object_id for r in stored] == ["0", "1", "2"] and [r.pk for r in rows] == [r.pk for r in stored]
    assert all(r.signature == r.compute_signature() for r in stored)
