"""Tiles of the residents' home page (/m/). Each module that serves residents (meals, volunteering, room bookings,
events) adds its tile here from its own `registry.py`:

    from shequ.portal.hooks import Tile, tile
    tile(Tile(_("助餐"), "services:m-meals", "cup-hot", 40, badge=lambda account: ..., needs_binding=True))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tile:
    label: str
    url_name: str
    icon: str = "grid"
    order: int = 100
    # (account) -> int | None: a number shown on the tile (what is waiting for me); None shows nothing.
    badge: Callable | None = None
    # Tiles that need a real-name binding show a hint instead of a link until the account is bound.
    needs_binding: bool = False
    description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_tiles: list[Tile] = []


def tile(*items: Tile) -> None:
    for item in items:
        if all(t.url_name != item.url_name for t in _tiles):
            _tiles.append(item)


def tiles_for(account) -> list[dict]:
    out = []
    for t in sorted(_tiles, key=lambda t: (t.order, t.url_name)):
        locked = t.needs_binding and not account.is_bound
        out.append({"label": t.label, "url": t.url, "icon": t.icon, "description": t.description,
                    "locked": locked, "badge": None if locked or t.badge is None else t.badge(account)})
    return out
