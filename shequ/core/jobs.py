"""Background jobs (long imports) with progress a page can poll.

A job runs in a thread of the web process as soon as its transaction commits, or in a separate worker
(`manage.py run_jobs`) when JOBS_INLINE_THREAD is off. A job is claimed by an atomic status change, so two
runners never process the same job.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from .choices import JobStatus
from .models import Job

logger = logging.getLogger("shequ.jobs")
_HANDLERS: dict[str, Callable[[Job], dict]] = {}


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
        job.file.save(f"{kind}.xlsx", file, save=False)
    job.save()
    if settings.SHEQU_JOBS_INLINE_THREAD:
        transaction.on_commit(lambda: threading.Thread(target=_thread_main, args=(job.pk,), daemon=True).start())
    return job


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        job_run(job_id)
    finally:
        connection.close()


def job_run(job_id: int) -> Job | None:
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        result = _HANDLERS[job.kind](job)
    except Exception as exc:  # a failed job is reported on its page, never a crashed worker
        logger.error("job %s failed: %s\n%s", job_id, exc, traceback.format_exc())
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             error=str(exc)[:2000])
    else:
        Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, finished_at=timezone.now(), result=result or {})
    job.refresh_from_db()
    return job


def job_progress(job: Job, *, processed: int, total: int | None = None) -> None:
    fields = {"processed": processed}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)
    job.processed = processed
    if total is not None:
        job.total = total


def run_pending(limit: int | None = None) -> int:
    done = 0
    for job_id in Job.objects.filter(status=JobStatus.PENDING).order_by("created_at").values_list("pk", flat=True):
        if job_run(job_id) is not None:
            done += 1
        if limit and done >= limit:
            break
    return done
