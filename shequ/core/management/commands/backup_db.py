"""Back up the database while Shequ runs.

SQLite: the online backup API, in one step, so the copy is one consistent snapshot even while others write
(copying the file is not safe). PostgreSQL: pg_dump in custom format, which reads one snapshot.

A manifest beside the backup records per-table row counts and content checksums *of the backup's own
snapshot*: SQLite's are taken from the copy, PostgreSQL's inside a transaction whose snapshot pg_dump is given
(`--snapshot`). A restore drill (`manage.py restore_db --verify`) must then reproduce them exactly.

`--keep-days N` then deletes this directory's backups (files named like the default, and their manifests)
older than N days; the backup just made is never deleted.
"""

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from shequ.core.backup import postgres_snapshot, sqlite_fingerprints

DEFAULT_NAME = re.compile(r"^shequ-\d{8}-\d{6}\.(sqlite3|dump)$")


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump），并写出该备份快照的行数与校验和清单。"

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="backup file (default var/backups/shequ-<time>.<ext>)")
        parser.add_argument("--keep-days", type=int, default=None,
                            help="afterwards delete this directory's backups older than N days")

    def handle(self, *args, target=None, keep_days=None, **options):
        vendor = connection.vendor
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        ext = "sqlite3" if vendor == "sqlite" else "dump"
        path = Path(target or f"var/backups/shequ-{stamp}.{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be at least 1")
        started = time.perf_counter()
        if vendor == "sqlite":
            fingerprints = self._sqlite(path)
        elif vendor == "postgresql":
            fingerprints = self._postgres(path)
        else:
            raise CommandError(f"unsupported database {vendor}")
        manifest = {"vendor": vendor, "created": timezone.now().isoformat(),
                    "seconds": round(time.perf_counter() - started, 3), "tables": fingerprints}
        Path(f"{path}.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        self.stdout.write(f"{path} ({path.stat().st_size} bytes, {len(fingerprints)} tables, "
                          f"{manifest['seconds']:.2f}s)")
        if keep_days is not None:
            self._prune(path, keep_days)

    def _sqlite(self, path: Path) -> dict:
        if path.exists():
            path.unlink()
        connection.ensure_connection()
        partial = path.with_name(path.name + ".partial")
        dest = sqlite3.connect(str(partial))
        try:
            connection.connection.backup(dest)  # pages=-1: the whole database in one step, one snapshot
        finally:
            dest.close()
        partial.rename(path)
        return sqlite_fingerprints(path)

    def _postgres(self, path: Path) -> dict:
        s = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        with postgres_snapshot(connection) as (snapshot, fingerprints):
            cmd = ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(path), "-h", s.get("HOST") or "127.0.0.1",
                   "-p", str(s.get("PORT") or 5432), "-U", s.get("USER") or "postgres", s["NAME"]]
            result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return fingerprints

    def _prune(self, keep: Path, days: int) -> None:
        cutoff = time.time() - dt.timedelta(days=days).total_seconds()
        removed = 0
        for old in keep.parent.iterdir():
            if old.resolve() == keep.resolve() or not DEFAULT_NAME.match(old.name) or old.stat().st_mtime >= cutoff:
                continue
            old.unlink()
            Path(f"{old}.manifest.json").unlink(missing_ok=True)
            removed += 1
        self.stdout.write(f"removed {removed} backups older than {days} days")
