"""The audit log: append-only (ORM, signature, PostgreSQL trigger), authentication events, the auditor's pages."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from shequ.core.audit import audit_bulk, audit_record
from shequ.core.choices import AuditAction, AuditResult
from shequ.core.models import AuditLog
from shequ.core.testing import PASSWORD

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists only on PostgreSQL")


@pytest.fixture
def sqlite_only(db):
    if connection.vendor != "sqlite":
        pytest.skip("editing a row with raw SQL is only possible where no trigger refuses it")


@pytest.fixture
def row(personas):
    return audit_record(actor=personas["clerk"], action=AuditAction.VIEW, obj=personas["dunhua"],
                        detail={"field": "id_number"})


# --- append-only through the ORM ---------------------------------------------------------------------------------

def test_it_signs_every_row_it_writes(row):
    fresh = AuditLog.objects.get(pk=row.pk)
    assert len(fresh.signature) == 64
    assert fresh.verify()
    assert fresh.username == "clerk" and fresh.role == "window_clerk"
    assert fresh.object_type == "core.user" and fresh.object_id == str(row.object_id)


def test_it_refuses_to_update_a_row_through_save(row):
    fresh = AuditLog.objects.get(pk=row.pk)
    fresh.username = "someone-else"
    with pytest.raises(PermissionError):
        fresh.save()
    assert AuditLog.objects.get(pk=row.pk).username == "clerk"


def test_it_refuses_to_delete_a_row_instance(row):
    with pytest.raises(PermissionError):
        AuditLog.objects.get(pk=row.pk).delete()
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_it_refuses_queryset_update_and_delete(row):
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).delete()
    fresh = AuditLog.objects.get(pk=row.pk)
    fresh.username = "x"
    with pytest.raises(PermissionError), transaction.atomic():
        AuditLog.objects.bulk_update([fresh], ["username"])
    with pytest.raises(PermissionError), transaction.atomic():
        AuditLog.objects.update_or_create(pk=row.pk, defaults={"username": "x"})
    assert AuditLog.objects.get(pk=row.pk).username == "clerk"
    assert AuditLog.objects.get(pk=row.pk).verify()


def test_it_signs_rows_written_in_bulk(personas):
    audit_bulk([AuditLog(action=AuditAction.IMPORT, username="x", object_type="people.resident", object_id=str(i))
                for i in range(3)])
    rows = AuditLog.objects.filter(action=AuditAction.IMPORT)
    assert rows.count() == 3
    assert all(r.verify() for r in rows)


def test_it_detects_a_row_changed_in_memory(row):
    fresh = AuditLog.objects.get(pk=row.pk)
    fresh.detail = {"field": "phone"}
    assert not fresh.verify()


def test_it_detects_a_row_edited_with_raw_sql(sqlite_only, row):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET object_repr = %s WHERE id = %s", ["篡改", row.pk])
    fresh = AuditLog.objects.get(pk=row.pk)
    assert fresh.object_repr == "篡改"
    assert not fresh.verify()


# --- PostgreSQL trigger -------------------------------------------------------------------------------------------

def test_it_refuses_a_raw_update_on_postgresql(postgres_only, row):
    with pytest.raises(DatabaseError) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET username = 'x' WHERE id = %s", [row.pk])
    assert "append-only" in str(exc.value)
    assert AuditLog.objects.get(pk=row.pk).username == "clerk"


def test_it_refuses_a_raw_delete_on_postgresql(postgres_only, row):
    with pytest.raises(DatabaseError) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert "append-only" in str(exc.value)
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_it_refuses_deleting_a_row_younger_than_180_days_on_postgresql(postgres_only, personas):
    young = AuditLog(at=timezone.now() - dt.timedelta(days=170), action=AuditAction.VIEW, username="u")
    young.save()
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [young.pk])
    assert AuditLog.objects.filter(pk=young.pk).exists()


def test_it_allows_deleting_a_row_older_than_180_days_on_postgresql(postgres_only, row):
    old = AuditLog(at=timezone.now() - dt.timedelta(days=181), action=AuditAction.VIEW, username="old")
    old.save()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [old.pk])
        assert cursor.rowcount == 1
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=row.pk).exists()
    # but even an old row may not be rewritten
    older = AuditLog(at=timezone.now() - dt.timedelta(days=400), action=AuditAction.VIEW, username="older")
    older.save()
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET username = 'x' WHERE id = %s", [older.pk])


# --- authentication events ------------------------------------------------------------------------------------

def _login(client, username, password, ip="10.20.30.40"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_audits_a_successful_login_with_the_source_address(personas):
    c = Client()
    response = _login(c, "clerk", PASSWORD)
    assert response.status_code == 302
    row = AuditLog.objects.filter(action=AuditAction.LOGIN, username="clerk").get()
    assert row.ip == "10.20.30.40"
    assert row.result == AuditResult.SUCCESS and row.role == "window_clerk"
    assert row.detail == {"channel": "web"}


def test_it_audits_a_failed_login_with_the_source_address(personas):
    response = _login(Client(), "clerk", "wrong-password", ip="10.9.8.7")
    assert response.status_code == 200
    row = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert row.username == "clerk" and row.ip == "10.9.8.7" and row.result == AuditResult.FAILURE
    assert row.user_id is None
    # the password is never written anywhere in the row
    assert "wrong-password" not in row.canonical().decode()


def test_it_audits_a_failed_login_for_an_unknown_account(db):
    _login(Client(), "nobody", "whatever1A!")
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, username="nobody").exists()


def test_it_audits_a_logout_with_the_source_address(personas):
    c = Client()
    _login(c, "clerk", PASSWORD)
    response = c.post("/accounts/logout/", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    row = AuditLog.objects.filter(action=AuditAction.LOGOUT).get()
    assert row.username == "clerk" and row.ip == "10.1.1.1"


def test_it_audits_a_lockout_with_the_source_address(personas):
    c = Client()
    for _ in range(5):
        _login(c, "clerk", "wrong-password", ip="10.6.6.6")
    row = AuditLog.objects.filter(action=AuditAction.LOCKOUT).get()
    assert row.username == "clerk" and row.ip == "10.6.6.6" and row.result == AuditResult.DENIED
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, username="clerk").count() >= 5


def test_it_audits_a_refused_page_in_its_own_row(client_as, personas):
    response = client_as(personas["clerk"]).get("/audit/", REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 403
    row = AuditLog.objects.filter(action=AuditAction.DENIED).get()
    assert row.username == "clerk" and row.result == AuditResult.DENIED and row.ip == "10.2.2.2"
    assert "core.read_audit" in row.detail["what"]


# --- the auditor's pages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["clerk", "sysadmin", "secadmin", "leader", "dunhua", "resident"])
def test_it_refuses_the_audit_log_to_everyone_but_the_auditor(client_as, personas, row, who):
    c = client_as(personas[who])
    assert c.get("/audit/").status_code == 403
    assert c.get(f"/audit/{row.pk}/").status_code == 403


def test_it_sends_anonymous_visitors_of_the_audit_log_to_the_login_page(row):
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/")


def test_it_shows_the_audit_log_to_the_auditor(client_as, personas, row):
    response = client_as(personas["auditor"]).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "审计日志" in html
    assert f"/audit/{row.pk}/" in html


def _rows_listed(response):
    return {r.pk for r in response.context["page"].object_list}


def test_it_filters_the_audit_log(client_as, personas):
    before = set(AuditLog.objects.values_list("pk", flat=True))
    a = AuditLog(at=dt.datetime(2001, 3, 1, 9, tzinfo=SH), action=AuditAction.VIEW, username="clerk")
    b = AuditLog(at=dt.datetime(2001, 3, 5, 23, 30, tzinfo=SH), action=AuditAction.EXPORT, username="clerk")
    c = AuditLog(at=dt.datetime(2001, 3, 6, 0, 10, tzinfo=SH), action=AuditAction.VIEW, username="leader")
    for r in (a, b, c):
        r.save()
    auditor = client_as(personas["auditor"])
    assert _rows_listed(auditor.get("/audit/", {"action": "export"})) == {b.pk}
    assert _rows_listed(auditor.get("/audit/", {"username": "leader"})) == {c.pk}
    # dates are local (Asia/Shanghai) days, both ends included
    in_range = _rows_listed(auditor.get("/audit/", {"date_from": "2001-03-01", "date_to": "2001-03-05"}))
    assert in_range == {a.pk, b.pk}
    assert _rows_listed(auditor.get("/audit/", {"date_from": "2001-03-06", "date_to": "2001-03-06",
                                                "username": "leader"})) == {c.pk}
    assert _rows_listed(auditor.get("/audit/", {"username": "clerk", "action": "view"})) == {a.pk}
    assert before.isdisjoint(_rows_listed(auditor.get("/audit/", {"date_to": "2001-03-31"})))


def test_it_shows_a_message_for_an_inverted_date_range(client_as, personas):
    response = client_as(personas["auditor"]).get("/audit/", {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_it_answers_an_htmx_filter_with_only_the_rows(client_as, personas, row):
    response = client_as(personas["auditor"]).get("/audit/", {"action": "view"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="audit-rows"' in html
    assert "<html" not in html


def test_it_shows_the_signature_check_on_the_detail_page(client_as, personas, row):
    response = client_as(personas["auditor"]).get(f"/audit/{row.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "签名校验通过" in html
    assert response.context["intact"] is True


def test_it_flags_a_tampered_row_on_the_detail_page(sqlite_only, client_as, personas, row):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET result = 'failure' WHERE id = %s", [row.pk])
    response = client_as(personas["auditor"]).get(f"/audit/{row.pk}/")
    assert "签名校验失败" in response.content.decode()
    assert response.context["intact"] is False


def test_it_answers_404_for_an_unknown_audit_row(client_as, personas):
    assert client_as(personas["auditor"]).get("/audit/999999/").status_code == 404
