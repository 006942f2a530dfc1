"""Figures for the usage chart (ECharts on the usage page and the operator's home page)."""

from __future__ import annotations

from django.utils import timezone

from shequ.core import workcal
from shequ.core.hooks import ChartData, Series

from . import selectors
from .choices import AgeGroup


def usage_data(user, *, months: int = 6, facility=None) -> tuple[dict, ChartData]:
    firsts = [m.replace(day=1) for m in workcal.recent_months(timezone.localdate(), months)]
    firsts = sorted(firsts)
    figures = selectors.usage(user=user, months=firsts, facility=facility)
    labels = [f"{int(k[:4])}年{int(k[5:])}月" for k in figures["months"]]
    series = [Series(str(AgeGroup(g).label), [figures["hours"][g][k] for k in figures["months"]])
              for g in AgeGroup.values]
    return figures, ChartData(labels=labels, series=series)


def usage_chart(user) -> ChartData | None:
    figures, data = usage_data(user)
    if not any(figures["held"].values()):
        return None
    return data
