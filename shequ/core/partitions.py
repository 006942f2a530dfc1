"""History tables partitioned by year on PostgreSQL (declarative RANGE partitioning); nothing on SQLite.

A registered table is converted in place by a migration (`PartitionByYear`): the parent keeps the table's name,
columns, defaults, indexes, outgoing foreign keys and triggers; its rows live in one partition per year
(`<table>_y2026`, bounds at 1 January 00:00 in `TIME_ZONE`) and a DEFAULT partition (`<table>_default`) catches
any row outside them, so no insert ever fails. Differences from a plain table, all invisible to the ORM:
- the id comes from an owned sequence (`<table>_id_seq`, a `nextval` default; identity columns are refused on a
  partitioned table before PostgreSQL 17), so `pg_get_serial_sequence` and `sqlsequencereset` still work;
- the primary key is (id, <partition column>): a unique constraint must contain the partition column, so no
  foreign key can point into the table — the models' ForeignKeys to it carry `db_constraint=False` (Django still
  applies on_delete in Python);
- reads that filter on the partition column scan only the years concerned (partition pruning).

`ensure_partitions()` (the daily scheduled task `core.partitions`) creates the coming years ahead of time, and
the past years of rows that were loaded into the DEFAULT partition (history imported after the conversion);
`detach_partition(table, year)` takes an old year out for archive (the detached table stays in the database, to
be dumped and dropped by the operator). The management command `partitions` lists, creates and detaches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.operations.base import Operation
from django.utils import timezone


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    column: str  # the partition key: the date the big reads filter on, NOT NULL
    first_year: int  # no partition before this year (older rows, if any, stay in the DEFAULT partition)
    # Columns unique on their own (a case number): a unique index per partition, since one on the parent must
    # contain the partition column. Global uniqueness then rests on the value carrying its year (the numbers do).
    unique_per_year: tuple[str, ...] = ()


# The tables converted by the migrations, in the order they were done.
REGISTRY: dict[str, PartitionedTable] = {
    t.table: t for t in (
        PartitionedTable("core_auditlog", "at", 2020),
        PartitionedTable("grid_case", "reported_at", 2020, unique_per_year=("number", "open311_token")),
        PartitionedTable("grid_hotlineorder", "received_at", 2020, unique_per_year=("order_no",)),
        PartitionedTable("acceptance_case", "received_at", 2020, unique_per_year=("number",)),
        PartitionedTable("eldercare_mealorder", "date", 2020),
        PartitionedTable("eldercare_attendance", "date", 2020),
    )
}

PK = "id"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def partition_name(table: str, year: int) -> str:
    return f"{table}_y{year}"


def default_name(table: str) -> str:
    return f"{table}_default"


def _year_start(year: int, is_date: bool) -> str:
    if is_date:
        return dt.date(year, 1, 1).isoformat()
    return dt.datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def _year_of(value) -> int:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)).year if timezone.is_aware(value) else value.year
    return value.year


def _this_year() -> int:
    return timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE)).year


def _is_date(cursor, table: str, column: str) -> bool:
    cursor.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                   "WHERE attrelid = %s::regclass AND attname = %s", [table, column])
    return cursor.fetchone()[0] == "date"


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                   "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace", [table])
    return cursor.fetchone() is not None


def _partitions(cursor, table: str) -> list[tuple[str, str, int]]:
    """(partition name, bound expression, estimated rows) of the table's attached partitions."""
    cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint FROM pg_inherits i "
                   "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
                   [table])
    return [(name, bound, max(rows, 0)) for name, bound, rows in cursor.fetchall()]


def _years(cursor, table: str) -> set[int]:
    pattern = re.compile(re.escape(table) + r"_y(\d{4})$")
    return {int(m.group(1)) for name, _b, _r in _partitions(cursor, table) if (m := pattern.match(name))}


def _unique_indexes(cursor, entry: PartitionedTable, part: str) -> None:
    for col in entry.unique_per_year:
        cursor.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_q(f'{part}_{col}_uniq')} ON {_q(part)} ({_q(col)})")


def _create_year(cursor, entry: PartitionedTable, year: int, is_date: bool) -> None:
    """Create and attach the partition of `year`, moving into it the rows the DEFAULT partition holds for it."""
    table, column = entry.table, entry.column
    part, default = partition_name(table, year), default_name(table)
    low, high = _year_start(year, is_date), _year_start(year + 1, is_date)  # ISO literals we built (DDL: no params)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s)",
                   [low, high])
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {_q(part)} PARTITION OF {_q(table)} FOR VALUES FROM ('{low}') TO ('{high}')")
        _unique_indexes(cursor, entry, part)
        return
    # The DEFAULT partition holds rows of that year: move them, then attach (an append-only table's triggers are
    # set aside for the move, which changes no row).
    cursor.execute(f"CREATE TABLE {_q(part)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(f"INSERT INTO {_q(part)} SELECT * FROM {_q(default)} WHERE {_q(column)} >= %s AND "
                   f"{_q(column)} < %s", [low, high])
    cursor.execute(f"ALTER TABLE {_q(default)} DISABLE TRIGGER USER")
    cursor.execute(f"DELETE FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s", [low, high])
    cursor.execute(f"ALTER TABLE {_q(default)} ENABLE TRIGGER USER")
    _unique_indexes(cursor, entry, part)
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(part)} FOR VALUES FROM ('{low}') TO ('{high}')")


def _ensure_table(cursor, entry: PartitionedTable, ahead: int, years: Iterable[int] = ()) -> list[int]:
    table, column = entry.table, entry.column
    is_date = _is_date(cursor, table, column)
    existing = _years(cursor, table)
    years = {y for y in years if y >= entry.first_year}  # older rows stay in the DEFAULT partition
    default = default_name(table)
    cursor.execute("SELECT to_regclass(%s)", [_q(default)])
    if cursor.fetchone()[0] is None:
        cursor.execute(f"CREATE TABLE {_q(default)} PARTITION OF {_q(table)} DEFAULT")
        _unique_indexes(cursor, entry, default)
    last = _this_year() + ahead
    # Rows the DEFAULT partition holds for a year from `first_year` up to `last` get their year's partition (and
    # are moved there): history loaded into a database whose partitions began later, or dated before them.
    # Rows of later years wait there until their year comes within `ahead`; rows before `first_year` stay.
    cursor.execute(f"SELECT min({_q(column)}) FROM {_q(default)} WHERE {_q(column)} >= %s",
                   [_year_start(entry.first_year, is_date)])
    oldest = cursor.fetchone()[0]
    held = {y for y in ([_year_of(oldest)] if oldest is not None else []) if y <= last}
    floor = min(existing | years | held | {_this_year()})
    wanted = set(range(floor, last + 1)) | years
    created = []
    for year in sorted(y for y in wanted if y >= entry.first_year and y not in existing):
        _create_year(cursor, entry, year, is_date)
        created.append(year)
    return created


def ensure_partitions(ahead: int = 1, using: str = DEFAULT_DB_ALIAS,
                      years: Iterable[int] = ()) -> dict[str, list[int]]:
    """Create, for every registered table that is partitioned in this database, the partitions of every year up
    to this year + `ahead`, back to the oldest year (from the table's `first_year`) whose rows wait in the DEFAULT
    partition, and move those rows in (idempotent). `years`: past years to create too, before a load of history.
    Returns {table: [years created]}; {} on SQLite."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    created, years = {}, set(years)  # read once: every table gets the same years
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for entry in REGISTRY.values():
            if is_partitioned(cursor, entry.table):
                created[entry.table] = _ensure_table(cursor, entry, ahead, years)
    return created


def detach_partition(table: str, year: int, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Detach the partition of `year` from `table` for archive; it remains as a plain table of the same name.
    Returns that name; None on SQLite. Refuses an unregistered table or a year without a partition."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    if table not in REGISTRY:
        raise ValueError(f"{table} is not a partitioned history table")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if year not in _years(cursor, table):
            raise ValueError(f"{table} has no partition for {year}")
        part = partition_name(table, year)
        cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(part)}")
    return part


def partition_report(using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    """For each registered table: whether it is partitioned here, and its partitions (name, bound, rows est.)."""
    connection = connections[using]
    rows = []
    for entry in REGISTRY.values():
        if connection.vendor != "postgresql":
            rows.append({"table": entry.table, "column": entry.column, "partitioned": False, "partitions": []})
            continue
        with connection.cursor() as cursor:
            partitioned = is_partitioned(cursor, entry.table)
            parts = _partitions(cursor, entry.table) if partitioned else []
        rows.append({"table": entry.table, "column": entry.column, "partitioned": partitioned,
                     "partitions": [{"name": n, "bound": b, "rows": r} for n, b, r in parts]})
    return rows


# --- The in-place conversion --------------------------------------------------------------------------------------

def _captured(cursor, table: str) -> dict:
    """What DROP TABLE would lose and LIKE does not copy: indexes, unique and foreign-key constraints, triggers."""
    cursor.execute("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass AND "
                   "NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
                   [table])
    indexes = [row[0].replace(" ON ONLY ", " ON ", 1) for row in cursor.fetchall()]
    cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname", [table])
    constraints = cursor.fetchall()
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                   "AND tgparentid = 0 ORDER BY tgname", [table])
    triggers = [row[0] for row in cursor.fetchall()]
    return {"indexes": indexes, "constraints": constraints, "triggers": triggers}


def _restore(cursor, table: str, captured: dict) -> None:
    for sql in captured["indexes"]:
        cursor.execute(sql)
    for name, _kind, definition in captured["constraints"]:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for sql in captured["triggers"]:
        cursor.execute(sql)


def _convert(cursor, table: str, column: str, ahead: int = 1, unique_per_year: tuple[str, ...] = ()) -> None:
    if is_partitioned(cursor, table):
        return
    known = REGISTRY.get(table)
    entry = PartitionedTable(table, column, known.first_year if known else 2000, tuple(unique_per_year))
    cursor.execute("SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass "
                   "AND contype = 'f'", [table])
    incoming = cursor.fetchall()
    if incoming:
        raise RuntimeError(f"{table}: foreign keys point into it ({incoming}); declare them db_constraint=False "
                           "in an earlier migration")
    cursor.execute("SELECT c.conname, array_length(c.conkey, 1), (SELECT attname FROM pg_attribute k WHERE "
                   "k.attrelid = c.conrelid AND k.attnum = c.conkey[1]) FROM pg_constraint c JOIN pg_attribute a "
                   "ON a.attrelid = c.conrelid AND a.attname = %s WHERE c.conrelid = %s::regclass AND c.contype = 'u' "
                   "AND NOT a.attnum = ANY (c.conkey)", [column, table])
    per_year = set()
    for name, size, first in cursor.fetchall():
        if size != 1 or first not in entry.unique_per_year:
            raise RuntimeError(f"{table}: the unique constraint {name} lacks {column} and cannot hold on a "
                               "partitioned table")
        per_year.add(name)
    captured = _captured(cursor, table)
    cursor.execute(f"SELECT min({_q(column)}), max({_q(column)}), max({_q(PK)}) FROM {_q(table)}")
    low, high, max_id = cursor.fetchone()
    years = set(range(_year_of(low), _year_of(high) + 1)) if low is not None else set()
    old, seq = f"{table}__plain", f"{table}_{PK}_seq"
    # The plain table steps aside (its identity sequence keeps its name: renamed out of the way too).
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_q(old), PK])
    old_seq = cursor.fetchone()[0]
    if old_seq:
        cursor.execute(f"ALTER SEQUENCE {old_seq} RENAME TO {_q(seq + '__plain')}")
    for sql in captured["indexes"]:  # the index names are taken back by the parent's indexes
        name = re.match(r"CREATE (?:UNIQUE )?INDEX (\S+) ", sql).group(1)
        cursor.execute(f"DROP INDEX {name}")
    for name, kind, _definition in captured["constraints"]:
        if kind == "u":  # their index names are taken back too
            cursor.execute(f"ALTER TABLE {_q(old)} DROP CONSTRAINT {_q(name)}")
    captured["constraints"] = [c for c in captured["constraints"] if c[0] not in per_year]  # per partition now
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [old])
    pkey = cursor.fetchone()
    if pkey:
        cursor.execute(f"ALTER TABLE {_q(old)} RENAME CONSTRAINT {_q(pkey[0])} TO {_q(pkey[0] + '__plain')}")
    cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(column)})")
    cursor.execute(f"CREATE SEQUENCE {_q(seq)} OWNED BY {_q(table)}.{_q(PK)}")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(PK)} SET DEFAULT nextval('{seq}'::regclass)")
    if max_id is not None:
        cursor.execute("SELECT setval(%s::regclass, %s)", [seq, max_id])
    cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY "
                   f"({_q(PK)}, {_q(column)})")
    _ensure_table(cursor, entry, ahead, years)
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    _restore(cursor, table, captured)  # indexes built once, after the copy
    cursor.execute(f"DROP TABLE {_q(old)}")
    cursor.execute(f"ANALYZE {_q(table)}")


def _unconvert(cursor, table: str, unique_per_year: tuple[str, ...] = ()) -> None:
    """Back to a plain table with an identity id (the rows of detached partitions are not brought back)."""
    if not is_partitioned(cursor, table):
        return
    captured = _captured(cursor, table)
    cursor.execute(f"SELECT max({_q(PK)}) FROM {_q(table)}")
    max_id = cursor.fetchone()[0]
    new = f"{table}__plain"
    cursor.execute(f"CREATE TABLE {_q(new)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   "INCLUDING STORAGE INCLUDING COMMENTS)")
    cursor.execute(f"ALTER TABLE {_q(new)} ALTER COLUMN {_q(PK)} DROP DEFAULT")
    cursor.execute(f"INSERT INTO {_q(new)} SELECT * FROM {_q(table)}")
    cursor.execute(f"DROP TABLE {_q(table)}")  # its partitions, indexes, triggers and sequence with it
    cursor.execute(f"ALTER TABLE {_q(new)} RENAME TO {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(PK)} ADD GENERATED BY DEFAULT AS IDENTITY")
    if max_id is not None:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [_q(table), PK, max_id])
    cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY ({_q(PK)})")
    for col in unique_per_year:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(f'{table}_{col}_key')} UNIQUE ({_q(col)})")
    _restore(cursor, table, captured)


class PartitionByYear(Operation):
    """Migration operation: on PostgreSQL, convert the model's table in place into one partitioned by year on
    `column` (see the module docstring); reversible. No change to the model state; nothing on other databases."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, app_label: str, model_name: str, column: str, ahead: int = 1,
                 unique_per_year: tuple[str, ...] = ()):
        self.app_label, self.model_name, self.column, self.ahead = app_label, model_name, column, ahead
        self.unique_per_year = tuple(unique_per_year)

    def state_forwards(self, app_label, state):
        pass

    def _table(self, state) -> str:
        return state.apps.get_model(self.app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                _convert(cursor, self._table(from_state), self.column, self.ahead, self.unique_per_year)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                _unconvert(cursor, self._table(from_state), self.unique_per_year)

    def describe(self):
        return f"Partition {self.app_label}.{self.model_name} by year of {self.column} (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return f"partition_{self.model_name.lower()}"
