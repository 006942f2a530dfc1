"""Row counts and checksums per table, to prove a backup restores completely."""

import hashlib


def table_fingerprints(connection) -> dict[str, dict]:
    """{table: {"rows": n, "checksum": sha256 of the ordered primary keys}} for every Django table."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            pk = connection.introspection.get_primary_key_column(cursor, table)
            quoted = connection.ops.quote_name(table)
            if pk:
                cursor.execute(f"SELECT {connection.ops.quote_name(pk)} FROM {quoted} ORDER BY 1")
                digest = hashlib.sha256()
                count = 0
                for (value,) in cursor.fetchall():
                    digest.update(str(value).encode() + b",")
                    count += 1
                result[table] = {"rows": count, "checksum": digest.hexdigest()}
            else:
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
                result[table] = {"rows": cursor.fetchone()[0], "checksum": ""}
    return result
