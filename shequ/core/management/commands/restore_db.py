"""Restore a backup made by `backup_db` into a database and verify it against the backup's manifest.

SQLite: copies the backup into the target file with the backup API. PostgreSQL: pg_restore into the target
database (which must exist and be empty) in one transaction. `--verify` compares row counts and checksums of
every table with the manifest and fails loudly on any difference.
"""

import json
import sqlite3
import subprocess
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.core.backup import table_fingerprints


class Command(BaseCommand):
    help = "从 backup_db 的备份恢复数据库，并按清单核对每张表的行数与校验和。"

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--target", required=True,
                            help="SQLite file path, or a PostgreSQL URL postgres://user@host:port/dbname")
        parser.add_argument("--verify", action="store_true")

    def handle(self, *args, backup, target, verify, **options):
        source = Path(backup)
        manifest_path = Path(f"{backup}.manifest.json")
        if not source.exists() or not manifest_path.exists():
            raise CommandError("backup or its manifest not found")
        manifest = json.loads(manifest_path.read_text())
        started = time.perf_counter()
        if manifest["vendor"] == "sqlite":
            src = sqlite3.connect(str(source))
            dst = sqlite3.connect(target)
            with dst:
                src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            src.close()
            dst.close()
            if ok != "ok":
                raise CommandError(f"integrity_check: {ok}")
            restored = _fingerprints_sqlite(target)
        else:
            result = subprocess.run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
                                     "-d", target, str(source)], capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()[:500]}")
            restored = _fingerprints_postgres(target)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"restored {len(restored)} tables in {elapsed:.2f}s")
        if verify:
            problems = [f"{t}: manifest {m} restored {restored.get(t)}" for t, m in manifest["tables"].items()
                        if restored.get(t) != m]
            if problems:
                raise CommandError("restore does not match the manifest:\n" + "\n".join(problems[:20]))
            self.stdout.write(self.style.SUCCESS(f"verified {len(manifest['tables'])} tables: counts and checksums match"))


def _fingerprints_sqlite(path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper({"NAME": path, "ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}, "TIME_ZONE": None,
                               "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False,
                               "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}})
    try:
        return table_fingerprints(wrapper)
    finally:
        wrapper.close()


def _fingerprints_postgres(url):
    import dj_database_url
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings = dj_database_url.parse(url)
    settings.update({"OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                     "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {}})
    wrapper = DatabaseWrapper(settings)
    try:
        return table_fingerprints(wrapper)
    finally:
        wrapper.close()
