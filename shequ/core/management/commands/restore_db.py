"""Restore a backup made by `backup_db` into a database and verify it against the backup's manifest.

SQLite: copies the backup into the target file with the backup API, then `PRAGMA integrity_check`. PostgreSQL:
pg_restore into the target database (which must exist and be empty) in one transaction. `--verify` compares
row counts and content checksums of every table with the manifest (taken from the backup's own snapshot, so
they must match exactly) and fails loudly on any difference. The time the restore took (the RTO of a drill) is
printed, and `--record FILE` appends the drill's record (a JSON line) to FILE.
"""

import json
import sqlite3
import subprocess
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core.backup import postgres_fingerprints, sqlite_fingerprints


class Command(BaseCommand):
    help = "从 backup_db 的备份恢复数据库，并按清单核对每张表的行数与校验和。"

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--target", required=True,
                            help="SQLite file path, or a PostgreSQL URL postgres://user@host:port/dbname")
        parser.add_argument("--verify", action="store_true")
        parser.add_argument("--record", help="append the drill's record (JSON line) to this file")

    def handle(self, *args, backup, target, verify, record=None, **options):
        source = Path(backup)
        manifest_path = Path(f"{backup}.manifest.json")
        if not source.exists() or not manifest_path.exists():
            raise CommandError("backup or its manifest not found")
        manifest = json.loads(manifest_path.read_text())
        started = time.perf_counter()
        if manifest["vendor"] == "sqlite":
            src = sqlite3.connect(str(source))
            dst = sqlite3.connect(target)
            try:
                with dst:
                    src.backup(dst)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                src.close()
                dst.close()
            if ok != "ok":
                raise CommandError(f"integrity_check: {ok}")
            restored_at = time.perf_counter()
            restored = sqlite_fingerprints(target) if verify else {}
        else:
            result = subprocess.run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
                                     "-d", target, str(source)], capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()[:500]}")
            restored_at = time.perf_counter()
            restored = postgres_fingerprints(target) if verify else {}
        elapsed = restored_at - started
        self.stdout.write(f"restored in {elapsed:.2f}s")
        problems = []
        if verify:
            problems = [f"{t}: manifest {m} restored {restored.get(t)}" for t, m in manifest["tables"].items()
                        if restored.get(t) != m]
            problems += [f"{t}: not in the manifest" for t in restored.keys() - manifest["tables"].keys()]
        if record:
            entry = {"at": timezone.now().isoformat(), "backup": str(source), "backup_created": manifest["created"],
                     "vendor": manifest["vendor"], "restore_seconds": round(elapsed, 3),
                     "verify_seconds": round(time.perf_counter() - restored_at, 3), "verified": verify,
                     "tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values()),
                     "problems": problems[:20]}
            with open(record, "a") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if problems:
            raise CommandError("restore does not match the manifest:\n" + "\n".join(problems[:20]))
        if verify:
            self.stdout.write(self.style.SUCCESS(
                f"verified {len(manifest['tables'])} tables: row counts and checksums match"))
