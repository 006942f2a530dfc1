"""Concurrency with real transactions: many kiosks taking numbers at the same moment, double clicks on
call-next, two windows calling at once. Worker threads each hold their own database connection."""

import pytest

from shequ.acceptance import services
from shequ.acceptance.choices import TicketStatus
from shequ.acceptance.models import Case, DailyCounter, Ticket

from .conftest import in_thread, in_threads, visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_unique_gapless_numbers_to_concurrent_kiosks(centre, threaded_db):
    node = centre["sub"]
    per_thread, threads = 15, 8

    def take(index):
        return [services.ticket_issue(node=node, category="A" if index % 2 else "B", actor=None).number
                for _ in range(per_thread)]

    results = in_threads(take, threads)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    numbers = [n for r in results for n in r]
    assert len(numbers) == len(set(numbers)) == per_thread * threads

    def check():
        rows = {}
        for letter, seq, number in Ticket.objects.values_list("category__letter", "seq", "number"):
            rows.setdefault(letter, []).append(seq)
            assert number == f"{letter}{seq:03d}"
        counters = dict(DailyCounter.objects.filter(key__startswith="T:").values_list("key", "last"))
        return rows, counters

    rows, counters = in_thread(check)
    expected = per_thread * threads // 2
    assert sorted(rows["A"]) == list(range(1, expected + 1))
    assert sorted(rows["B"]) == list(range(1, expected + 1))
    assert counters == {"T:A": expected, "T:B": expected}


@pytest.fixture
def seated(centre, threaded_db):
    """Three waiting tickets and clerks seated at windows 1 and 2, written into the threads' database."""
    clerk, clerk2 = centre["clerk"], centre["clerk2"]

    def prepare():
        for _ in range(3):
            services.ticket_issue(node=centre["sub"], category="A", actor=clerk)
        services.window_sign_in(actor=clerk, window=centre["w1"])
        services.window_sign_in(actor=clerk2, window=centre["w2"])

    in_thread(prepare)
    return centre


def test_it_never_calls_two_tickets_for_simultaneous_clicks(seated):
    window, clerk = seated["w1"], seated["clerk"]

    def click(_index):
        try:
            ticket = services.safe_call_next(actor=clerk, window=window)
            return ticket.number if ticket else None
        except Exception as exc:  # the refusal is the expected outcome of the second click
            return exc

    results = in_threads(click, 6)
    called = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert called == ["A001"]
    assert len(refused) == 5 and all(getattr(r, "status_code", None) == 409 for r in refused)
    assert in_thread(lambda: Ticket.objects.filter(status=TicketStatus.CALLED).count()) == 1


def test_it_gives_two_windows_calling_at_once_different_tickets(seated):
    pairs = [(seated["w1"], seated["clerk"]), (seated["w2"], seated["clerk2"])]

    def call(index):
        window, clerk = pairs[index]
        return services.window_call_next(actor=clerk, window=window).number

    results = in_threads(call, 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == ["A001", "A002"]


def test_it_numbers_concurrent_cases_uniquely(centre, threaded_db):
    item = centre["dibao"]
    provided = [m.pk for m in item.materials.all()]

    def register(index):
        return services.case_intake(actor=centre["clerk"], item=item, decision="accept", provided=provided,
                                    applicant=visitor(seed=100 + index)).number

    results = in_threads(register, 6)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 6
    seqs = sorted(int(n[-4:]) for n in results)
    assert seqs == list(range(1, 7))
    assert in_thread(lambda: Case.objects.count()) == 6
