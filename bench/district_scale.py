"""District scale on PostgreSQL, measured on the primary and on a streaming replica: 杨浦区's 12 街道 (204
committees), 1.2 M residents, 3 M acceptance cases and 3 M grid cases.

    .venv/bin/python bench/district_scale.py [--workdir /var/tmp/shequ-district] [--residents 1200000]
        [--cases 3000000] [--repeat 30] [--drop]

What it does, all on loopback, stopping the servers it started at the end:
1. a PostgreSQL cluster of its own in `--workdir` (initdb, port 55433, `wal_level=replica`, the server settings of
   `--pg-settings`); a work directory kept from an earlier run is reused, so a second run skips the build;
2. the dataset: `bench/run --db postgres --only build` with `--residents`, `--cases` and 12 街道 (the partitions of
   the history's years are made before the load, so no row sits in a DEFAULT partition);
3. a streaming replica (`pg_basebackup -R -X stream`, port 55434), waited for until it has replayed the primary's
   last WAL position;
4. the latency section of `bench/run` (every list and figure target of the 1M benchmark, as the same personas —
   the district leader's scope is the whole district) twice: on the primary alone, then with `--replica-url`, where
   each answer's `X-Shequ-Read` header is counted: the replica figures hold only if every timed answer was served by
   the replica.

Results: bench/results/district-<cases>-primary.json and -replica.json (the same layout as bench/run's files;
`bench/table.py FILE FILE` prints them side by side). `--drop` removes the work directory at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import cluster  # noqa: E402
from cluster import Postgres, log  # noqa: E402

DB_NAME = "shequ_district"
# A district's server scaled to this machine (23 GiB): the guide's district sizing gives shared_buffers a quarter of
# the memory and effective_cache_size three quarters.
PG_SETTINGS = ("-c shared_buffers=2GB -c effective_cache_size=12GB -c work_mem=32MB -c maintenance_work_mem=512MB "
               "-c max_wal_size=8GB -c checkpoint_timeout=30min")


def bench_run(*args: str) -> None:
    command = [sys.executable, str(ROOT / "bench" / "suite.py"), "--db", "postgres", *args]
    log("$ bench/run " + " ".join(command[3:]))
    subprocess.run(command, cwd=ROOT, check=True)


def wait_replayed(primary_url: str, replica_url: str, seconds: int = 600) -> float:
    """Waits until the replica has replayed the primary's current WAL position; returns the seconds waited."""
    import psycopg

    t = time.perf_counter()
    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    while time.perf_counter() - t < seconds:
        try:
            with psycopg.connect(replica_url, autocommit=True, connect_timeout=2) as replica:
                behind = replica.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())",
                                         [target]).fetchone()[0]
            if behind is not None and behind <= 0:
                return time.perf_counter() - t
        except psycopg.OperationalError:
            pass  # still starting
        time.sleep(1)
    raise SystemExit(f"the replica did not catch up within {seconds} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", default="/var/tmp/shequ-district")
    parser.add_argument("--residents", type=int, default=1_200_000)
    parser.add_argument("--cases", type=int, default=3_000_000, help="acceptance cases and grid cases, each")
    parser.add_argument("--subdistricts", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--pg-settings", default=PG_SETTINGS)
    parser.add_argument("--only", default="build,primary,replica", help="steps: build,primary,replica")
    parser.add_argument("--ports", default=f"{cluster.PG_PORT},{cluster.REPLICA_PORT}", help="primary,replica")
    parser.add_argument("--drop", action="store_true", help="remove the work directory (the cluster) at the end")
    args = parser.parse_args()
    steps = {s.strip() for s in args.only.split(",") if s.strip()}

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    if (workdir / "replica").exists():  # a replica left by an earlier run is made afresh
        shutil.rmtree(workdir / "replica")
    cluster.PG_PORT, cluster.REPLICA_PORT = (int(p) for p in args.ports.split(","))
    pg = Postgres(workdir, name=DB_NAME)
    pg.settings = args.pg_settings
    sizes = ["--residents", str(args.residents), "--cases", str(args.cases), "--subdistricts", str(args.subdistricts),
             "--repeat", str(args.repeat), "--db-url", pg.primary_url]
    stem = ROOT / "bench" / "results" / f"district-{args.cases}"
    kept = Path(f"{stem}-summary.json")
    # A run of some steps keeps the figures of the others (the build's, when only the reads are measured again).
    summary = {**(json.loads(kept.read_text()) if kept.exists() else {}), "settings": args.pg_settings,
               "sizes": sizes[:6]}
    try:
        pg.start_primary()
        if "build" in steps:
            t = time.perf_counter()
            bench_run("--only", "build", *sizes, "--out", f"{stem}-primary.json")
            summary["build_seconds"] = round(time.perf_counter() - t)
        import psycopg

        with psycopg.connect(pg.primary_url, autocommit=True) as conn:
            summary["database_bytes"] = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        if "primary" in steps:
            bench_run("--only", "latency", *sizes, "--out", f"{stem}-primary.json")
        if "replica" in steps:
            t = time.perf_counter()
            pg.start_replica()
            summary["basebackup_seconds"] = round(time.perf_counter() - t)
            summary["replay_wait_seconds"] = round(wait_replayed(pg.primary_url, pg.replica_url), 1)
            bench_run("--only", "latency", *sizes, "--replica-url", pg.replica_url, "--out", f"{stem}-replica.json")
            served = {}
            for row in json.loads(Path(f"{stem}-replica.json").read_text())["figures"]:
                for where, n in (row.get("served") or {}).items():
                    served[where] = served.get(where, 0) + n
            summary["replica_answers_served_by"] = served
            log(f"timed answers of the replica run, by where their reads were served: {served}")
    finally:
        pg.stop()
        if args.drop:
            shutil.rmtree(workdir, ignore_errors=True)
    log(json.dumps(summary, ensure_ascii=False))
    kept.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
