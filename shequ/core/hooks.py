"""What each app contributes to the shell: navigation entries, the home page's pending counts and charts.

An app declares them in its `registry.py` (with its capability grants); core imports every app's registry
module once at start-up.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import get_script_prefix, reverse


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    capability: str
    icon: str = "circle"
    order: int = 100

    @property
    def url(self) -> str:
        # Read three times per entry by the shell's navigation on every page (a district leader's: ~120 entries).
        return _nav_url(self.url_name, get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _nav_url(url_name: str, _prefix: str) -> str:
    """A navigation entry's address (no arguments, no language prefix): the same for every request with the same
    script prefix, so reversed once per process."""
    return reverse(url_name)


@dataclass(frozen=True)
class PendingCounter:
    """A number on the home page: what this user has waiting, with a link to the list."""

    label: str
    capability: str
    count: Callable  # (user) -> int
    url_name: str
    tone: str = "primary"
    order: int = 100


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # numbers, None where there is no data
    kind: str = "bar"  # bar | line
    percent: bool = False  # drawn against a 0–100 % axis


@dataclass(frozen=True)
class ChartData:
    labels: list[str]
    series: list[Series]

    def as_json(self) -> dict:
        return {"labels": self.labels, "series": [
            {"name": s.name, "values": s.values, "kind": s.kind, "percent": s.percent} for s in self.series]}

    def rows(self) -> list[tuple[str, list]]:
        """The same figures as a table (for readers who can't see the chart): (label, [value per series])."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]


@dataclass(frozen=True)
class HomeChart:
    """A chart on the home page of the roles with `capability`: a trend people would rather look at than read."""

    title: str
    capability: str
    data: Callable  # (user) -> ChartData | None
    url_name: str = ""
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    pending: list[PendingCounter] = field(default_factory=list)
    charts: list[HomeChart] = field(default_factory=list)
    sections: dict[str, int] = field(default_factory=dict)
    landings: dict[str, str] = field(default_factory=dict)
    calendar_listeners: list[Callable] = field(default_factory=list)


registry = Registry()


def section(name: str, order: int) -> None:
    registry.sections.setdefault(name, order)


def landing(role: str, url_name: str) -> None:
    """The page a role lands on instead of the workbench (a volunteer's is his volunteer page)."""
    registry.landings.setdefault(role, url_name)


def landing_for(user) -> str | None:
    return registry.landings.get(getattr(user, "role", ""))


def on_calendar_year(fn: Callable) -> None:
    """`fn(actor=, year=)` runs inside the transaction that enters or replaces a confirmed year of the working-day
    calendar: an app recomputes what it dated on the Mon–Fri rule while the year was missing."""
    registry.calendar_listeners.append(fn)


def calendar_year_entered(*, actor, year: int) -> None:
    for fn in registry.calendar_listeners:
        fn(actor=actor, year=year)


def nav(*items: NavItem) -> None:
    registry.nav.extend(items)


def pending(*items: PendingCounter) -> None:
    registry.pending.extend(items)


def home_chart(*items: HomeChart) -> None:
    registry.charts.extend(items)


def nav_for(user) -> list[tuple[str, list[NavItem]]]:
    visible = [i for i in registry.nav if user.can(i.capability)]
    grouped: dict[str, list[NavItem]] = {}
    for item in sorted(visible, key=lambda i: (registry.sections.get(i.section, 999), i.order)):
        grouped.setdefault(item.section, []).append(item)
    return list(grouped.items())


def pending_for(user) -> list[tuple[PendingCounter, int]]:
    return [(p, p.count(user)) for p in sorted(registry.pending, key=lambda p: p.order) if user.can(p.capability)]


def charts_for(user) -> list[tuple[HomeChart, ChartData]]:
    result = []
    for chart in sorted(registry.charts, key=lambda c: c.order):
        if user.can(chart.capability):
            data = chart.data(user)
            if data is not None and data.labels:
                result.append((chart, data))
    return result
