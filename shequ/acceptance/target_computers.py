"""The acceptance centre's computed target (受理中心好评率), declared on its own selectors so the targets module
does not import the acceptance centre."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from shequ.targets.hooks import Computer, Figure, computer

from . import selectors


def _review_rate(*, user, start: dt.date, end: dt.date) -> Figure:
    good, n = selectors.review_rate(user=user, date_from=start, date_to=end)
    return Figure(Decimal(str(good * 100 / n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if n else None)


computer(Computer("acceptance.good_rate", _("受理中心好评率"), _review_rate,
                  _("三星（基本满意）及以上评价 ÷ 全部评价 × 100%，申诉成立的差评不计")))
