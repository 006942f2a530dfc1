from decimal import Decimal

import pytest

from shequ.core.scoring import Combination, combine_scores


def test_average_rounds_half_up():
    assert combine_scores([88, 89, 90]) == Decimal("89.00")
    assert combine_scores([1, 2], places=0) == Decimal("2")


def test_trimmed_mean_drops_one_highest_and_one_lowest():
    assert combine_scores([70, 88, 88, 88, 100], Combination.TRIMMED_MEAN) == Decimal("88.00")
    assert combine_scores([80, 88, 96], Combination.TRIMMED_MEAN) == Decimal("88.00")
    # ties: only one of the equal highest is dropped
    assert combine_scores([90, 90, 60], Combination.TRIMMED_MEAN) == Decimal("90.00")


def test_trimmed_mean_needs_three_scores():
    with pytest.raises(ValueError):
        combine_scores([80, 90], Combination.TRIMMED_MEAN)


def test_no_score_no_result():
    assert combine_scores([]) is None
    assert combine_scores([], Combination.TRIMMED_MEAN) is None
