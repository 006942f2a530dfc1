"""The figures of bench/results/sqlite.json and postgresql.json side by side, as a Markdown table.

    .venv/bin/python bench/table.py [bench/results/sqlite.json bench/results/postgresql.json]

Any results files of bench/run may be given (columns named by database, or by file when two share one).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cell(row: dict | None) -> str:
    if row is None:
        return "–"
    mark = "" if row.get("met") is None else (" ✓" if row["met"] else " ✗")
    if row.get("p95_ms") is not None and "value" not in row:
        return f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f}{mark}"
    value = row.get("value")
    unit = row.get("unit", "")
    if "ratio" in row:
        return f"{value:,.0f}/s = {row['ratio']:.2f}×, p99 {row['p99_ms']:.0f} ms{mark}"
    if unit == "tickets/s":
        return f"{value:,.0f}/s, p95 {row['p95_ms']:.0f} ms{mark}"
    if unit == "req/s":
        return f"{value:,.0f}/s, p99 {row['p99_ms']:.1f} ms"
    if isinstance(value, float) and value < 1:
        return f"{value:.4f} {unit}{mark}"
    return f"{value:,} {unit}{mark}"


def main():
    paths = [Path(p) for p in sys.argv[1:]] or [ROOT / "bench/results/sqlite.json",
                                                  ROOT / "bench/results/postgresql.json"]
    results = [json.loads(p.read_text()) if p.exists() else {"figures": []} for p in paths]
    keys = []
    for result in results:
        for row in result["figures"]:
            k = (row["key"], row["as"])
            if k not in keys:
                keys.append(k)
    index = [{(r["key"], r["as"]): r for r in result["figures"]} for result in results]
    names = [r.get("database", p.stem) for r, p in zip(results, paths)]
    if len(set(names)) < len(names):  # two runs on one database (a primary and its replica): name them by file
        names = [p.stem for p in paths]
    print("| figure | as | target | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for k in keys:
        row = next(i[k] for i in index if k in i)
        print(f"| {row['what']} | {row['as']} | {row.get('target', '')} | "
              + " | ".join(cell(i.get(k)) for i in index) + " |")
    for r, name in zip(results, names):
        m = r.get("machine", {})
        if m:
            print(f"\n{name}: {m.get('cpu')} × {m.get('cpus')}, {m.get('mem_total_kb', 0) // 1024 // 1024} GiB, "
                  f"{m.get('vendor')} {m.get('db_version')}, Python {m.get('python')}, code {r.get('code')}, "
                  f"dataset {r.get('dataset')}")


if __name__ == "__main__":
    main()
