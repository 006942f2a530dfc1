"""The 大联动 chart on the home page: the last 30 days of cases and the on-time rate, in the user's scope."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import NodeKind
from shequ.core.hooks import ChartData, Series
from shequ.core.scoping import scope_node_ids

DAYS = 30


def case_trend(user) -> ChartData:
    from . import stats

    end = timezone.localdate()
    start = end - dt.timedelta(days=DAYS - 1)
    rows = {r["key"]: r for r in stats.indicators(start=start, end=end, by="day",
                                                  node_ids=sorted(scope_node_ids(user, NodeKind.COMMITTEE)))}
    days = [start + dt.timedelta(days=i) for i in range(DAYS)]
    return ChartData(labels=[f"{d.month}月{d.day}日" for d in days], series=[
        Series(_("上报"), [rows[d]["reported"] if d in rows else 0 for d in days]),
        Series(_("结案"), [rows[d]["closed"] if d in rows else 0 for d in days]),
        Series(_("按期结案率"), [rows[d]["on_time_rate"] if d in rows else None for d in days], "line", True),
    ])
