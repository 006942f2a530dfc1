"""Backup and restore drill: `backup_db` runs while two threads keep writing (residents and grid cases through
the services), then `restore_db --verify` restores it into a scratch database (a new SQLite file / a new
PostgreSQL database) and compares every table's row count and content checksum with the backup's manifest.

What the drill proves, beyond "the manifest matches":
- complete: every write acknowledged before the backup started is in the restored copy;
- consistent: the copy is one transaction-consistent cut (no grid case without its report event and audit row,
  no resident without its audit row), and holds nothing the live database does not;
- usable: `manage.py migrate --check` passes on the restored database, and on PostgreSQL the audit log's
  append-only trigger came back with it.
And that the checks have power: one value changed in a restored copy fails the verification, and so does the
old way of fingerprinting (the live database before the copy) as soon as one row is written in between.
"""

import contextlib
import io
import json
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from .conftest import ServerDB, grid_report, manage, pg_url, scratch_pg

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def restore_target(vendor: str, tmp_path, tag: str = "restore"):
    """(target argument for restore_db, ServerDB to query it)."""
    if vendor == "postgresql":
        with scratch_pg(tag=tag) as name:
            yield pg_url(name), ServerDB("postgresql", name=name)
    else:
        path = str(tmp_path / f"{tag}.sqlite3")
        yield path, ServerDB("sqlite", path=path)


def _writers(grid_env, stop: threading.Event, shared_db) -> tuple[list, threading.Thread]:
    """Two threads writing until `stop`: (kind, pk, acknowledged at) for every committed write."""
    from shequ.core.testing import make_resident

    acknowledged: list = []
    lock = threading.Lock()

    def write(index):
        k = 0
        while not stop.is_set():
            if index == 0:
                pk = make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="备份测试").pk
                kind = "resident"
            else:
                pk = grid_report(grid_env, description=f"备份演练第{k}号问题").pk
                kind = "grid"
            with lock:
                acknowledged.append((kind, pk, time.monotonic()))
            k += 1
            time.sleep(0.005)
        return k

    runner = threading.Thread(target=lambda: shared_db.run_many(write, 2), daemon=True)
    runner.start()
    return acknowledged, runner


def test_it_restores_a_backup_taken_during_writes_exactly_and_completely(grid_env, shared_db, tmp_path, figure):
    from shequ.core.testing import make_resident
    from shequ.grid.models import Case
    from shequ.people.models import Resident

    for i in range(5):
        make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="张阿姨")
        grid_report(grid_env, description=f"备份前第{i}号问题")
    vendor = shared_db.vendor
    backup = tmp_path / ("shequ.sqlite3" if vendor == "sqlite" else "shequ.dump")
    stop = threading.Event()
    shared_db.run(lambda: None)  # the threads' database exists from here on
    acknowledged, runner = _writers(grid_env, stop, shared_db)
    time.sleep(0.5)
    # One more writer holds its transaction open across the whole backup: it must not be in the copy.
    inside, release, in_flight = threading.Event(), threading.Event(), []

    def long_write():
        with transaction.atomic():
            in_flight.append(make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="未提交").pk)
            inside.set()
            release.wait(60)

    holder = threading.Thread(target=shared_db.run, args=(long_write,), daemon=True)
    holder.start()
    assert inside.wait(30)
    began = time.monotonic()
    try:
        shared_db.run(call_command, "backup_db", str(backup), stdout=io.StringIO())
    finally:
        ended = time.monotonic()
        release.set()
        holder.join(60)
    time.sleep(0.2)
    stop.set()
    runner.join(60)
    before = {(kind, pk) for kind, pk, at in acknowledged if at < began}
    during = [a for a in acknowledged if began <= a[2] <= ended]
    assert before, "no write before the backup: the drill did not run under load"

    record = tmp_path / "drills.jsonl"
    with restore_target(vendor, tmp_path) as (target, restored):
        out = io.StringIO()
        shared_db.run(call_command, "restore_db", str(backup), "--target", target, "--verify", "--record",
                      str(record), stdout=out)
        assert "row counts and checksums match" in out.getvalue()
        drill = json.loads(record.read_text().splitlines()[-1])
        figure(f"backup/restore drill ({vendor}): backup_db under writes (s) / restore (s) / verify (s) / rows",
               f"{ended - began:.2f} / {drill['restore_seconds']:.2f} / {drill['verify_seconds']:.2f} / "
               f"{drill['rows']}")
        figure(f"backup/restore drill ({vendor}): writes acknowledged while backup_db ran (besides the one held "
               "open across it)", len(during))

        residents = {pk for (pk,) in restored.query("SELECT id FROM people_resident")}
        cases = {pk for (pk,) in restored.query("SELECT id FROM grid_case")}
        copy = {("resident", pk) for pk in residents} | {("grid", pk) for pk in cases}
        missing = before - copy
        assert not missing, f"acknowledged before the backup began but not in it: {sorted(missing)[:10]}"
        assert in_flight[0] not in residents, "the copy holds a write that was not committed when it was taken"

        reports = {pk for (pk,) in restored.query("SELECT case_id FROM grid_caseevent WHERE action = 'report'")}
        audited = {(t, int(i)) for t, i in restored.query(
            "SELECT object_type, object_id FROM core_auditlog WHERE action = 'create' "
            "AND object_type IN ('grid.case', 'people.resident')")}
        assert all(pk in reports and ("grid.case", pk) in audited for pk in cases), "a half-written case"
        assert all(("people.resident", pk) in audited for pk in residents), "a resident without its audit row"
        live = shared_db.run(lambda: (set(Resident.objects.values_list("pk", flat=True)),
                                      set(Case.objects.values_list("pk", flat=True))))
        assert residents <= live[0] and cases <= live[1], "the copy holds rows the live database never had"
        assert in_flight[0] in live[0]

        manage("migrate", "--check", env=restored.env)
        if vendor == "postgresql":
            with pytest.raises(Exception, match="append-only"):
                restored.query("UPDATE core_auditlog SET object_id = 'x'")


def test_it_fails_the_verification_of_a_copy_that_differs_in_one_value(grid_env, shared_db, tmp_path):
    from shequ.core.backup import postgres_fingerprints, sqlite_fingerprints, table_fingerprints
    from shequ.core.testing import make_resident

    resident = make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="张阿姨")
    vendor = shared_db.vendor
    backup = tmp_path / ("shequ.sqlite3" if vendor == "sqlite" else "shequ.dump")
    fingerprint = sqlite_fingerprints if vendor == "sqlite" else postgres_fingerprints
    shared_db.run(call_command, "backup_db", str(backup), stdout=io.StringIO())
    manifest = json.loads((tmp_path / f"{backup.name}.manifest.json").read_text())["tables"]

    with restore_target(vendor, tmp_path, "tampered") as (target, restored):
        shared_db.run(call_command, "restore_db", str(backup), "--target", target, "--verify", stdout=io.StringIO())
        restored.query("UPDATE people_resident SET address = %s WHERE id = %s", ["改过的地址", resident.pk])
        changed = {t for t, f in fingerprint(target).items() if manifest.get(t) != f}
        assert changed == {"people_resident"}, changed

    # The former way: fingerprints of the live database, then the copy. One write in between and the restored
    # copy no longer matches (a drill that fails on every busy day, or that has to tolerate differences).
    early = shared_db.run(lambda: table_fingerprints(connection))
    shared_db.run(lambda: make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="李先生"))
    shared_db.run(call_command, "backup_db", str(backup), stdout=io.StringIO())
    with restore_target(vendor, tmp_path, "former") as (target, _restored):
        shared_db.run(call_command, "restore_db", str(backup), "--target", target, stdout=io.StringIO())
        assert {t for t, f in fingerprint(target).items() if early.get(t) != f} >= {"people_resident"}


def test_it_refuses_a_backup_whose_restore_does_not_match_its_manifest(grid_env, shared_db, tmp_path):
    """The command itself fails loudly: a manifest that does not describe the backup (here: one row more)."""
    from shequ.core.testing import make_resident

    make_resident(grid_env["dunhua"], grid_env["node_dunhua"], name="张阿姨")
    vendor = shared_db.vendor
    backup = tmp_path / ("shequ.sqlite3" if vendor == "sqlite" else "shequ.dump")
    shared_db.run(call_command, "backup_db", str(backup), stdout=io.StringIO())
    manifest_path = tmp_path / f"{backup.name}.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["people_resident"]["rows"] += 1
    manifest_path.write_text(json.dumps(manifest))
    with restore_target(vendor, tmp_path) as (target, _restored):
        with pytest.raises(CommandError, match="people_resident"):
            shared_db.run(call_command, "restore_db", str(backup), "--target", target, "--verify",
                          stdout=io.StringIO())


def test_it_keeps_only_the_backups_of_the_retention_period(shared_db, tmp_path, tree):
    import os

    folder = tmp_path / "backups"
    folder.mkdir()
    ext = "sqlite3" if shared_db.vendor == "sqlite" else "dump"
    old = folder / f"shequ-20200101-010000.{ext}"
    recent = folder / f"shequ-20260101-010000.{ext}"
    unrelated = folder / "notes.txt"
    for path in (old, recent, unrelated):
        path.write_text("x")
        (folder / f"{path.name}.manifest.json").write_text("{}")
    now = time.time()
    os.utime(old, (now - 40 * 86400, now - 40 * 86400))
    os.utime(unrelated, (now - 400 * 86400, now - 400 * 86400))
    target = folder / f"shequ-20261127-120000.{ext}"
    shared_db.run(call_command, "backup_db", str(target), "--keep-days", "30", stdout=io.StringIO())
    names = {p.name for p in folder.iterdir()}
    assert old.name not in names and f"{old.name}.manifest.json" not in names
    assert {recent.name, unrelated.name, target.name, f"{target.name}.manifest.json"} <= names
