"""Two clerks at the counter at once, serving one household: the month's counter row is locked, so only as much
as the allowance is handed out, and stock never goes below zero."""

import pytest

from shequ.charity import services
from shequ.charity.models import Distribution, Goods, HouseholdQuota
from shequ.core.errors import ConflictError
from shequ.core.testing import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_never_exceeds_the_allowance_with_two_clerks_at_once(market, threaded_db):
    m = market

    def hand_out(index, goods_id, quantity):
        return services.distribution_create(actor=m["op"], supermarket=m["supermarket"],
                                            household_id=m["household"].pk, recipient_id=m["head"].pk,
                                            items={goods_id: quantity})

    # The month's counter exists (20 of 100 points used), so only its row lock stands between the clerks; each
    # takes a different goods item, so no stock lock serialises them either.
    run_threads(lambda i: hand_out(i, m["rice"].pk, 1), 1)
    for _ in range(3):
        results = run_threads(lambda i: hand_out(i, *((m["rice"].pk, 3) if i % 2 else (m["oil"].pk, 2))), 4)
        unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ConflictError)]
        assert not unexpected, unexpected
    counts = run_threads(lambda i: (Distribution.objects.count(), HouseholdQuota.objects.get().used_points,
                                    sum(Distribution.objects.values_list("points", flat=True))), 1)[0]
    assert counts == (2, 80, 80)


def test_it_never_takes_stock_below_zero_with_concurrent_outs(market, threaded_db):
    m = market

    def lose(index):
        return services.stock_adjust(actor=m["op"], goods=Goods.objects.get(pk=m["oil"].pk), kind="loss",
                                     quantity=2, note="破损")

    results = run_threads(lose, 4, timeout=60)
    assert sum(not isinstance(r, Exception) for r in results) == 2
    assert all(isinstance(r, ConflictError) for r in results if isinstance(r, Exception))
    assert run_threads(lambda i: Goods.objects.get(pk=m["oil"].pk).quantity, 1)[0] == 1
