"""Row counts and checksums per table, to prove a backup restores completely and faithfully.

A fingerprint is taken from exactly the data the backup holds: SQLite's from the backup file itself (the online
backup API copies one consistent snapshot), PostgreSQL's inside the transaction whose snapshot pg_dump is told
to use (`pg_dump --snapshot`). Fingerprints taken from the live database before or after the copy would differ
from the copy whenever someone writes meanwhile, and a drill could then neither pass honestly nor prove much.
"""

import contextlib
import hashlib

EXTRA_TABLES = ("django_migrations",)  # not a model, but a restore without it cannot be migrated


def _normal(value):
    return bytes(value) if isinstance(value, memoryview) else value


def table_fingerprints(connection) -> dict[str, dict]:
    """{table: {"rows": n, "checksum": sha256 of every row's content in primary-key order}} for every Django
    table and django_migrations. Compare fingerprints of the same database vendor only."""
    result = {}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = set(connection.introspection.django_table_names(only_existing=True))
        tables |= {t for t in EXTRA_TABLES if t in existing}
        for table in sorted(tables):
            pk = connection.introspection.get_primary_key_column(cursor, table)
            quoted = connection.ops.quote_name(table)
            if pk:
                order = connection.ops.quote_name(pk)
            else:
                columns = len(connection.introspection.get_table_description(cursor, table))
                order = ", ".join(str(i) for i in range(1, columns + 1))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            digest = hashlib.sha256()
            count = 0
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    digest.update(repr(tuple(_normal(v) for v in row)).encode() + b"\n")
                count += len(rows)
            result[table] = {"rows": count, "checksum": digest.hexdigest()}
    return result


def _wrapper(engine: str, settings: dict):
    from django.db.utils import load_backend

    settings = {"OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "",
                "TEST": {}, **settings, "ENGINE": engine}
    return load_backend(engine).DatabaseWrapper(settings)


def sqlite_fingerprints(path) -> dict[str, dict]:
    wrapper = _wrapper("django.db.backends.sqlite3", {"NAME": str(path)})
    try:
        return table_fingerprints(wrapper)
    finally:
        wrapper.close()


def postgres_fingerprints(url: str) -> dict[str, dict]:
    import dj_database_url

    wrapper = _wrapper("django.db.backends.postgresql", dj_database_url.parse(url))
    try:
        return table_fingerprints(wrapper)
    finally:
        wrapper.close()


@contextlib.contextmanager
def postgres_snapshot(connection):
    """A REPEATABLE READ, read-only transaction on a second connection, its snapshot exported: yields
    (snapshot id, fingerprints of that snapshot). Run `pg_dump --snapshot=<id>` inside the `with`."""
    other = connection.copy()
    try:
        other.ensure_connection()
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        yield snapshot, table_fingerprints(other)
    finally:
        with contextlib.suppress(Exception):
            other.rollback()
        other.close()
