"""Jobs: long imports with progress a page can poll, run as a background task (`shequ.core.tasks`).

The request only stores the upload — encrypted with the field-encryption key, in the private storage
(`STORAGES["private"]`, outside MEDIA_ROOT, shared by the nodes and workers) — and queues `job_execute`; the handler parses the file in the worker, never in the request.
The worker decrypts it into a private temporary file for the parse only. When the job finishes (done, refused,
or failed for good) the stored file is deleted; the row-level error report stays in `Job.result`, digit runs
masked. `retention_purge` removes files a job left behind (a killed worker).

A handler is `fn(job, path) -> dict`, registered with `@job_handler(kind)`. A `DomainError` it raises (a file
without the required columns) fails the job with that message at once; any other error is retried with backoff
and fails the job on the last attempt.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import crypto
from .choices import JobStatus
from .errors import DomainError
from .models import Job
from .tasks import current_run, mask_digits, shequ_task

logger = logging.getLogger("shequ.jobs")
_HANDLERS: dict[str, Callable[[Job, str], dict]] = {}


def recent_jobs(*, user, kind: str, limit: int = 10):
    """The user's own latest jobs of a kind (an import page lists them)."""
    from .models import Job

    return Job.objects.filter(kind=kind, created_by=user)[:limit]


def job_get_own(*, user, pk, kind: str):
    """One of the user's own jobs of a kind; anyone else's (or another kind's) is a 404."""
    from django.shortcuts import get_object_or_404

    from .models import Job

    return get_object_or_404(Job, pk=pk, kind=kind, created_by=user)


def job_handler(kind: str):
    def decorator(fn):
        _HANDLERS[kind] = fn
        return fn

    return decorator


@transaction.atomic
def job_enqueue(*, kind: str, user, file=None, filename: str = "") -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, created_by=user, filename=filename[:200])
    if file is not None:
        file.seek(0)
        job.file.save(f"{kind}.bin", ContentFile(crypto.encrypt_bytes(file.read())), save=False)
    job.save()
    job_execute.enqueue(job.pk)
    return job


@contextlib.contextmanager
def _clear_copy(job: Job):
    """The upload decrypted into a private temporary file (0600) that exists only while the handler reads it."""
    if not job.file:
        yield ""
        return
    with job.file.open("rb") as stored:
        data = crypto.decrypt_bytes(stored.read())
    # Scratch on the worker's own disk for the parse only (the stored file may be on another machine or in S3).
    tmp_dir = Path(settings.SHEQU_PRIVATE_ROOT) / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, path = tempfile.mkstemp(suffix=".xlsx", dir=tmp_dir)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def job_file_delete(job: Job) -> None:
    if job.file:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")


def _masked(result: dict) -> dict:
    errors = result.get("errors")
    if isinstance(errors, list):
        result["errors"] = [{k: mask_digits(v) if isinstance(v, str) else v for k, v in e.items()} for e in errors]
    return result


@shequ_task(label=gettext_lazy("导入任务"))
def job_execute(job_id: int) -> str:
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return "not pending"
    job = Job.objects.select_related("created_by").get(pk=job_id)
    try:
        with _clear_copy(job) as path:
            result = _HANDLERS[job.kind](job, path)
    except DomainError as exc:
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             error=mask_digits(exc.message)[:2000])
        job_file_delete(job)
        return "refused"
    except Exception:
        run = current_run()
        if run is None or run.attempts >= run.max_attempts:
            Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                 error=_("文件无法读取或处理时出错，请检查文件后重新导入。"))
            job_file_delete(job)
        else:
            Job.objects.filter(pk=job_id).update(status=JobStatus.PENDING, processed=0)
        raise
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, finished_at=timezone.now(),
                                         result=_masked(result or {}))
    job_file_delete(job)
    return "done"


def job_progress(job: Job, *, processed: int, total: int | None = None) -> None:
    fields = {"processed": processed}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)
    job.processed = processed
    if total is not None:
        job.total = total
