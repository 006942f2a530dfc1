"""Numbering: queue tickets (per centre, category and day), acceptance case numbers (per centre and day) and grid
case numbers (per 街道 and day) are unique and gapless under parallel creation in real transactions, also when
~10 % of the creations fail after their number was allocated, and across a day and a year boundary (local time,
Asia/Shanghai: midnight there is 16:00 UTC).

The counter is incremented in the same transaction as the insert, so a failed creation gives its number back;
a UNIQUE constraint backs it. A variant written here that allocates the number in its own transaction (what a
PostgreSQL sequence does) must be caught leaving gaps: that shows the checks can see a gap.
"""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from .conftest import FailEvery, InjectedFailure, applicant, grid_report

pytestmark = pytest.mark.django_db(transaction=True)
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
THREADS = 4


def gaps_and_duplicates(seqs) -> tuple[list[int], list[int]]:
    seqs = list(seqs)
    top = max(seqs, default=0)
    missing = sorted(set(range(1, top + 1)) - set(seqs))
    duplicates = sorted({s for s in seqs if seqs.count(s) > 1})
    return missing, duplicates


def assert_gapless(seqs, what: str) -> None:
    missing, duplicates = gaps_and_duplicates(seqs)
    assert not missing and not duplicates, f"{what}: missing {missing[:20]}, duplicated {duplicates[:20]}"


def attempts(shared_db, create, per_thread: int) -> tuple[list, int]:
    """THREADS threads × per_thread creations. Returns the acknowledged results and the number of injected
    failures; any other exception fails the test."""

    def worker(index):
        ok, failed = [], 0
        for k in range(per_thread):
            try:
                ok.append(create(index, k))
            except InjectedFailure:
                failed += 1
        return ok, failed

    results = shared_db.run_many(worker, THREADS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return [x for ok, _f in results for x in ok], sum(f for _ok, f in results)


# --- tickets --------------------------------------------------------------------------------------------------

def _ticket_rows():
    from shequ.acceptance.models import DailyCounter, Ticket, TicketEvent
    from shequ.core.models import AuditLog

    tickets = list(Ticket.objects.values_list("pk", "day", "category__letter", "seq", "number", "issued_at"))
    counters = {(c.day, c.key): c.last for c in DailyCounter.objects.filter(key__startswith="T:")}
    issued = set(TicketEvent.objects.filter(action="issue").values_list("ticket_id", flat=True))
    audited = {int(i) for i in AuditLog.objects.filter(object_type="acceptance.ticket", action="create")
               .values_list("object_id", flat=True)}
    return tickets, counters, issued, audited


def _check_tickets(tickets, counters, issued, audited, acknowledged) -> dict:
    by_day_letter: dict = {}
    for pk, day, letter, seq, number, issued_at in tickets:
        assert number == f"{letter}{seq:03d}"
        assert timezone.localtime(issued_at).date() == day, "a ticket is numbered in another day than it was taken"
        by_day_letter.setdefault((day, letter), []).append(seq)
        assert pk in issued and pk in audited, f"ticket {number} has no issue event or audit row"
    for (day, letter), seqs in by_day_letter.items():
        assert_gapless(seqs, f"tickets {letter} of {day}")
        assert counters[(day, f"T:{letter}")] == len(seqs)
    assert sorted(acknowledged) == sorted(t[0] for t in tickets), "acknowledged tickets and stored tickets differ"
    return by_day_letter


def test_it_numbers_parallel_tickets_gaplessly_despite_failures_after_allocation(centre, shared_db, monkeypatch,
                                                                               figure):
    from shequ.acceptance.services import queue

    failing = FailEvery(queue._event, every=10)
    monkeypatch.setattr(queue, "_event", failing)
    node = centre["sub"]

    def take(index, k):
        return queue.ticket_issue(node=node, category="AB"[(index + k) % 2], actor=None).pk

    acknowledged, failed = attempts(shared_db, take, per_thread=15)
    assert failed == failing.raised and failed >= 5, "the injected failures did not happen"
    rows = shared_db.run(_ticket_rows)
    by_day_letter = _check_tickets(*rows, acknowledged)
    assert sum(len(s) for s in by_day_letter.values()) == THREADS * 15 - failed
    figure("tickets: parallel issues / injected failures", f"{THREADS * 15} / {failed}")


def test_it_detects_the_gaps_of_numbers_allocated_outside_the_insert_transaction(centre, shared_db):
    """Negative control: the counter committed on its own before the insert (like nextval), then ~10 % of the
    inserts fail. The same checks must find the gaps."""
    from shequ.acceptance.models import Ticket
    from shequ.acceptance.services.common import next_number

    node, category = centre["sub"], centre["A"]
    fail = FailEvery(lambda: None, every=10)

    def take(_index, _k):
        day = timezone.localdate()
        with transaction.atomic():
            seq = next_number(node=node, key="T:A", day=day)  # committed at once: the number is spent
        with transaction.atomic():
            ticket = Ticket.objects.create(node=node, day=day, category=category, seq=seq, number=f"A{seq:03d}")
            fail()
        return ticket.pk

    _acknowledged, failed = attempts(shared_db, take, per_thread=10)
    seqs = shared_db.run(lambda: list(Ticket.objects.values_list("seq", flat=True)))
    missing, duplicates = gaps_and_duplicates(seqs)
    assert failed and len(missing) == failed and not duplicates, (failed, missing)


def test_it_backs_every_number_with_a_unique_constraint(centre, grid_env, shared_db):
    """Even if an allocator were wrong, the database refuses a second row with the same number."""
    from shequ.acceptance.models import Case as AcceptanceCase, Ticket
    from shequ.acceptance.services import queue
    from shequ.grid.models import Case as GridCase

    from .conftest import intake_case

    def duplicate(model, source, **changes):
        copy = model.objects.get(pk=source.pk)
        copy.pk = None
        for field, value in changes.items():
            setattr(copy, field, value)
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                copy.save()

    ticket = queue.ticket_issue(node=centre["sub"], category="A", actor=None)
    case = intake_case(centre, seed=3)
    grid_case = grid_report(grid_env)

    def check():
        duplicate(Ticket, ticket, number="Z999")  # same (node, day, category, seq)
        duplicate(Ticket, ticket, seq=999)  # same (node, day, number)
        duplicate(AcceptanceCase, case, check_code="000000")
        duplicate(GridCase, grid_case, open311_token=None)

    shared_db.run(check)


# --- acceptance cases -----------------------------------------------------------------------------------------

def _acceptance_rows():
    from shequ.acceptance.models import Case, CaseEvent, CaseMaterial, DailyCounter
    from shequ.core.models import AuditLog

    cases = list(Case.objects.values_list("pk", "number", "received_at", "node__code"))
    counters = {c.day: c.last for c in DailyCounter.objects.filter(key="CASE")}
    intakes = set(CaseEvent.objects.filter(action="intake").values_list("case_id", flat=True))
    audited = {int(i) for i in AuditLog.objects.filter(object_type="acceptance.case", action="create")
               .values_list("object_id", flat=True)}
    materials = CaseMaterial.objects.count()
    return cases, counters, intakes, audited, materials


def _check_acceptance(cases, counters, intakes, audited, acknowledged) -> dict:
    by_day: dict = {}
    for pk, number, received_at, node_code in cases:
        day = timezone.localtime(received_at).date()
        match = re.fullmatch(r"SL(\d{6})(\d{3})(\d{4})", number)
        assert match and match[1] == f"{day:%y%m%d}" and match[2] == node_code[6:9], number
        by_day.setdefault(day, []).append(int(match[3]))
        assert pk in intakes and pk in audited, f"case {number} has no intake event or audit row"
    for day, seqs in by_day.items():
        assert_gapless(seqs, f"acceptance cases of {day}")
        assert counters[day] == len(seqs)
    assert sorted(acknowledged) == sorted(c[0] for c in cases)
    return by_day


def test_it_numbers_parallel_acceptance_cases_gaplessly_despite_failures(centre, shared_db, monkeypatch, figure):
    from shequ.acceptance.services import cases

    # The intake writes its events and audit rows in one batch each, after the number: fail that step.
    failing = FailEvery(cases.audit_record_many, every=10)
    monkeypatch.setattr(cases, "audit_record_many", failing)
    item = centre["dibao"]
    provided = [m.pk for m in item.materials.all()]

    def intake(index, k):
        return cases.case_intake(actor=centre["clerk"], item=item, decision="accept", provided=provided,
                                 applicant=applicant(1000 + index * 100 + k)).pk

    acknowledged, failed = attempts(shared_db, intake, per_thread=6)
    assert failed == failing.raised and failed >= 2
    rows, counters, intakes, audited, materials = shared_db.run(_acceptance_rows)
    by_day = _check_acceptance(rows, counters, intakes, audited, acknowledged)
    assert sum(len(s) for s in by_day.values()) == THREADS * 6 - failed
    assert materials == len(rows) * len(provided), "a failed intake left its material checklist behind"
    figure("acceptance cases: parallel intakes / injected failures", f"{THREADS * 6} / {failed}")


# --- grid cases -----------------------------------------------------------------------------------------------

def _grid_rows():
    from shequ.core.models import AuditLog
    from shequ.grid import stats as grid_stats
    from shequ.grid.models import Case, CaseCounter, CaseEvent, CaseStat

    grid_stats.catch_up()  # the reports are counted into the summary after their requests
    cases = list(Case.objects.values_list("pk", "number", "reported_at"))
    counters = dict(CaseCounter.objects.values_list("day", "value"))
    reports = set(CaseEvent.objects.filter(action="report").values_list("case_id", flat=True))
    audited = {int(i) for i in AuditLog.objects.filter(object_type="grid.case", action="create")
               .values_list("object_id", flat=True)}
    stats = {}
    for day, reported in CaseStat.objects.values_list("day", "reported"):
        stats[day] = stats.get(day, 0) + reported
    return cases, counters, reports, audited, stats


def _check_grid(cases, counters, reports, audited, stats, acknowledged) -> dict:
    by_key: dict = {}
    for pk, number, reported_at in cases:
        key, seq = number.rsplit("-", 1)
        assert key.endswith(f"{timezone.localtime(reported_at):%Y%m%d}"), f"{number} reported {reported_at}"
        by_key.setdefault(key, []).append(int(seq))
        assert pk in reports and pk in audited, f"case {number} has no report event or audit row"
    for key, seqs in by_key.items():
        assert_gapless(seqs, f"grid cases {key}")
        assert counters[key] == len(seqs)
        day = dt.datetime.strptime(key[-8:], "%Y%m%d").date()
        assert stats.get(day) == len(seqs), f"the indicator summary of {day} counts {stats.get(day)} of {len(seqs)}"
    assert sorted(acknowledged) == sorted(c[0] for c in cases)
    return by_key


def test_it_numbers_parallel_grid_cases_gaplessly_despite_failures(grid_env, shared_db, monkeypatch, figure):
    from shequ.grid.services import cases

    failing = FailEvery(cases.audit_record, every=10)  # the last write of case_report
    monkeypatch.setattr(cases, "audit_record", failing)
    reporters = ["inspector", "inspector2", "operator", "dunhua"]

    def report(index, k):
        return grid_report(grid_env, user=reporters[index], description=f"第{index}-{k}号问题描述").pk

    acknowledged, failed = attempts(shared_db, report, per_thread=6)
    assert failed == failing.raised and failed >= 2
    rows = shared_db.run(_grid_rows)
    by_key = _check_grid(*rows, acknowledged)
    assert sum(len(s) for s in by_key.values()) == THREADS * 6 - failed
    figure("grid cases: parallel reports / injected failures", f"{THREADS * 6} / {failed}")


# --- across midnight ------------------------------------------------------------------------------------------

BOUNDARIES = {"day": dt.datetime(2026, 3, 10, 23, 59, 58, tzinfo=SH),
              "year": dt.datetime(2025, 12, 31, 23, 59, 58, tzinfo=SH)}


@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_it_restarts_every_number_at_local_midnight_under_parallel_creation(boundary, centre, grid_env, shared_db):
    """The clock runs (tick) from 2 s before local midnight while threads keep creating tickets, acceptance
    cases and grid cases: every number carries the local day it was created on, and each day is gapless."""
    from shequ.acceptance.services import cases, queue

    start = BOUNDARIES[boundary]
    item = centre["dibao"]
    provided = [m.pk for m in item.materials.all()]
    end = start + dt.timedelta(seconds=4)

    def worker(index):
        made = {"ticket": [], "acceptance": [], "grid": []}
        k = 0
        while timezone.now() < end:
            kind = ("ticket", "acceptance", "grid")[(index + k) % 3]
            if kind == "ticket":
                made[kind].append(queue.ticket_issue(node=centre["sub"], category="AB"[k % 2], actor=None).pk)
            elif kind == "acceptance":
                made[kind].append(cases.case_intake(actor=centre["clerk"], item=item, decision="accept",
                                                    provided=provided, applicant=applicant(5000 + index * 500 + k)).pk)
            else:
                made[kind].append(grid_report(grid_env, user=("inspector", "inspector2", "operator")[index % 3]).pk)
            k += 1
        return made

    with time_machine.travel(start, tick=True):
        # Warm the per-process caches (calendar, grid index) before the clock matters.
        shared_db.run(lambda: grid_report(grid_env).pk)
        results = shared_db.run_many(worker, 3)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    acknowledged = {kind: [pk for r in results for pk in r[kind]] for kind in ("ticket", "acceptance", "grid")}

    tickets = shared_db.run(_ticket_rows)
    by_day_letter = _check_tickets(*tickets, acknowledged["ticket"])
    accepted = shared_db.run(_acceptance_rows)
    by_day = _check_acceptance(*accepted[:4], acknowledged["acceptance"])
    grid_rows = shared_db.run(_grid_rows)
    grid_cases = grid_rows[0]
    by_key = _check_grid(*grid_rows, [pk for pk, *_rest in grid_cases])
    before, after = start.date(), start.date() + dt.timedelta(days=1)
    assert {d for d, _l in by_day_letter} == {before, after}, "the run did not straddle midnight"
    assert set(by_day) <= {before, after} and {k[-8:] for k in by_key} <= {f"{before:%Y%m%d}", f"{after:%Y%m%d}"}
    for letter in "AB":
        assert sorted(by_day_letter.get((after, letter), [1]))[0] == 1  # a new day starts at 1
    if boundary == "year":
        assert {f"{d:%y}" for d in by_day} <= {"25", "26"} and {k[-8:-4] for k in by_key} == {"2025", "2026"}
