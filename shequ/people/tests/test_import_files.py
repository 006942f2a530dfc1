"""Import uploads at rest (issue 10): the request only stores the file — encrypted, mode 0600, outside MEDIA_ROOT —
the task parses it, and the file is gone when the job finishes; `retention_purge` removes what a job left behind."""

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from shequ.core import crypto
from shequ.core.choices import JobStatus, TaskRunStatus
from shequ.core.models import Job, TaskRun
from shequ.core.tasks import run_ready_tasks
from shequ.people.models import Resident

from .test_import_export import GOOD_1, mixed_rows, xlsx


def _post(client, upload):
    response = client.post("/people/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:1000]
    return Job.objects.latest("created_at")


def test_it_stores_the_upload_encrypted_and_private_and_parses_nothing_in_the_request(personas, tree, client_as,
                                                                                      monkeypatch):
    from shequ.core import xlsx_rows

    def no_parse(*a, **k):
        raise AssertionError("the request must not parse the sheet")

    monkeypatch.setattr(xlsx_rows, "rows", no_parse)
    job = _post(client_as(personas["dunhua"]), xlsx(mixed_rows()))
    path = Path(job.file.path)
    assert path.is_file() and Path(settings.SHEQU_PRIVATE_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = path.read_bytes()
    assert not stored.startswith(b"PK") and GOOD_1.encode() not in stored
    assert crypto.decrypt_bytes(stored).startswith(b"PK\x03\x04")
    assert TaskRun.objects.get().status == TaskRunStatus.QUEUED


def test_it_imports_through_the_task_and_deletes_the_file_when_the_job_finishes(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    job = _post(client, xlsx(mixed_rows()))
    path = Path(job.file.path)
    assert run_ready_tasks() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 2 and Resident.objects.count() == 2
    assert not job.file and not path.exists()
    assert not any((Path(settings.SHEQU_PRIVATE_ROOT) / "tmp").glob("*.xlsx"))  # the clear copy is gone too
    assert TaskRun.objects.get().status == TaskRunStatus.SUCCEEDED
    # The row-level error report stays, with nothing but masked digits in it.
    report = client.get(f"/people/import/{job.pk}/errors/")
    assert report.status_code == 200
    assert {e["row"] for e in job.result["errors"]} == {3, 4, 6, 7, 8, 9}


def test_it_masks_digit_runs_quoted_in_the_error_report(personas, tree, client_as):
    rows = [["张三", "110105194912310021", "13800138000", "敦化路1号", "", "", "", "", "", "", "", ""]]
    job = _post(client_as(personas["dunhua"]), xlsx(rows))
    run_ready_tasks()
    job.refresh_from_db()
    text = str(job.result)
    assert "110105194912310021" not in text and "13800138000" not in text


def _age(path: Path, hours: float) -> None:
    old = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (old, old))


def test_retention_purge_removes_what_a_job_left_behind(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    stuck = _post(client, xlsx(mixed_rows()))  # a worker died: the job never finished
    Job.objects.filter(pk=stuck.pk).update(status=JobStatus.RUNNING,
                                           created_at=timezone.now() - dt.timedelta(hours=30))
    fresh = _post(client, xlsx(mixed_rows()))
    private = Path(settings.SHEQU_PRIVATE_ROOT)
    orphan = private / "jobs" / "2020" / "01" / "orphan.bin"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    _age(orphan, 30)
    legacy = Path(settings.MEDIA_ROOT) / "jobs" / "2025" / "11" / "people.resident_import.xlsx"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(b"PK\x03\x04 clear text upload of an older version")
    stuck_path, fresh_path = Path(stuck.file.path), Path(fresh.file.path)

    call_command("retention_purge", stdout=open(os.devnull, "w"))

    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED and "中断" in stuck.error and not stuck.file
    assert not stuck_path.exists() and not orphan.exists() and not legacy.exists()
    fresh.refresh_from_db()
    assert fresh.file and fresh_path.exists()  # within the window: the queued job still needs it


def test_retention_purge_refuses_a_zero_window():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention_purge", "--hours", "0")
