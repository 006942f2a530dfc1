"""db_maintenance refreshes the planner statistics on either database (PostgreSQL: VACUUM ANALYZE, which must run
outside a transaction)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_the_statistics():
    out = io.StringIO()
    call_command("db_maintenance", stdout=out)
    assert "ANALYZE done" in out.getvalue()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
