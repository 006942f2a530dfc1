"""The signed logs (core audit log, 民生档案查询日志): every row verifies, whoever wrote it and in whatever time
zone its time was expressed (the demo writes local times), and a row altered in the database is flagged, alone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shequ.acceptance.models import ArchiveAccessLog
from shequ.core.audit import audit_record
from shequ.core.models import AuditLog

SH = ZoneInfo("Asia/Shanghai")


def _archive_row(user, number: str, at: dt.datetime) -> ArchiveAccessLog:
    """As `acceptance.demo` writes them: a local time, a masked requester, a `via` detail."""
    row = ArchiveAccessLog(at=at, user=user, username=user.username, role=user.role, action="request",
                           request_number=number, record_type="HY", requester_id_masked="310110********1234",
                           requester_id_hash="0" * 64, purpose="办理退休手续", decision="已提交",
                           detail={"via": "seed_demo"})
    row.save()
    return row


@pytest.mark.django_db
def test_it_verifies_rows_written_with_a_local_time_and_flags_exactly_the_altered_one(personas, client_as):
    clerk = personas["clerk"]
    rows = [_archive_row(clerk, f"DA2603010{i:02d}", dt.datetime(2026, 3, 1, 9, i, 7, 123456, tzinfo=SH))
            for i in range(5)]
    rows.append(_archive_row(clerk, "DA260301099", dt.datetime.now(dt.timezone.utc)))
    assert all(r.verify() for r in ArchiveAccessLog.objects.all())
    table = ArchiveAccessLog._meta.db_table
    with connection.cursor() as cursor:  # an edit outside the application (on PostgreSQL, past the trigger)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(f"UPDATE {table} SET decision = %s WHERE id = %s", ["已出证", rows[2].pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    flagged = [r.pk for r in ArchiveAccessLog.objects.all() if not r.verify()]
    assert flagged == [rows[2].pk]
    page = client_as(personas["auditor"]).get("/acceptance/archives/log/")
    assert page.status_code == 200
    assert page.content.decode().count("table-danger") == 1


@pytest.mark.django_db
def test_it_verifies_audit_rows_written_with_a_local_time(personas):
    local = audit_record(actor=personas["clerk"], action="view", object_type="people.resident", object_id=1)
    odd = AuditLog(at=dt.datetime(2026, 3, 1, 9, 30, 1, 5, tzinfo=SH), username="x", action="view",
                   detail={"via": "seed_demo"})
    odd.save()
    assert {r.pk: r.verify() for r in AuditLog.objects.filter(pk__in=[local.pk, odd.pk])} == {local.pk: True,
                                                                                             odd.pk: True}
