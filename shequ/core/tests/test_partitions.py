"""History tables partitioned by year on PostgreSQL (shequ/core/partitions.py); clean no-ops on SQLite."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shequ.core import partitions
from shequ.core.audit import audit_bulk, audit_record
from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog

SH = ZoneInfo("Asia/Shanghai")
THIS_YEAR = timezone.localtime(timezone.now(), SH).year

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning exists only on PostgreSQL")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite no-op")


def _at(year, month=6, day=15):
    return dt.datetime(year, month, day, 10, 0, tzinfo=SH)


def _audit_row(at):
    row = AuditLog(at=at, action=AuditAction.VIEW, username="x", object_type="core.node", object_id="1")
    row.save()
    return row


def _where(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _partition_names(table):
    with connection.cursor() as cursor:
        return [name for name, _bound, _rows in partitions._partitions(cursor, table)]


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

@on_postgres
def test_every_registered_table_is_partitioned_by_range_with_this_and_next_year_and_a_default(db):
    with connection.cursor() as cursor:
        for entry in partitions.REGISTRY.values():
            cursor.execute("SELECT p.partstrat FROM pg_partitioned_table p WHERE p.partrelid = %s::regclass",
                           [entry.table])
            assert cursor.fetchone() == ("r",), entry.table
            names = _partition_names(entry.table)
            assert {f"{entry.table}_y{THIS_YEAR}", f"{entry.table}_y{THIS_YEAR + 1}", f"{entry.table}_default"} \
                <= set(names)
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [entry.table])
            assert cursor.fetchone()[0] is not None  # sqlsequencereset and insert_many rely on it


@on_postgres
def test_a_row_lands_in_the_partition_of_its_year_and_a_row_outside_them_in_the_default(db):
    assert _where("core_auditlog", _audit_row(_at(THIS_YEAR)).pk) == f"core_auditlog_y{THIS_YEAR}"
    # 1 January 00:30 in Shanghai is still 31 December in UTC: the bounds follow TIME_ZONE.
    new_year = _audit_row(dt.datetime(THIS_YEAR + 1, 1, 1, 0, 30, tzinfo=SH))
    assert _where("core_auditlog", new_year.pk) == f"core_auditlog_y{THIS_YEAR + 1}"
    assert _where("core_auditlog", _audit_row(_at(1999)).pk) == "core_auditlog_default"


@on_postgres
def test_ids_come_from_the_sequence_for_single_and_bulk_inserts(personas):
    first = audit_record(actor=personas["clerk"], action=AuditAction.VIEW, obj=personas["dunhua"])
    rows = [AuditLog(action=AuditAction.IMPORT, username="x", object_type="people.resident", object_id=str(i))
            for i in range(3)]
    with transaction.atomic():
        audit_bulk(rows)
    ids = [row.pk for row in rows]
    assert len(set(ids)) == 3 and min(ids) > first.pk
    assert all(AuditLog.objects.get(pk=pk).verify() for pk in ids)


@on_postgres
def test_ensure_partitions_creates_the_coming_years_once(db):
    created = partitions.ensure_partitions(ahead=3)
    assert created["core_auditlog"] == [THIS_YEAR + 2, THIS_YEAR + 3]
    assert partitions.ensure_partitions(ahead=3)["core_auditlog"] == []
    assert f"core_auditlog_y{THIS_YEAR + 3}" in _partition_names("core_auditlog")


@on_postgres
def test_ensure_partitions_moves_the_default_partitions_rows_of_a_new_year_and_keeps_the_trigger(db):
    early = _audit_row(_at(THIS_YEAR + 2))
    assert _where("core_auditlog", early.pk) == "core_auditlog_default"
    partitions.ensure_partitions(ahead=2)
    assert _where("core_auditlog", early.pk) == f"core_auditlog_y{THIS_YEAR + 2}"
    assert AuditLog.objects.get(pk=early.pk).verify()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET username = 'y' WHERE id = %s", [early.pk])
    stray = _audit_row(_at(1999))  # the DEFAULT partition's trigger came back after the move
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog_default SET username = 'y' WHERE id = %s", [stray.pk])


@on_postgres
def test_ensure_partitions_gives_history_in_the_default_partition_its_years_and_leaves_the_rest(db):
    # A database partitioned while empty has this year and the next: older history lands in the DEFAULT
    # partition until the daily task gives it its years (and every year between them and now).
    old, older = _audit_row(_at(THIS_YEAR - 1)), _audit_row(_at(THIS_YEAR - 4, 2, 1))
    stray, far = _audit_row(_at(2019)), _audit_row(_at(THIS_YEAR + 30))
    assert {_where("core_auditlog", r.pk) for r in (old, older, stray, far)} == {"core_auditlog_default"}
    created = partitions.ensure_partitions()
    assert created["core_auditlog"] == list(range(THIS_YEAR - 4, THIS_YEAR))
    assert _where("core_auditlog", old.pk) == f"core_auditlog_y{THIS_YEAR - 1}"
    assert _where("core_auditlog", older.pk) == f"core_auditlog_y{THIS_YEAR - 4}"
    assert _where("core_auditlog", stray.pk) == "core_auditlog_default"  # before the table's first year
    assert _where("core_auditlog", far.pk) == "core_auditlog_default"  # its year is not within reach yet
    assert all(AuditLog.objects.get(pk=r.pk).verify() for r in (old, older, stray, far))
    assert partitions.ensure_partitions()["core_auditlog"] == []


@on_postgres
def test_ensure_partitions_makes_the_past_years_asked_for_before_a_load_of_history(db):
    created = partitions.ensure_partitions(years=range(THIS_YEAR - 2, THIS_YEAR))
    assert all(years == [THIS_YEAR - 2, THIS_YEAR - 1] for years in created.values()), created
    assert _where("core_auditlog", _audit_row(_at(THIS_YEAR - 2)).pk) == f"core_auditlog_y{THIS_YEAR - 2}"
    assert partitions.ensure_partitions(years=[2015])["core_auditlog"] == []  # before the table's first year


@on_postgres
def test_the_append_only_trigger_still_refuses_update_and_young_delete_in_every_partition(db):
    row = _audit_row(timezone.now())
    for sql in ("UPDATE core_auditlog SET username = 'y' WHERE id = %s", "DELETE FROM core_auditlog WHERE id = %s",
                f"UPDATE core_auditlog_y{THIS_YEAR} SET username = 'y' WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    old = _audit_row(timezone.now() - dt.timedelta(days=400))
    with connection.cursor() as cursor:  # past the retention: the one delete the trigger lets through
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [old.pk])
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=row.pk, username="x").exists()


@on_postgres
def test_a_one_year_read_scans_only_that_years_partition(db):
    _audit_row(_at(THIS_YEAR))
    plan = AuditLog.objects.filter(at__gte=_at(THIS_YEAR, 1, 1), at__lt=_at(THIS_YEAR, 12, 31)).explain()
    assert f"core_auditlog_y{THIS_YEAR}" in plan
    assert f"core_auditlog_y{THIS_YEAR + 1}" not in plan and "core_auditlog_default" not in plan


@on_postgres
def test_detach_takes_a_year_out_as_a_plain_table_and_refuses_what_is_not_there(db):
    row = _audit_row(_at(THIS_YEAR + 1))
    assert partitions.detach_partition("core_auditlog", THIS_YEAR + 1) == f"core_auditlog_y{THIS_YEAR + 1}"
    assert f"core_auditlog_y{THIS_YEAR + 1}" not in _partition_names("core_auditlog")
    assert not AuditLog.objects.filter(pk=row.pk).exists()  # out of the live table, kept in the archive table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM core_auditlog_y{THIS_YEAR + 1} WHERE id = %s", [row.pk])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(ValueError):
        partitions.detach_partition("core_auditlog", 1999)
    with pytest.raises(ValueError):
        partitions.detach_partition("core_user", THIS_YEAR)


@on_postgres
def test_the_command_lists_ensures_and_detaches(db):
    out = io.StringIO()
    call_command("partitions", "--ensure", "--ahead", "2", stdout=out)
    assert f"created {THIS_YEAR + 2}" in out.getvalue() and f"core_auditlog_y{THIS_YEAR}" in out.getvalue()
    for table in partitions.REGISTRY:  # the daily task runs this command: every registered table is covered
        assert f"{table}: created {THIS_YEAR + 2}" in out.getvalue()
        assert f"{table}_y{THIS_YEAR + 2}" in out.getvalue()
    call_command("partitions", "--detach", "core_auditlog", str(THIS_YEAR + 2), stdout=out)
    assert f"detached core_auditlog_y{THIS_YEAR + 2}" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("partitions", "--detach", "core_auditlog", "1999", stdout=out)
    with pytest.raises(CommandError):
        call_command("partitions", "--detach", "core_auditlog", "last", stdout=out)
    out = io.StringIO()
    call_command("partitions", "--ensure", "--since", str(THIS_YEAR - 2), stdout=out)
    assert f"core_auditlog: created {THIS_YEAR - 2}, {THIS_YEAR - 1}" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("partitions", "--since", "2020", stdout=out)


SCRATCH = """
CREATE TABLE shequ_scratch (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    node_id bigint NULL REFERENCES core_node (id) DEFERRABLE INITIALLY DEFERRED,
    code varchar(10) NOT NULL DEFAULT 'x',
    n integer NOT NULL CHECK (n >= 0),
    CONSTRAINT shequ_scratch_code_at UNIQUE (code, at)
);
CREATE INDEX shequ_scratch_node ON shequ_scratch (node_id, at);
"""


@on_postgres
def test_the_conversion_keeps_rows_ids_indexes_constraints_and_reverses(tree):
    node = tree["dunhua"]
    with connection.cursor() as cursor:
        cursor.execute(SCRATCH)
        cursor.execute("INSERT INTO shequ_scratch (at, node_id, code, n) VALUES (%s, %s, 'a', 1), (%s, NULL, 'b', 2),"
                       " (%s, NULL, 'c', 3)", [_at(2021), node.pk, _at(2023), _at(THIS_YEAR)])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as rows committed before the migration
        cursor.execute("SELECT id, at, node_id, code, n FROM shequ_scratch ORDER BY id")
        before = cursor.fetchall()
        partitions._convert(cursor, "shequ_scratch", "at", 1)
        assert partitions.is_partitioned(cursor, "shequ_scratch")
        names = _partition_names("shequ_scratch")
        assert {f"shequ_scratch_y{y}" for y in range(2021, THIS_YEAR + 2)} | {"shequ_scratch_default"} == set(names)
        cursor.execute("SELECT id, at, node_id, code, n FROM shequ_scratch ORDER BY id")
        assert cursor.fetchall() == before
        cursor.execute("SELECT tableoid::regclass::text FROM shequ_scratch WHERE code = 'a'")
        assert cursor.fetchone()[0] == "shequ_scratch_y2021"
        cursor.execute("INSERT INTO shequ_scratch (at, n) VALUES (clock_timestamp(), 4) RETURNING id, code")
        assert cursor.fetchone() == (before[-1][0] + 1, "x")  # the sequence continues; defaults kept
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'shequ_scratch'")
        assert {"shequ_scratch_node", "shequ_scratch_code_at", "shequ_scratch_pkey"} <= {r[0] for r in cursor}
        for bad in ("INSERT INTO shequ_scratch (at, n) VALUES (now(), -1)",  # the CHECK
                    "INSERT INTO shequ_scratch (at, node_id, n) VALUES (now(), -5, 1)",  # the FK, checked at commit
                    f"INSERT INTO shequ_scratch (at, code, n) VALUES ('{_at(2021).isoformat()}', 'a', 1)"):  # UNIQUE
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(bad)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        partitions._unconvert(cursor, "shequ_scratch")
        assert not partitions.is_partitioned(cursor, "shequ_scratch")
        cursor.execute("SELECT count(*) FROM shequ_scratch")
        assert cursor.fetchone()[0] == 4
        cursor.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = 'shequ_scratch'::regclass "
                       "AND attname = 'id'")
        assert cursor.fetchone()[0] == "d"
        cursor.execute("INSERT INTO shequ_scratch (at, n) VALUES (clock_timestamp(), 5) RETURNING id")
        assert cursor.fetchone()[0] == before[-1][0] + 2


def _schema(cursor, table):
    """Index names and definitions (partition names aside), constraints, triggers of a table."""
    cursor.execute("SELECT indexname, regexp_replace(indexdef, ' ON (ONLY )?', ' ON ') FROM pg_indexes "
                   "WHERE tablename = %s AND indexname NOT LIKE '%%pkey' ORDER BY 1", [table])
    indexes = cursor.fetchall()
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                   "AND contype IN ('u', 'f', 'c') ORDER BY 1", [table])
    constraints = cursor.fetchall()
    cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY 1",
                   [table])
    return indexes, constraints, cursor.fetchall()


@on_postgres
@pytest.mark.parametrize("table", list(partitions.REGISTRY))
def test_every_registered_table_migrates_back_to_a_plain_table_and_forward_again(db, table):
    """What the migrations' reverse does (`_unconvert`) and then their forward (`_convert`) again, on the real
    tables: the same indexes, constraints and triggers each way; the unique-per-year columns unique again."""
    entry = partitions.REGISTRY[table]
    with connection.cursor() as cursor:
        partitioned = _schema(cursor, table)
        cursor.execute(f"SELECT count(*) FROM {table}")
        rows = cursor.fetchone()[0]
        partitions._unconvert(cursor, table, entry.unique_per_year)
        assert not partitions.is_partitioned(cursor, table)
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'", [table])
        unique = {row[0] for row in cursor.fetchall()}
        assert {f"{table}_{col}_key" for col in entry.unique_per_year} <= unique
        partitions._convert(cursor, table, entry.column, 1, entry.unique_per_year)
        assert partitions.is_partitioned(cursor, table)
        assert _schema(cursor, table) == partitioned
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == rows
        assert {f"{table}_y{THIS_YEAR}", f"{table}_default"} <= set(_partition_names(table))


@on_postgres
def test_the_conversion_refuses_a_table_that_foreign_keys_point_into(db):
    with connection.cursor() as cursor:
        cursor.execute(SCRATCH)
        cursor.execute("CREATE TABLE shequ_scratch_child (id bigint PRIMARY KEY, "
                       "scratch_id bigint REFERENCES shequ_scratch (id))")
        with pytest.raises(RuntimeError, match="foreign keys"):
            partitions._convert(cursor, "shequ_scratch", "at", 1)
        cursor.execute("DROP TABLE shequ_scratch_child")
        cursor.execute("ALTER TABLE shequ_scratch ADD CONSTRAINT shequ_scratch_code UNIQUE (code)")
        with pytest.raises(RuntimeError, match="unique"):
            partitions._convert(cursor, "shequ_scratch", "at", 1)


# --- SQLite: nothing happens --------------------------------------------------------------------------------------

@on_sqlite
def test_on_sqlite_everything_is_a_clean_no_op(db):
    assert partitions.ensure_partitions() == {}
    assert partitions.detach_partition("core_auditlog", THIS_YEAR) is None
    report = partitions.partition_report()
    assert {row["table"] for row in report} == set(partitions.REGISTRY)
    assert not any(row["partitioned"] or row["partitions"] for row in report)
    row = _audit_row(_at(1999))  # the plain table, as before
    assert AuditLog.objects.get(pk=row.pk).verify()
    out = io.StringIO()
    call_command("partitions", "--ensure", stdout=out)
    assert "not partitioned" in out.getvalue()
    call_command("partitions", "--detach", "core_auditlog", str(THIS_YEAR), stdout=out)
    assert "nothing is partitioned" in out.getvalue()


def test_the_partition_task_is_scheduled_daily():
    from shequ.core.schedule import entries

    entry = next(e for e in entries() if e.name == "core.partitions")
    assert entry.cron == "20 3 * * *"
    assert entry.kwargs["command"] == "partitions" and entry.kwargs["args"] == ["--ensure"]
