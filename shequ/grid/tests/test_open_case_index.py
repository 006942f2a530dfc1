"""The open cases' counts (cockpit, grid map) read the partial index of open cases, not the whole case table: at a
million cases, of which a few percent are open, the scan took 11 s and the index a few milliseconds."""

import pytest
from django.db import connection

from shequ.grid.choices import OPEN_STATUS_LIST, OPEN_STATUSES
from shequ.grid.models import Case
from shequ.grid.selectors import open_by_committee

pytestmark = pytest.mark.django_db


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_list_repeats_the_open_statuses_in_one_fixed_order():
    assert OPEN_STATUS_LIST == sorted(OPEN_STATUSES) and len(OPEN_STATUS_LIST) == len(OPEN_STATUSES)


def test_the_open_counts_by_committee_read_the_open_case_index(env):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL chooses by its statistics; the plan is shown in bench/README.md")
    from django.db.models import Count

    qs = (Case.objects.filter(status__in=OPEN_STATUS_LIST).values("committee_id").annotate(n=Count("id"))
          .order_by())
    assert "grid_case_open" in _plan(qs)


def test_the_open_counts_count_open_cases_only(env):
    from shequ.grid.choices import CaseStatus
    from shequ.grid.testing import report

    case = report(env)
    other = report(env)
    counts = open_by_committee(user=env["leader"])
    assert counts.get(case.committee_id) == 2
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.CLOSED)
    assert open_by_committee(user=env["leader"]).get(case.committee_id) == 1
