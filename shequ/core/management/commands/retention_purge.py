"""Remove what background work left behind past its retention window.

- Import uploads: a job deletes its (encrypted) file when it finishes; a file still stored after
  IMPORT_FILE_RETENTION_HOURS (a worker killed mid-import) is deleted and its job marked failed, as is any file in
  private storage (`STORAGES["private"]`, through the storage API) that no job refers to, and any decrypted
  temporary copy on this machine. Files an older version of Shequ kept in clear under the media storage's jobs/
  are deleted whatever their age.
- The operations records: task runs, schedule claims and the database backend's finished task rows older than
  --days (default 90).
"""

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import JobStatus, TaskRunStatus
from shequ.core.jobs import job_file_delete
from shequ.core.models import Job, ScheduledRun, TaskRun, private_storage


def _old_files(root: Path, cutoff: float):
    """Files of a node-local directory (the workers' decrypted scratch copies) last modified before `cutoff`."""
    if not root.exists():
        return
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.stat().st_mtime < cutoff:
                yield path


def _stored_files(storage, root: str):
    """Names of every file under `root` in a storage, through the storage API (a shared path or a bucket)."""
    try:
        dirs, files = storage.listdir(root)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{root}/{name}"
    for name in dirs:
        yield from _stored_files(storage, f"{root}/{name}")


class Command(BaseCommand):
    help = "清理后台任务遗留的导入文件（超过保存期）和过期的任务运行记录。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None,
                            help="import files older than this (default IMPORT_FILE_RETENTION_HOURS)")
        parser.add_argument("--days", type=int, default=90, help="task records older than this")

    def handle(self, *args, hours=None, days=90, **options):
        hours = settings.SHEQU_IMPORT_FILE_RETENTION_HOURS if hours is None else hours
        if hours < 1 or days < 1:
            raise CommandError("--hours and --days must be at least 1")
        now = timezone.now()
        cutoff = now - dt.timedelta(hours=hours)
        files = 0
        for job in Job.objects.exclude(file="").filter(created_at__lt=cutoff):
            if not job.is_finished:
                Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=now,
                                                     error=_("导入中断（处理超时），请重新导入。"))
            job_file_delete(job)
            files += 1
        private = private_storage()
        kept = set(Job.objects.exclude(file="").values_list("file", flat=True))
        for name in list(_stored_files(private, "jobs")):
            if name not in kept and private.get_modified_time(name) < cutoff:
                private.delete(name)
                files += 1
        for path in _old_files(Path(settings.SHEQU_PRIVATE_ROOT) / "tmp", time.time() - 3600):
            path.unlink()
            files += 1
        for name in list(_stored_files(default_storage, "jobs")):
            default_storage.delete(name)
            files += 1
        record_cutoff = now - dt.timedelta(days=days)
        finished = [TaskRunStatus.SUCCEEDED, TaskRunStatus.FAILED]
        ScheduledRun.objects.filter(due_at__lt=record_cutoff).delete()
        runs, _n = TaskRun.objects.filter(status__in=finished, enqueued_at__lt=record_cutoff).delete()
        from django_tasks_db.models import DBTaskResult

        results, _n = DBTaskResult.objects.finished().filter(finished_at__lt=record_cutoff).delete()
        self.stdout.write(f"removed {files} import files, {runs} task runs, {results} task results")
