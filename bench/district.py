"""A district-scale tree for benchmarks: 杨浦区 with 10 sub-districts of 17 committees each (the demo's 延吉新村街道
is the first; `subdistricts=12` gives the district its whole 12), so scoped queries filter the way a district
deployment does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")

SUBDISTRICTS = ["延吉新村街道", "殷行街道", "五角场街道", "控江路街道", "长白新村街道", "平凉路街道", "江浦路街道",
                "大桥街道", "定海路街道", "四平路街道", "新江湾城街道", "长海路街道"]
DEFAULT_SUBDISTRICTS = 10


def setup():
    import django

    django.setup()


def ensure_tree(subdistricts: int = DEFAULT_SUBDISTRICTS) -> dict:
    """The demo (seed_demo) plus `subdistricts - 1` more sub-districts with 17 committees each and their grids;
    returns the district node and the committee ids."""
    from django.core.management import call_command

    from shequ.core import services
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node

    call_command("migrate", verbosity=0)
    if not Node.objects.filter(code="310110015001").exists():
        import io

        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    district = Node.objects.get(code="310110000000")
    if not 1 <= subdistricts <= len(SUBDISTRICTS):
        raise ValueError(f"subdistricts: 1 to {len(SUBDISTRICTS)}")
    for index, name in enumerate(SUBDISTRICTS[1:subdistricts], start=16):
        code = f"310110{index:03d}000"
        sub = Node.objects.filter(code=code).first() or services.node_create(
            actor=None, kind=NodeKind.SUBDISTRICT, code=code, name=name, parent=district)
        for c in range(1, 18):
            ccode = f"310110{index:03d}{c:03d}"
            if not Node.objects.filter(code=ccode).exists():
                services.node_create(actor=None, kind=NodeKind.COMMITTEE, code=ccode, name=f"{name[:2]}{c}村居委会",
                                     parent=sub)
    _copy_grids(district, subdistricts)
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE).order_by("code").values_list("id", flat=True))
    return {"district": district, "committees": committees}


def _copy_grids(district, subdistricts: int) -> None:
    """Give every committee of the extra sub-districts the grids of the demo committee in the same position,
    moved east by 0.035° per sub-district, so grid cases (and their point-in-polygon assignment) can be spread over
    the whole district. One bulk insert; the spatial index is told that the grids changed."""
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node
    from shequ.grid import spatial

    demo = list(Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015").select_related("parent")
                .order_by("code"))
    have = set(Node.objects.filter(kind=NodeKind.GRID).values_list("code", flat=True))
    committees = {c.code: c for c in Node.objects.filter(kind=NodeKind.COMMITTEE)}
    new = []
    for index in range(16, 16 + subdistricts - 1):
        dx = 0.035 * (index - 15)
        for grid in demo:
            committee = committees.get(f"310110{index:03d}{grid.parent.code[9:12]}")
            code = f"{committee.code}{grid.code[12:]}" if committee else None
            if committee is None or code in have:
                continue
            ring = [[round(x + dx, 6), y] for x, y in grid.geometry["coordinates"][0]]
            new.append(Node(kind=NodeKind.GRID, code=code, name=f"{committee.name[:-3]}{grid.name[-4:]}",
                            parent=committee, path=f"{committee.path}{code}/", sort_order=grid.sort_order,
                            geometry={"type": "Polygon", "coordinates": [ring]}))
    if new:
        Node.objects.bulk_create(new, batch_size=500)
        spatial.touch()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine() -> dict:
    import platform

    from django.db import connection

    info = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "vendor": connection.vendor}
    try:
        with open("/proc/meminfo") as fh:
            info["mem_total_kb"] = int(fh.readline().split()[1])
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        info["db_version"] = cursor.fetchone()[0]
    return info
