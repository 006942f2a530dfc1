"""Point-in-polygon throughput of the grid index (shapely STRtree) for 1,000 grids.

    .venv/bin/python bench/grid_pip.py [--grids 1000] [--points 1000000]

Builds a lattice of N jittered quadrilateral grids (a city-scale grid count), then measures: building the index,
one report located at a time (what a single API call does), and a vectorised batch (imports, re-assignment after
a grid change). A naive loop over every polygon is timed on a sample for comparison. No database is touched.
"""

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from shapely.geometry import Point, shape  # noqa: E402

from shequ.grid.spatial import GridIndex  # noqa: E402

LAT0, LNG0 = 31.20, 121.40


def lattice(n: int, rng: random.Random):
    cols = int(math.ceil(math.sqrt(n * 1.6)))
    rows = int(math.ceil(n / cols))
    step = 0.001  # ~100 m: a 万米单元网格
    pts = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            jitter = (0 < i < cols and 0 < j < rows)
            pts[i, j] = (LNG0 + i * step + (rng.uniform(-0.25, 0.25) * step if jitter else 0),
                         LAT0 + j * step + (rng.uniform(-0.25, 0.25) * step if jitter else 0))
    grids = []
    for j in range(rows):
        for i in range(cols):
            if len(grids) >= n:
                break
            ring = [pts[i, j], pts[i + 1, j], pts[i + 1, j + 1], pts[i, j + 1], pts[i, j]]
            code = f"310110015{len(grids) // 60 + 1:03d}{len(grids) % 60 + 1:02d}"
            grids.append((len(grids) + 1, code, f"网格{len(grids) + 1}", None,
                          {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}))
    return grids, (LNG0, LAT0, LNG0 + cols * step, LAT0 + rows * step)


def measure(grids: int = 1000, points: int = 1_000_000, singles: int = 20_000) -> dict:
    """Figures of the grid index over a lattice of `grids` polygons (see the module docstring)."""
    rng = random.Random(42)
    rows, (minx, miny, maxx, maxy) = lattice(grids, rng)
    t = time.perf_counter()
    index = GridIndex(rows)
    build = time.perf_counter() - t
    # 5 % of points fall outside every grid.
    pad = 0.05 * (maxx - minx)
    nprng = np.random.default_rng(1)
    lngs = nprng.uniform(minx - pad, maxx + pad, points)
    lats = nprng.uniform(miny - pad, maxy + pad, points)

    t = time.perf_counter()
    result = index.locate_many(lngs, lats)
    batch = time.perf_counter() - t

    t = time.perf_counter()
    for k in range(singles):
        index.locate(float(lngs[k]), float(lats[k]))
    single = (time.perf_counter() - t) / singles

    polygons = [shape(r[4]) for r in rows]
    sample = 2000
    t = time.perf_counter()
    for k in range(sample):
        p = Point(float(lngs[k]), float(lats[k]))
        next((i for i, g in enumerate(polygons) if g.intersects(p)), -1)
    naive = (time.perf_counter() - t) / sample

    # Correctness: the batch agrees with one-by-one lookups on a sample.
    for k in range(0, 5000):
        hit = index.locate(float(lngs[k]), float(lats[k]))
        assert (hit.code if hit else None) == (index.hits[result[k]].code if result[k] >= 0 else None)
    return {"grids": len(index), "points": points, "build_ms": round(build * 1000, 2), "batch_s": round(batch, 3),
            "batch_per_s": round(points / batch), "located": int((result >= 0).sum()),
            "single_us": round(single * 1e6, 2), "naive_us": round(naive * 1e6, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--singles", type=int, default=20_000)
    args = parser.parse_args()
    r = measure(args.grids, args.points, args.singles)
    print(f"网格数 grids: {r['grids']}")
    print(f"建立索引 build STRtree: {r['build_ms']:.1f} ms")
    print(f"批量定位 batch: {r['points']:,} points in {r['batch_s']:.2f} s = {r['batch_per_s']:,.0f} points/s "
          f"({r['located']:,} inside a grid)")
    print(f"单次定位 one report: {r['single_us']:.1f} µs per lookup = {1e6 / r['single_us']:,.0f} lookups/s")
    print(f"对照 naive loop over {r['grids']} polygons: {r['naive_us']:.0f} µs per lookup "
          f"(index is {r['naive_us'] / r['single_us']:.0f}× faster)")


if __name__ == "__main__":
    main()
