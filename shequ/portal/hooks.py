"""Tiles of the residents' home page (/m/) and what is due for a resident (到期提醒). Each module that serves residents (meals, volunteering, room bookings,
events) adds its tile here from its own `registry.py`:

    from shequ.portal.hooks import Tile, tile
    tile(Tile(_("助餐"), "services:m-meals", "cup-hot", 40, badge=lambda account: ..., needs_binding=True))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

# The tiles' numbers are kept for this long per account (the home page says so). The account's own writes in the
# portal (booking, cancelling, reporting, binding, asking for a renewal) clear them at once; what staff do
# elsewhere (a case moving on, a contract renewed) shows within this time.
TILE_FRESHNESS_SECONDS = 60


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
    # False: the badge is computed on every request (a count the page reads anyway, like unread messages).
    cached: bool = True

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_tiles: list[Tile] = []


def tile(*items: Tile) -> None:
    for item in items:
        if all(t.url_name != item.url_name for t in _tiles):
            _tiles.append(item)


def _tiles_key(account_id) -> str:
    return f"portal:tiles:{account_id}"


def tiles_changed(account_id) -> None:
    """The account's numbers changed (called by the writes that change them): recomputed on the next page."""
    transaction.on_commit(lambda: cache.delete(_tiles_key(account_id)))


def tiles_for(account) -> list[dict]:
    """The home page's tiles. Their badges cost one query each (in several modules); they are computed together
    and kept TILE_FRESHNESS_SECONDS in the shared cache, so a home page usually reads one cache row instead."""
    ordered = sorted(_tiles, key=lambda t: (t.order, t.url_name))
    key = _tiles_key(account.pk)
    kept = cache.get(key)
    if not kept or kept.get("resident") != account.resident_id:
        kept = {"resident": account.resident_id, "badges": {
            t.url_name: t.badge(account) for t in ordered
            if t.cached and t.badge is not None and not (t.needs_binding and not account.is_bound)}}
        cache.set(key, kept, TILE_FRESHNESS_SECONDS)
    out = []
    for t in ordered:
        locked = t.needs_binding and not account.is_bound
        if locked or t.badge is None:
            badge = None
        else:
            badge = kept["badges"].get(t.url_name) if t.cached else t.badge(account)
        out.append({"label": t.label, "url": t.url, "icon": t.icon, "description": t.description,
                    "locked": locked, "badge": badge})
    return out


# --- 到期提醒: what is due for me ----------------------------------------------------------------------------------
# A module whose records run out (family-doctor contracts, …) registers a source in its `registry.py`:
#
#     from shequ.portal.hooks import Due, due_source
#     due_source("health.contract", lambda account, people: [Due(...), ...])
#
# `people` are the account's own registry record and the members it may act for; a source reads only theirs.


@dataclass(frozen=True)
class Due:
    key: str  # stable and unique across modules ("health.contract:12"): what a renewal request refers to
    title: str
    person_id: int
    person_name: str
    end_date: object  # datetime.date
    detail: str = ""
    url_name: str = ""  # the module's resident page for the record
    # (due, account) -> None: called in the renewal request's transaction so the module can tell its staff;
    # None means the record cannot be renewed from the portal (the row only reminds).
    on_renew: Callable | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else ""

    @property
    def renewable(self) -> bool:
        return self.on_renew is not None


_due_sources: dict[str, Callable] = {}


def due_source(name: str, fn: Callable) -> None:
    _due_sources[name] = fn


def due_for(account, people: list) -> list[Due]:
    if not people:
        return []
    items = [d for name in sorted(_due_sources) for d in _due_sources[name](account, people)]
    return sorted(items, key=lambda d: (d.end_date, d.key))
