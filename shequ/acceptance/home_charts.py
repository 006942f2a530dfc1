"""The acceptance centre's chart on the home page: people served and the average wait, last ten hall days."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.core.hooks import ChartData, Series


def hall_trend(user) -> ChartData | None:
    from .selectors.trend import hall_days

    rows = hall_days(user=user)
    if not rows:
        return None
    return ChartData(labels=[f"{d.month}月{d.day}日" for d, _s, _w in rows], series=[
        Series(_("服务人次"), [s for _d, s, _w in rows]),
        Series(_("平均等候（分钟）"), [w for _d, _s, w in rows], "line"),
    ])
