"""The audit log cannot be altered: the application's ORM refuses every update and delete; on PostgreSQL a
trigger refuses UPDATE and DELETE from any client; a row edited behind the application's back no longer
verifies (each row carries an HMAC of its content). Retention is at least 180 days: a shorter retention is
refused, younger rows survive a purge, older ones go, and the purge itself is audited."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _row(days_old: float = 0, **detail) -> AuditLog:
    row = AuditLog(at=timezone.now() - dt.timedelta(days=days_old), action=AuditAction.VIEW,
                   object_type="people.resident", object_id="1", detail=detail or {"n": 1})
    row.save()
    return row


def _refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except (PermissionError, DatabaseError):
        return True
    return False


def test_it_refuses_every_orm_update_and_delete(personas):
    row = audit_record(actor=personas["clerk"], action=AuditAction.VIEW, object_type="people.resident",
                       object_id="7", detail={"why": "测试"})
    fetched = AuditLog.objects.get(pk=row.pk)
    fetched.detail = {"why": "改过"}
    attempts = {
        "instance.save()": fetched.save,
        "instance.delete()": fetched.delete,
        "queryset.update()": lambda: AuditLog.objects.filter(pk=row.pk).update(detail={}),
        "queryset.delete()": lambda: AuditLog.objects.filter(pk=row.pk).delete(),
        "bulk_update()": lambda: AuditLog.objects.bulk_update([fetched], ["detail"]),
        "update_or_create()": lambda: AuditLog.objects.update_or_create(pk=row.pk, defaults={"object_id": "8"}),
        "_raw_delete()": lambda: AuditLog.objects.filter(pk=row.pk)._raw_delete(connection.alias),
    }
    accepted = [name for name, attempt in attempts.items() if not _refused(attempt)]
    assert not accepted, f"the ORM let these through: {accepted}"
    stored = AuditLog.objects.get(pk=row.pk)
    assert stored.detail == {"why": "测试"} and stored.object_id == "7" and stored.verify()


def test_it_keeps_the_audit_rows_of_a_deleted_account(personas):
    from shequ.core.models import User

    user = personas["resident"]
    row = audit_record(actor=user, action=AuditAction.VIEW, object_type="people.resident", object_id="1")
    User.objects.filter(pk=user.pk).delete()
    kept = AuditLog.objects.get(pk=row.pk)
    assert kept.user_id == user.pk and kept.username == "resident" and kept.verify()


def test_it_refuses_or_detects_an_edit_behind_the_orms_back():
    """The base manager and raw SQL skip the ORM guard. PostgreSQL's trigger refuses them; SQLite has no
    trigger, and there the edited row fails its signature check (a deleted row is not detectable there)."""
    row = _row(detail={"amount": 1})
    table = AuditLog._meta.db_table

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET object_id = %s WHERE id = %s", ["999", row.pk])

    via_base_manager = _refused(lambda: AuditLog._base_manager.filter(pk=row.pk).update(object_id="998"))
    via_sql = _refused(raw_update)
    if connection.vendor == "postgresql":
        assert via_base_manager and via_sql, "the append-only trigger let an UPDATE through"
        assert AuditLog.objects.get(pk=row.pk).verify()
    else:
        assert not via_sql
        assert not AuditLog.objects.get(pk=row.pk).verify(), "a hand-edited row still verifies"


def test_it_refuses_update_and_delete_in_the_database_on_postgresql():
    from .conftest import requires_postgresql

    requires_postgresql()
    young, old = _row(days_old=179), _row(days_old=181)
    table = AuditLog._meta.db_table

    def sql(statement, pk):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement.format(table=table), [pk])
        return run

    assert _refused(sql("UPDATE {table} SET detail = '{{}}' WHERE id = %s", young.pk))
    assert _refused(sql("UPDATE {table} SET detail = '{{}}' WHERE id = %s", old.pk))  # old rows are not editable
    assert _refused(sql("DELETE FROM {table} WHERE id = %s", young.pk))
    assert not _refused(sql("DELETE FROM {table} WHERE id = %s", old.pk))  # retention: past 180 days only
    assert AuditLog.objects.filter(pk=young.pk).exists() and not AuditLog.objects.filter(pk=old.pk).exists()


def test_it_refuses_a_retention_below_180_days():
    _row(days_old=400)
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_purge", "--days", "179", stdout=io.StringIO())
    assert AuditLog.objects.count() == 1


@pytest.mark.parametrize("days", [180, 365])
def test_it_purges_only_rows_past_the_retention_and_audits_the_purge(days):
    keep = [_row(days_old=d) for d in (0, 100, 179, days - 1)]
    gone = [_row(days_old=d) for d in (days + 1, days + 30, 1000)]
    out = io.StringIO()
    call_command("audit_purge", "--days", str(days), "--dry-run", stdout=out)
    assert "would purge 3" in out.getvalue() and AuditLog.objects.count() == 7
    call_command("audit_purge", "--days", str(days), stdout=out)
    left = set(AuditLog.objects.values_list("pk", flat=True))
    assert {r.pk for r in keep} <= left and not {r.pk for r in gone} & left
    purge = AuditLog.objects.get(object_type="core.auditlog", action=AuditAction.DELETE)
    assert purge.detail["purged"] == 3 and purge.detail["retention_days"] == days and purge.verify()
    assert all(r.verify() for r in AuditLog.objects.all())
