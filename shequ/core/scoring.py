"""How the scores of a panel are combined: each expert scores alone, the result is their average or their trimmed
mean (the highest and the lowest score dropped). One rule for every panel in Shequ: the purchase-of-services
proposals (社会组织) and the scoring-sheet assessments (指标与考核)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Combination(models.TextChoices):
    AVERAGE = "average", _("算术平均")
    TRIMMED_MEAN = "trimmed", _("去掉一个最高分和一个最低分后平均")


# A trimmed mean needs at least this many scores (two dropped, at least one kept).
TRIMMED_MIN_SCORES = 3


def combine_scores(scores, method: str = Combination.AVERAGE, places: int = 2) -> Decimal | None:
    """The panel's result of `scores` (numbers), rounded half up to `places` decimals; None without any score.
    A trimmed mean of fewer than three scores is refused (ValueError): dropping two would leave nothing."""
    values = sorted(Decimal(str(s)) for s in scores)
    if not values:
        return None
    if method == Combination.TRIMMED_MEAN:
        if len(values) < TRIMMED_MIN_SCORES:
            raise ValueError(str(_("去掉最高分和最低分至少需要三位专家的评分。")))
        values = values[1:-1]
    elif method != Combination.AVERAGE:
        raise ValueError(f"unknown combination {method!r}")
    mean = sum(values) / len(values)
    return mean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
