"""No lost update: concurrent edits of one object, each in its own thread with its own connection and real
transactions. An edit reads, "thinks" for a moment (the race window a user or a slow client opens), then writes.

The harness is run against the real code (version / If-Match, and the state machine of the cases) and against
deliberately broken variants written here (a read-modify-write without any check). The broken variants must be
caught losing updates: that is what shows the harness has the power to see a lost update at all.
"""

import threading
import time

import pytest
from django.db import transaction

from shequ.core.errors import ConflictError, PreconditionFailed

from .conftest import grid_report, intake_case

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, PER_THREAD, THINK = 4, 5, 0.02
TOTAL = THREADS * PER_THREAD


def hammer(shared_db, increment) -> dict:
    """THREADS threads × PER_THREAD increments; an increment refused as stale (412) is retried from a fresh read.
    Returns how many refusals and retries it took."""

    def worker(index):
        done = conflicts = 0
        while done < PER_THREAD:
            try:
                increment(index, done)
            except PreconditionFailed:
                conflicts += 1
                if conflicts > 500:
                    raise
                continue
            done += 1
        return conflicts

    results = shared_db.run_many(worker, THREADS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return {"conflicts": sum(results)}


# --- residents ------------------------------------------------------------------------------------------------

def _resident_increment(variant, actor, pk):
    from shequ.people import services
    from shequ.people.models import Resident

    def increment(_index, _k):
        resident = Resident.objects.get(pk=pk)  # what the editor saw (GET, ETag = version)
        time.sleep(THINK)
        value = str(int(resident.note or 0) + 1)
        if variant == "if-match":
            services.resident_update(actor=actor, resident=resident, data={"note": value}, committee=None,
                                     expected_version=resident.version)
        elif variant == "no-version":  # the real service, but the client sent no If-Match
            services.resident_update(actor=actor, resident=resident, data={"note": value}, committee=None)
        else:  # "naive": a read-modify-write written without any check
            resident.note = value
            resident.save(update_fields=["note"])

    return increment


@pytest.mark.parametrize("variant", ["if-match", "no-version", "naive"])
def test_it_loses_no_concurrent_resident_edit_only_with_the_version_check(tree, personas, shared_db, variant, figure):
    from shequ.core.models import AuditLog
    from shequ.core.testing import make_resident
    from shequ.people.models import Resident

    actor = personas["dunhua"]
    resident = make_resident(actor, tree["dunhua"], name="张阿姨", note="0")
    stats = hammer(shared_db, _resident_increment(variant, actor, resident.pk))

    final, version, updates = shared_db.run(lambda: (
        int(Resident.objects.get(pk=resident.pk).note), Resident.objects.get(pk=resident.pk).version,
        AuditLog.objects.filter(object_type="people.resident", object_id=str(resident.pk), action="update").count()))
    if variant == "if-match":
        assert final == TOTAL, f"lost {TOTAL - final} of {TOTAL} updates despite the version check"
        assert version == 1 + TOTAL and updates == TOTAL
        assert stats["conflicts"] > 0, "no edit ever met a concurrent one: the test exercised nothing"
        figure("resident increments: 412 refusals needed for 20 concurrent edits", stats["conflicts"])
    else:
        assert final < TOTAL, f"the {variant} variant lost nothing: the harness cannot see a lost update"
        figure(f"resident increments lost by the {variant} variant (of {TOTAL})", TOTAL - final)


def test_it_answers_412_to_the_second_of_two_patches_with_the_same_if_match(tree, personas, shared_db):
    from rest_framework.test import APIClient

    from shequ.core.models import AuditLog
    from shequ.core.testing import login, make_resident
    from shequ.people.models import Resident

    resident = make_resident(personas["dunhua"], tree["dunhua"], name="张阿姨")
    url = f"/api/v1/residents/{resident.pk}/"
    both_have_read = threading.Barrier(2, timeout=30)

    def edit(index):
        client = login(APIClient(), personas["dunhua"])
        etag = client.get(url)["ETag"]
        both_have_read.wait()  # both editors hold version 1 before either saves
        response = client.patch(url, {"note": f"第{index}位编辑"}, format="json", HTTP_IF_MATCH=etag)
        return etag, response.status_code, response.json()

    results = shared_db.run_many(edit, 2)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert {r[0] for r in results} == {'"1"'}
    assert sorted(r[1] for r in results) == [200, 412], results
    loser = next(r for r in results if r[1] == 412)
    assert set(loser[2]) == {"detail", "errors"} and "version" in loser[2]["errors"]
    winner = next(r for r in results if r[1] == 200)
    row, updates = shared_db.run(lambda: (
        Resident.objects.get(pk=resident.pk),
        AuditLog.objects.filter(object_type="people.resident", object_id=str(resident.pk), action="update").count()))
    assert row.version == 2 and row.note == winner[2]["note"] and updates == 1


@pytest.mark.parametrize("send_if_match", [True, False], ids=["if-match", "no-if-match"])
def test_it_loses_no_edit_through_the_api_when_clients_send_if_match(tree, personas, shared_db, send_if_match,
                                                                     figure):
    """GET → think → PATCH If-Match through the whole stack (ETag, middleware, DRF); a 412 means read again.
    A client that omits If-Match is the naive variant: the API then lets the last writer win."""
    from rest_framework.test import APIClient

    from shequ.core.testing import login, make_resident
    from shequ.people.models import Resident

    resident = make_resident(personas["dunhua"], tree["dunhua"], name="张阿姨", note="0")
    url = f"/api/v1/residents/{resident.pk}/"
    threads, per_thread = 3, 4
    total = threads * per_thread

    def worker(_index):
        client = login(APIClient(), personas["dunhua"])
        done = refused = 0
        statuses = set()
        while done < per_thread:
            got = client.get(url)
            time.sleep(THINK)
            headers = {"HTTP_IF_MATCH": got["ETag"]} if send_if_match else {}
            response = client.patch(url, {"note": str(int(got.json()["note"]) + 1)}, format="json", **headers)
            statuses.add(response.status_code)
            if response.status_code == 412:
                refused += 1
                continue
            if response.status_code == 428:  # the API makes If-Match mandatory: nothing can be lost
                return refused, statuses
            assert response.status_code == 200, response.content
            done += 1
        return refused, statuses

    results = shared_db.run_many(worker, threads)
    assert not [r for r in results if isinstance(r, BaseException)], results
    final = shared_db.run(lambda: int(Resident.objects.get(pk=resident.pk).note))
    if send_if_match:
        assert final == total
        assert sum(r[0] for r in results) > 0
    elif not any(428 in r[1] for r in results):
        assert final < total, "clients without If-Match lost nothing: the harness cannot see a lost update"
        figure(f"API edits lost when clients omit If-Match (of {total}; PATCH without If-Match is accepted)",
               total - final)


# --- grid cases -------------------------------------------------------------------------------------------------

def _grid_increment(variant, env, pk):
    from shequ.grid import services
    from shequ.grid.choices import CaseAction
    from shequ.grid.models import Case, CaseEvent

    def increment(index, k):
        case = Case.objects.get(pk=pk)
        time.sleep(THINK)
        if variant == "version":
            services.case_transition(actor=env["operator"], case=case, action=CaseAction.NOTE,
                                     note=f"备注 {index}-{k}", expected_version=case.version)
        else:  # naive: the version bumped from what was read, and the history row, without a lock or a check
            with transaction.atomic():
                case.version += 1
                case.save(update_fields=["version"])
                CaseEvent.objects.create(case=case, action=CaseAction.NOTE, from_status=case.status,
                                         to_status=case.status, note=f"备注 {index}-{k}")

    return increment


@pytest.mark.parametrize("variant", ["version", "naive"])
def test_it_loses_no_concurrent_grid_case_step_only_with_the_version_check(grid_env, shared_db, variant):
    from shequ.core.models import AuditLog
    from shequ.grid.models import Case, CaseEvent

    case = grid_report(grid_env)
    stats = hammer(shared_db, _grid_increment(variant, grid_env, case.pk))
    version, notes, audits = shared_db.run(lambda: (
        Case.objects.get(pk=case.pk).version, CaseEvent.objects.filter(case_id=case.pk, action="note").count(),
        AuditLog.objects.filter(object_type="grid.case", object_id=str(case.pk), action="transition").count()))
    assert notes == TOTAL  # every history row is an insert: nothing to overwrite
    if variant == "version":
        assert version == 1 + TOTAL and audits == TOTAL
        assert stats["conflicts"] > 0
    else:
        assert version < 1 + TOTAL, "the naive variant lost no version bump: the harness cannot see it"


def test_it_refuses_the_second_of_two_dispatches_of_the_same_version(grid_env, shared_db):
    """Two dispatchers look at the same filed case (version v) and send it to different units at once: one
    wins, the other gets 412 and the case is not silently re-dispatched."""
    from rest_framework.test import APIClient

    from shequ.core.testing import login
    from shequ.grid import services
    from shequ.grid.models import Case, CaseEvent

    case = grid_report(grid_env)
    case = services.case_transition(actor=grid_env["shiftlead"], case=case, action="file")
    pairs = [("dispatcher", "CGZF"), ("dispatcher2", "MZ")]

    def dispatch(index):
        user, unit = pairs[index]
        client = login(APIClient(), grid_env[user])
        version = client.get(f"/api/v1/grid/cases/{case.pk}/").json()["version"]
        response = client.post(f"/api/v1/grid/cases/{case.pk}/dispatch/", {"unit": unit, "version": version},
                               format="json")
        return unit, response.status_code

    results = shared_db.run_many(dispatch, 2)
    # The loser is refused either by the version (412: it read version v before the winner wrote) or by the
    # state machine (409: it read after the winner's commit, and a dispatched case cannot be dispatched again).
    statuses = sorted(r[1] for r in results)
    assert statuses[0] == 200 and statuses[1] in (409, 412), results
    winner = next(unit for unit, status in results if status == 200)
    unit_code, dispatches = shared_db.run(lambda: (
        Case.objects.select_related("unit").get(pk=case.pk).unit.code,
        CaseEvent.objects.filter(case_id=case.pk, action="dispatch").count()))
    assert unit_code == winner and dispatches == 1


# --- acceptance cases (no version: a row lock and the state machine) ------------------------------------------

def test_it_lets_one_of_two_officers_claim_a_case_and_one_decision_stand(centre, shared_db):
    from shequ.acceptance import services
    from shequ.acceptance.models import Case, CaseEvent
    from shequ.core.choices import Role
    from shequ.core.testing import make_user

    officer2 = make_user(Role.DEPT_OFFICER, [centre["sub"]], centre["officer"].department, username="officer2")
    case = intake_case(centre, seed=11)
    officers = [centre["officer"], officer2]

    def claim(index):
        return services.case_claim(actor=officers[index], case=case).handler_id

    results = shared_db.run_many(claim, 2)
    won = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(refused) == 1, results
    handler = won[0]
    actor = next(o for o in officers if o.pk == handler)

    def decide(index):
        if index == 0:
            return services.case_approve(actor=actor, case=case, note="同意").status
        return services.case_refuse(actor=actor, case=case, reasons="不符合条件").status

    results = shared_db.run_many(decide, 2)
    assert len([r for r in results if isinstance(r, str)]) == 1, results
    assert len([r for r in results if isinstance(r, ConflictError)]) == 1, results
    status, claims, decisions = shared_db.run(lambda: (
        Case.objects.get(pk=case.pk).status, CaseEvent.objects.filter(case_id=case.pk, action="claim").count(),
        CaseEvent.objects.filter(case_id=case.pk, action__in=["approve", "refuse"]).count()))
    assert claims == 1 and decisions == 1
    assert status == next(r for r in results if isinstance(r, str))


# --- the grid's indicator summaries (derived rows every step rewrites) ----------------------------------------

def _summary_rows():
    """The incrementally maintained summaries, then the same recomputed from the cases by a full rebuild."""
    from shequ.grid import stats
    from shequ.grid.models import CaseStat, CaseStatMonth

    def snapshot():
        rows = {}
        for model, date_field in ((CaseStat, "day"), (CaseStatMonth, "month")):
            for row in model.objects.values(date_field, "committee_id", "unit_id", "urgent", *stats.STAT_FIELDS):
                key = (model.__name__, row.pop(date_field), row.pop("committee_id"), row.pop("unit_id"),
                       row.pop("urgent"))
                rows.setdefault(key, []).append(row)
        return rows

    maintained = snapshot()
    with transaction.atomic():
        stats.rebuild()
        rebuilt = snapshot()
        transaction.set_rollback(True)
    return maintained, rebuilt


def _slow_month_rollup(monkeypatch):
    """Keep each step's transaction open a moment after it wrote its summary rows, so concurrent steps count
    the cases while the first has not committed yet (the READ COMMITTED window)."""
    from shequ.grid import stats

    rollup = stats._refresh_month

    def slowed(*args, **kwargs):
        rollup(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(stats, "_refresh_month", slowed)


def test_it_keeps_the_indicator_summary_exact_under_concurrent_steps(grid_env, shared_db, monkeypatch):
    """Four operators file four cases of one committee at once and raise them to 紧急 (a summary bucket that
    does not exist yet, with no unit: NULL, which a UNIQUE constraint does not make unique). The maintained
    summary must equal a full rebuild: one row per bucket, every case counted."""
    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.grid import services

    # Four reporters and four filers, all different: no per-person indicator row is shared between the steps.
    operators = [grid_env["operator2"], grid_env["shiftlead"],
                 make_user(Role.SHIFT_LEADER, [grid_env["sub"]], username="shiftlead2"), grid_env["operator"]]
    cases = [grid_report(grid_env, user=user, description=f"第{i}处暴露垃圾")
             for i, user in enumerate(["inspector", "inspector2", "dunhua", "operator"])]
    _slow_month_rollup(monkeypatch)

    def file(index):
        return services.case_transition(actor=operators[index], case=cases[index], action="file",
                                        urgency="urgent").status

    results = shared_db.run_many(file, 4)
    assert results == ["filed"] * 4, results
    maintained, rebuilt = shared_db.run(_summary_rows)
    nonzero = lambda rows: [{f: n for f, n in row.items() if n} for row in rows or []]  # noqa: E731
    duplicated = {k: nonzero(v) for k, v in maintained.items() if len(v) > 1}
    assert not duplicated, f"one summary bucket has several rows: {duplicated}"
    wrong = {k: (nonzero(maintained.get(k)), nonzero(rebuilt.get(k))) for k in maintained.keys() | rebuilt.keys()
             if maintained.get(k) != rebuilt.get(k)}
    assert not wrong, f"summary rows (maintained, rebuilt) that differ: {wrong}"


def test_it_counts_concurrent_steps_of_one_person_in_the_post_indicators(grid_env, shared_db, monkeypatch):
    """One shift leader files four cases at once, the first of the day: every step is counted once."""
    from shequ.grid import services
    from shequ.grid.models import PostStat

    cases = [grid_report(grid_env, description=f"第{i}处暴露垃圾") for i in range(4)]
    _slow_month_rollup(monkeypatch)

    def file(index):
        return services.case_transition(actor=grid_env["shiftlead"], case=cases[index], action="file").status

    results = shared_db.run_many(file, 4)
    assert results == ["filed"] * 4, results
    counted = shared_db.run(lambda: list(PostStat.objects.filter(action="file").values_list("count", flat=True)))
    assert counted == [4]
