"""How a module tells the targets (指标) how to compute one of its figures.

A computer is declared once, by code, with the function that computes it live from the module's own selectors.
An indicator whose `source` is computed names its computer by that code. Each module declares its own, on its
own selectors (`grid/target_computers.py`, `acceptance/target_computers.py`, `health/target_computers.py`,
imported by their `registry.py`; the eco households in `shequ/targets/computers.py`), so the targets module
imports no other module and the modules may read the targets' sheets through its selectors:

    from shequ.targets.hooks import Computer, Figure, computer
    computer(Computer("volunteers.environment", _("市容环境志愿者人数"), _env_volunteers, cumulative=True))

`compute(*, user, start, end)` returns a `Figure` for the user's scope: the value over every committee the user
sees, and each committee's own value by committee id (a committee absent from `committees` has no figure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    committees: dict[int, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Computer:
    code: str
    label: str
    compute: Callable  # (*, user, start: date, end: date) -> Figure
    description: str = ""
    # A count that accumulates over the period (households certified, volunteers): its progress is judged against
    # the time elapsed. A rate is judged against the target itself.
    cumulative: bool = False


_computers: dict[str, Computer] = {}


def computer(item: Computer) -> Computer:
    if item.code in _computers and _computers[item.code] != item:
        raise ValueError(f"computer {item.code!r} declared twice")
    _computers[item.code] = item
    return item


def computer_get(code: str) -> Computer | None:
    return _computers.get(code)


def computer_choices() -> list[tuple[str, str]]:
    return sorted(((c.code, str(c.label)) for c in _computers.values()), key=lambda c: c[0])


def memo(user) -> dict:
    """A scratch dict for one read of many targets (`target_progress`, a snapshot): computers sharing a costly
    query (the four grid rates read the same evaluation rows) keep its result here. Emptied at each read."""
    return user.__dict__.setdefault("_targets_memo", {})


def memo_reset(user) -> None:
    user.__dict__.pop("_targets_memo", None)
