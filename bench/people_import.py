"""Benchmark: import N residents from Excel (validation, encryption, hashing, audit rows included).

    SQLITE_PATH=var/bench-import.sqlite3 .venv/bin/python bench/people_import.py 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/people_import.py 100000

Builds the tree and a committee worker if missing, writes the file, runs the import job in-process and prints
rows/s; run twice to see a re-import (all rows unchanged).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DEV_SECRETS", "1")
os.environ.setdefault("JOBS_INLINE_THREAD", "0")


def main():
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from shequ.core.choices import Role
    from shequ.core.jobs import job_enqueue, job_run
    from shequ.core.models import Node, User
    from shequ.core.services import user_create
    from shequ.people.excel import IMPORT_KIND

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    profile = "--profile" in sys.argv
    call_command("migrate", verbosity=0)
    if not Node.objects.filter(code="310110015001").exists():
        call_command("seed_demo", verbosity=0)
    user = User.objects.filter(username="bench-importer").first() or user_create(
        actor=None, username="bench-importer", full_name="导入基准", role=Role.COMMITTEE_WORKER,
        password="Qz7#mLp2Wx9!vT", nodes=[Node.objects.get(code="310110015001")], password_is_temporary=False)
    path = Path(f"var/bench-residents-{rows}.xlsx")
    if not path.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "bench/make_resident_xlsx.py", str(path), str(rows), "--offset", "500000"],
                       check=True)
        print(f"wrote {path} in {time.perf_counter() - t:.1f}s")
    with path.open("rb") as fh:
        job = job_enqueue(kind=IMPORT_KIND, user=user, file=File(fh, name=path.name), filename=path.name)
    t = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        cProfile.runctx("job_run(job.pk)", globals(), {"job_run": job_run, "job": job}, "var/import.prof")
        pstats.Stats("var/import.prof").sort_stats("cumulative").print_stats(25)
    else:
        job_run(job.pk)
    elapsed = time.perf_counter() - t
    job.refresh_from_db()
    r = job.result
    print(f"import of {rows} rows: {elapsed:.1f}s ({rows / elapsed:.0f} rows/s) status={job.status} "
          f"created={r.get('created')} updated={r.get('updated')} unchanged={r.get('unchanged')} "
          f"failed={r.get('failed')}")


if __name__ == "__main__":
    main()
