"""The query budget of an acceptance intake through the API, counted as the grid report's guard
(`shequ/grid/tests/test_write_paths.py`) counts it. A change that adds a query per intake fails here.

21 → 12: the item comes with its department; the 街道 of the clerk's centre is one query; both due dates in one
walk of the calendar; the two events and the two audit rows are one INSERT each; the officers to notify are one
query; the answer is the case as written (no re-read of the case, its materials and events).

12 → 9: the item's materials are read with the item (one joined statement); the user's assigned nodes are read
once per request as rows, so the clerk's 街道 needs no query of its own; the applicant's resident record is one
statement (the scope's committees are a subquery of the keyed-hash lookup).

9 → 10: an applicant not in the centre's own registry is looked up city-wide (only their 街道 and 户籍 type) to
route a 全市通办 case to the home centre or to refuse a non-通办 item; a 通办 item decided here skips it."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import at, visitor

pytestmark = pytest.mark.django_db

# item with its materials, the user's assigned nodes, resident by ID hash in scope, number, calendar year, case,
# materials, city-wide home lookup, events, audit rows.
BUDGET = {"sqlite": 10, "postgresql": 10}


def _work(queries):
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [q["sql"] for q in queries if not q["sql"].startswith(skip)
            and "django_session" not in q["sql"] and 'FROM "core_user" ' not in q["sql"]]


def test_it_takes_in_a_case_within_its_query_budget(centre, api_as):
    item = centre["dibao"]
    materials = [m.pk for m in item.materials.all()]
    with time_machine.travel(at(2026, 11, 23), tick=False):
        api = api_as(centre["clerk"])
        first = api.post("/api/v1/acceptance/cases/", {"item": item.code, "decision": "accept",
                                                       "applicant": visitor(), "materials": materials}, format="json")
        assert first.status_code == 201, first.content
        with CaptureQueriesContext(connection) as ctx:
            second = api.post("/api/v1/acceptance/cases/", {"item": item.code, "decision": "accept",
                                                            "applicant": visitor(seed=8), "materials": materials},
                              format="json")
    assert second.status_code == 201, second.content
    work = _work(ctx.captured_queries)
    assert len(work) <= BUDGET[connection.vendor], "\n".join(q[:300] for q in work)
    body = second.json()
    assert body["status"] == "accepted" and [e["action"] for e in body["events"]] == ["intake", "accept"]
    assert all(m["provided"] for m in body["materials"]) and body["department"] == item.department.code
