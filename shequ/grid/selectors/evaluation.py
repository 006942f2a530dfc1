"""The evaluation indicators (综合评价) for other modules: the same formulas as the statistics page
(`grid.stats.indicators`), over the committees of the user's scope."""

from __future__ import annotations

import datetime as dt

from shequ.core.choices import NodeKind
from shequ.core.scoping import scope_node_ids

from .. import stats


def evaluation_indicators(*, user, start: dt.date, end: dt.date, by: str = "total",
                          committee_ids=None) -> list[dict]:
    """Indicator rows (结案率 `close_rate`, 按期结案率 `on_time_rate`, 返工率 `rework_rate`, 延期率
    `extension_rate`, …) for the period, `by` "total" or "committee" (row key: the committee id). The committees are
    those of the user's scope, narrowed to `committee_ids` when given."""
    ids = scope_node_ids(user, NodeKind.COMMITTEE)
    if committee_ids is not None:
        ids = ids & set(committee_ids)
    return stats.indicators(start=start, end=end, by=by, node_ids=sorted(ids))


def evaluation_total(rows: list[dict]) -> dict:
    """The total row of `evaluation_indicators(..., by="committee")`'s rows, from their counts."""
    return stats.total_of(rows)
