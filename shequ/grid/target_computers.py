"""The grid's computed targets (指标, 两下降两提高): declared here, on the grid's own selectors, so the targets
module does not import the grid. Rates come from the evaluation summary (`CaseStat`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from shequ.targets.hooks import Computer, Figure, computer, memo

from . import selectors


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _grid_rows(user, start: dt.date, end: dt.date):
    """The evaluation rows (total, by committee) of the period, kept for one read of the targets (`hooks.memo`):
    the four grid targets (两下降两提高) read the same rows, computed once."""
    cache = memo(user)
    key = ("grid", start, end)
    if key not in cache:
        rows = selectors.evaluation_indicators(user=user, start=start, end=end, by="committee")
        cache[key] = (selectors.evaluation_total(rows), rows)
    return cache[key]


def _grid_rate(key: str):
    def compute(*, user, start: dt.date, end: dt.date) -> Figure:
        total, rows = _grid_rows(user, start, end)
        return Figure(_dec(total.get(key)), {r["key"]: _dec(r.get(key)) for r in rows if r["key"] is not None})
    return compute


computer(Computer("grid.close_rate", _("网格案件结案率"), _grid_rate("close_rate"),
                  _("结案数 ÷（应结案数 − 缓办数）× 100%，按上报时间统计，工作站自处置不计")))
computer(Computer("grid.on_time_rate", _("网格案件按期结案率"), _grid_rate("on_time_rate"),
                  _("按期结案数 ÷（应结案数 − 缓办数）× 100%，工作站自处置不计")))
computer(Computer("grid.rework_rate", _("网格案件返工率"), _grid_rate("rework_rate"),
                  _("曾被退回重办的结案案件 ÷ 结案数 × 100%")))
computer(Computer("grid.extension_rate", _("网格案件延期率"), _grid_rate("extension_rate"),
                  _("曾延期的立案案件 ÷ 立案数 × 100%")))
