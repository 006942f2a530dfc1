"""Point-in-polygon assignment of reports to grids.

A shapely STRtree over every active grid polygon is built once per process and rebuilt when a grid changes
(`SpatialStamp` carries the time of the last change, so every process notices: a process reads the stamp again
at most every `SHEQU_SPATIAL_RECHECK_SECONDS`, and at once after a change made in the process itself). One
lookup is a tree query; a batch is a single vectorised `STRtree.query` over all points. A point on a shared border
goes to the grid with the smallest code, so the answer is deterministic.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

from shequ.core.choices import NodeKind
from shequ.core.models import Node

from .models import SpatialStamp

_lock = threading.Lock()
_index: GridIndex | None = None
_stamp = None
_checked_at = 0.0  # time.monotonic() of the last read of the stamp


@dataclass(frozen=True)
class GridHit:
    id: int
    code: str
    name: str
    committee_id: int | None


class GridIndex:
    def __init__(self, rows: list[tuple[int, str, str, int | None, dict]]):
        rows = sorted(rows, key=lambda r: r[1])  # by code: the smallest code wins on a shared border
        self.hits = [GridHit(r[0], r[1], r[2], r[3]) for r in rows]
        geoms = [shape(r[4]) for r in rows]
        for g in geoms:
            shapely.prepare(g)
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if len(geoms) else None

    def __len__(self):
        return len(self.hits)

    def locate(self, lng: float, lat: float) -> GridHit | None:
        if self.tree is None:
            return None
        found = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return self.hits[int(found.min())] if len(found) else None

    def locate_many(self, lngs, lats) -> np.ndarray:
        """Index into `hits` for each point (−1 when outside every grid), fully vectorised: one bounding-box
        query of the STRtree for all points, then an exact `intersects_xy` test of the candidate pairs against the
        prepared polygons, and the smallest grid index kept per point."""
        lngs = np.asarray(lngs, dtype=float)
        lats = np.asarray(lats, dtype=float)
        result = np.full(len(lngs), -1, dtype=np.int64)
        if self.tree is None or not len(lngs):
            return result
        pairs = self.tree.query(shapely.points(lngs, lats))
        if not pairs.shape[1]:
            return result
        inside = shapely.intersects_xy(self.geoms[pairs[1]], lngs[pairs[0]], lats[pairs[0]])
        points, grids = pairs[0][inside], pairs[1][inside]
        # Sort by point, then grid; the first row of each point is its smallest grid index.
        order = np.lexsort((grids, points))
        points, grids = points[order], grids[order]
        first = np.ones(len(points), dtype=bool)
        first[1:] = points[1:] != points[:-1]
        result[points[first]] = grids[first]
        return result


def _current_stamp():
    return SpatialStamp.objects.order_by("-id").values_list("changed_at", flat=True).first()


def touch() -> None:
    """Record that grid polygons changed; every process rebuilds its index on its next lookup."""
    from django.utils import timezone

    row = SpatialStamp.objects.order_by("-id").first()
    if row is None:
        SpatialStamp.objects.create(changed_at=timezone.now())
    else:
        SpatialStamp.objects.filter(pk=row.pk).update(changed_at=timezone.now())
    clear()


def clear() -> None:
    global _index, _stamp
    with _lock:
        _index, _stamp = None, None


def get_index() -> GridIndex:
    global _index, _stamp, _checked_at
    from django.conf import settings

    now = time.monotonic()
    with _lock:
        if _index is not None and now - _checked_at < settings.SHEQU_SPATIAL_RECHECK_SECONDS:
            return _index
    stamp = _current_stamp()
    with _lock:
        if _index is not None and _stamp == stamp:
            _checked_at = now
            return _index
    rows = list(Node.objects.filter(kind=NodeKind.GRID, is_active=True, geometry__isnull=False)
                .values_list("id", "code", "name", "parent_id", "geometry"))
    index = GridIndex(rows)
    with _lock:
        _index, _stamp, _checked_at = index, stamp, now
    return index


def valid_point(lat, lng) -> bool:
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


def locate(lat: float, lng: float) -> GridHit | None:
    return get_index().locate(float(lng), float(lat))


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
