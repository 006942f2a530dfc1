"""Background work on Django's tasks framework (the django-tasks backport of the API Django 6 ships).

A task is a module-level function decorated with `@shequ_task(label=...)`; `some_task.enqueue(*ids)` queues it on
the configured backend (settings.TASKS: the database backend by default, RQ on Redis for several machines). The
framework itself neither retries nor reports, so a `ShequTask` adds both, the same on every backend:

- `enqueue` writes a `TaskRun` (what the operations page lists) and queues the first attempt. With the database
  backend the queue row is written in the caller's transaction (both or neither); with a backend outside the
  database it is queued after commit, so a worker never sees work whose data is not committed yet.
- an attempt that raises is queued again after RETRY_BASE × 4^(attempt-1) seconds (capped at an hour) until
  `max_attempts`; a `DomainError` is a refusal, not an outage, and is never retried.

Arguments must be ids and plain values: the backends store them as JSON, and business data never travels in them.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, Task
from django_tasks_db.backend import DatabaseBackend

from .choices import TaskRunStatus
from .errors import DomainError
from .models import TaskRun

logger = logging.getLogger("shequ.tasks")
MAX_BACKOFF_SECONDS = 3600
_current_run: contextvars.ContextVar[TaskRun | None] = contextvars.ContextVar("shequ_task_run", default=None)
_DIGITS = re.compile(r"\d{6,}[Xx]?")


def backoff_seconds(attempt: int) -> int:
    """The wait before attempt `attempt + 1`: 30 s, 2 min, 8 min, … at most an hour (base from settings)."""
    return min(settings.SHEQU_TASK_RETRY_BASE_SECONDS * 4 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def mask_digits(text: str) -> str:
    """An error message may quote a value; a run of digits (an ID number, a phone) keeps only its ends."""
    return _DIGITS.sub(lambda m: m.group()[:2] + "*" * (len(m.group()) - 4) + m.group()[-2:], text)


def current_run() -> TaskRun | None:
    """The TaskRun of the attempt this code runs in (None outside a task): a handler can tell its last attempt."""
    return _current_run.get()


@dataclass(frozen=True, kw_only=True)
class ShequTask(Task):
    label: str = ""
    max_attempts: int = 0  # 0: settings.SHEQU_TASK_RETRY_MAX_ATTEMPTS

    @property
    def attempts_allowed(self) -> int:
        return self.max_attempts or settings.SHEQU_TASK_RETRY_MAX_ATTEMPTS

    def enqueue(self, *args: Any, schedule: str = "", **kwargs: Any) -> TaskRun:  # type: ignore[override]
        run = TaskRun.objects.create(task=self.module_path, label=str(self.label)[:100], schedule=schedule,
                                     max_attempts=self.attempts_allowed, backend=self.backend,
                                     queue_name=self.queue_name)
        self._queue(self, run, args, kwargs)
        return run

    def _queue(self, task: Task, run: TaskRun, args, kwargs) -> None:
        backend = task.get_backend()

        def send():
            Task.enqueue(task, *args, _run=run.pk, **kwargs)

        if isinstance(backend, DatabaseBackend):
            send()  # same database: the queue row commits or rolls back with the caller's writes
        else:
            transaction.on_commit(send, robust=True)

    def call(self, *args: Any, _run: int | None = None, **kwargs: Any) -> Any:
        if _run is None:  # called directly (a management command, a test): no record, no retry
            return Task.call(self, *args, **kwargs)
        now = timezone.now()
        TaskRun.objects.filter(pk=_run).update(status=TaskRunStatus.RUNNING, started_at=now, next_attempt_at=None)
        run = TaskRun.objects.get(pk=_run)
        run.attempts += 1
        TaskRun.objects.filter(pk=_run).update(attempts=run.attempts)
        token = _current_run.set(run)
        try:
            value = Task.call(self, *args, **kwargs)
        except Exception as exc:
            error = mask_digits(f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")[:2000]
            retry = not isinstance(exc, DomainError) and run.attempts < run.max_attempts
            if retry:
                at = timezone.now() + dt.timedelta(seconds=backoff_seconds(run.attempts))
                TaskRun.objects.filter(pk=_run).update(status=TaskRunStatus.RETRYING, next_attempt_at=at, error=error)
                # A worker may hand us the module-level task, not the copy it was queued with: queue the
                # retry where the first attempt was queued.
                again = self.using(backend=run.backend, queue_name=run.queue_name, run_after=at)
                self._queue(again, run, args, kwargs)
                logger.warning("task %s (run %s) attempt %s failed, retry at %s: %s", self.module_path, _run,
                               run.attempts, at.isoformat(), error)
            else:
                TaskRun.objects.filter(pk=_run).update(status=TaskRunStatus.FAILED, finished_at=timezone.now(),
                                                       error=error)
            raise
        else:
            TaskRun.objects.filter(pk=_run).update(status=TaskRunStatus.SUCCEEDED, finished_at=timezone.now(),
                                                   error="")
            return value
        finally:
            _current_run.reset(token)


def shequ_task(*, label: str, max_attempts: int = 0, queue_name: str = DEFAULT_TASK_QUEUE_NAME,
               backend: str = DEFAULT_TASK_BACKEND_ALIAS):
    """Declare a background task (a module-level function of ids and plain values)."""

    def decorator(fn) -> ShequTask:
        return ShequTask(func=fn, label=label, max_attempts=max_attempts, queue_name=queue_name, backend=backend,
                         priority=0, takes_context=False, run_after=None)

    return decorator


def run_ready_tasks(*, limit: int | None = None, worker_id: str = "inline") -> int:
    """Run the database backend's ready tasks in this process, one after another, with the worker's own claim
    and bookkeeping; returns how many ran. The tests use it to run the queue synchronously (the worker's loop
    would also close the connection between tasks, which a test transaction cannot survive)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                    startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    done = 0
    while limit is None or done < limit:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(worker_id)
        if result is None:
            break
        worker.run_task(result)
        done += 1
    return done
