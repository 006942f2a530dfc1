"""Background work of the 大联动 module that a request leaves behind."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from shequ.core.tasks import shequ_task

from . import stats


@shequ_task(label=gettext_lazy("大联动指标汇总：计入新上报的案件"))
def stats_catch_up(*, since: str = "", due: str = "") -> dict:
    """Count the reports made since the last run into the summary rows (a report's request does not write them).
    The indicator pages also catch up before they read, so this run only keeps the backlog short."""
    counted = 0
    while True:
        done = stats.catch_up()
        counted += done
        if not done:
            return {"counted": counted}
