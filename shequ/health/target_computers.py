"""Family-doctor coverage as a computed target (指标), declared on the health module's own selectors so the
targets module imports no other module."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from shequ.targets.hooks import Computer, Figure, computer

from . import selectors


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _coverage(*, user, start: dt.date, end: dt.date) -> Figure:
    table = selectors.coverage(user=user)
    return Figure(_dec(table["total"]["rate"]), {r["committee"].pk: _dec(r["rate"]) for r in table["rows"]})


computer(Computer("health.coverage", _("家庭医生签约覆盖率"), _coverage,
                  _("在约签约居民 ÷ 在册居民 × 100%，每晚统计")))
