"""Inserting many rows of one model fast: SQLite executes one prepared INSERT for every row (`executemany`),
PostgreSQL receives them by COPY.

Django's `bulk_create` compiles an INSERT per batch, and on SQLite a batch holds at most ~999 parameters (about
45 residents), so an import of 100,000 residents compiled 2,000 statements and spent more time building SQL than
the database spent writing (a third of the import). Here each value still goes through its field's
`pre_save`/`get_db_prep_save` (defaults, `auto_now`, encryption of encrypted fields), exactly what `save()` stores;
only the statement is built once. Primary keys are set on the objects afterwards, as `bulk_create` does.
Call it inside a transaction.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin


# Fields (exactly these classes, not subclasses such as the encrypted ones) whose stored value is the attribute
# itself when it already has the field's Python type: Django's preparation chain would return it unchanged.
_TEXT, _INT, _BOOL = (str,), (int,), (bool,)
_PLAIN_FIELDS = {models.CharField: _TEXT, models.TextField: _TEXT, models.IntegerField: _INT,
                 models.PositiveIntegerField: _INT, models.SmallIntegerField: _INT,
                 models.PositiveSmallIntegerField: _INT, models.BigIntegerField: _INT, models.ForeignKey: _INT,
                 models.BooleanField: _BOOL}


def _plain_value(field, obj, types):
    value = getattr(obj, field.attname)
    if value is None or (isinstance(value, types) and not (types is _INT and isinstance(value, bool))):
        return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def insert_many(model: type[models.Model], objs: list[models.Model]) -> None:
    if not objs:
        return
    assert connection.in_atomic_block, "insert_many must run inside a transaction"
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    plain = [_PLAIN_FIELDS.get(type(f)) for f in fields]
    rows = [[_plain_value(f, obj, p) if p else f.get_db_prep_save(f.pre_save(obj, True), connection)
             for f, p in zip(fields, plain)] for obj in objs]
    auto_pk = len(fields) < len(meta.concrete_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY, with the ids drawn from the table's sequence first (an INSERT per row, even pipelined, is
            # parsed and planned row by row: a 100,000-row import spent a third of its time there).
            columns = [f.column for f in fields]
            if auto_pk:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [meta.db_table, pk.column, len(objs)])
                ids = [r[0] for r in cursor.fetchall()]
                columns.insert(0, pk.column)
                rows = [[pk_value, *row] for pk_value, row in zip(ids, rows)]
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                                    "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)
            if auto_pk:
                # SQLite: the write lock is held until commit, so this transaction's rows took consecutive ids
                # ending at the table's AUTOINCREMENT counter.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
                last = cursor.fetchone()[0]
                ids = range(last - len(objs) + 1, last + 1)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    if auto_pk:
        for obj, pk_value in zip(objs, ids):
            setattr(obj, pk.attname, pk_value)
