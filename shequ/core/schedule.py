"""Periodic work from one schedule: a registry of cron entries (croniter) that every worker ticks.

Each app registers its entries in its `registry.py`, as it grants capabilities:

    from shequ.core.schedule import periodic
    periodic("acceptance.close_day", "30 18 * * *", command_task, label=_("受理中心日终处理"),
             command="acceptance_close_day")

A tick (every worker's loop, `manage.py run_worker`) computes each entry's latest occurrence at or before now in
Asia/Shanghai time and claims it by inserting a `ScheduledRun(name, due_at)`: the unique constraint lets exactly one
worker, on any machine sharing the database, win each occurrence, and the winner enqueues the task in the same
transaction. An occurrence missed by more than the entry's `catch_up` (a worker that was down) is skipped rather
than run late; reminders get their window as `since`/`due` (the previous and this occurrence), so nothing is
reminded twice and nothing in between is lost while the schedule runs.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from croniter import croniter
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.utils import is_locked_database_exception

from .models import ScheduledRun
from .tasks import ShequTask, shequ_task


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str
    task: ShequTask
    label: str
    catch_up: dt.timedelta = dt.timedelta(hours=1)
    kwargs: dict = field(default_factory=dict)

    def occurrences(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(previous, latest) occurrences at or before `now`."""
        it = croniter(self.cron, timezone.localtime(now))
        latest = it.get_prev(dt.datetime)
        return it.get_prev(dt.datetime), latest

    def next_after(self, now: dt.datetime) -> dt.datetime:
        return croniter(self.cron, timezone.localtime(now)).get_next(dt.datetime)


_ENTRIES: dict[str, Periodic] = {}


def periodic(name: str, cron: str, task: ShequTask, *, label, catch_up_hours: float = 1, **kwargs) -> Periodic:
    """Register (or replace) a periodic entry. `task` is called with `since` and `due` (ISO datetimes) plus
    `kwargs`."""
    if not croniter.is_valid(cron):
        raise ValueError(f"invalid cron expression for {name}: {cron!r}")
    entry = Periodic(name=name, cron=cron, task=task, label=str(label),
                     catch_up=dt.timedelta(hours=catch_up_hours), kwargs=kwargs)
    _ENTRIES[name] = entry
    return entry


def entries() -> list[Periodic]:
    return sorted(_ENTRIES.values(), key=lambda e: e.name)


def schedule_tick(*, now: dt.datetime | None = None, worker: str = "") -> list[str]:
    """Claim and enqueue every entry whose latest occurrence is unclaimed; returns the names this call claimed."""
    now = now or timezone.now()
    claimed = []
    for entry in entries():
        since, due = entry.occurrences(now)
        if now - due > entry.catch_up:
            continue
        try:
            if ScheduledRun.objects.filter(name=entry.name, due_at=due).exists():
                continue  # the common case, without provoking an integrity error
            with transaction.atomic():
                occurrence = ScheduledRun.objects.create(name=entry.name, due_at=due, worker=worker[:64])
                occurrence.run = entry.task.enqueue(schedule=entry.name, since=since.isoformat(),
                                                    due=due.isoformat(), **entry.kwargs)
                occurrence.save(update_fields=["run"])
        except IntegrityError:
            continue  # another worker claimed it first
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            continue  # SQLite: another worker is writing (its claim, most likely); the next tick looks again
        claimed.append(entry.name)
    return claimed


@shequ_task(label=_("定时管理命令"))
def command_task(*, command: str, args: list | None = None, since: str = "", due: str = "") -> str:
    """Run a management command: a scheduled entry does exactly what an operator runs by hand."""
    call_command(command, *(args or []), verbosity=0, stdout=io.StringIO())
    return command
