"""The background worker: runs queued tasks (database backend) and ticks the schedule (`shequ.core.schedule`).

`scripts/run-demo` starts one beside the web server. Several workers, on one machine or several sharing the
database, are safe: a task row is claimed under a row lock, a schedule occurrence by a unique insert.
With the RQ backend the queue is run by `manage.py rqworker --with-scheduler default`; run this command with
`--scheduler-only` (on each machine, or one) to feed the schedule into the queue.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from shequ.core.schedule import schedule_tick

logger = logging.getLogger("shequ.tasks")


class ScheduledWorker(Worker):
    """django-tasks-db's worker, with the schedule ticked between tasks at most every `tick` seconds."""

    def __init__(self, *, tick: float, **kwargs):
        super().__init__(**kwargs)
        self.tick = tick
        self.last_tick = 0.0

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        self.maybe_tick()

    def maybe_tick(self) -> None:
        if time.monotonic() - self.last_tick < self.tick:
            return
        self.last_tick = time.monotonic()
        try:
            claimed = schedule_tick(worker=self.worker_id)
        except Exception:  # a broken entry must not stop the queue
            logger.exception("schedule tick failed")
            return
        if claimed:
            logger.info("scheduled %s", ", ".join(claimed))


class Command(BaseCommand):
    help = "运行后台任务（导入、提醒、定时任务）并按计划表触发定时任务。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between schedule checks")
        parser.add_argument("--scheduler-only", action="store_true",
                            help="only feed the schedule into the queue (RQ deployments)")
        parser.add_argument("--once", action="store_true", help="run what is ready and the schedule once, then exit")
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, interval, tick, scheduler_only, once, worker_id, **options):
        logging.getLogger("shequ").setLevel(logging.INFO)
        worker_id = worker_id or get_random_string(16)
        if not scheduler_only:
            from shequ.core.pdf import warm_up_in_background

            warm_up_in_background()  # tasks render PDFs too (settlements, notices)
        if scheduler_only:
            while True:
                close_old_connections()
                try:
                    claimed = schedule_tick(worker=worker_id)
                except Exception:
                    logger.exception("schedule tick failed")
                    claimed = []
                if claimed:
                    self.stdout.write("scheduled " + ", ".join(claimed))
                if once:
                    return
                time.sleep(tick)
        # batch mode drains the ready queue and returns; between drains the schedule is ticked.
        worker = ScheduledWorker(tick=tick, queue_names=["*"], interval=interval, batch=True, backend_name="default",
                                 startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
        if not once:
            worker.configure_signals()
        while worker.running:
            worker.maybe_tick()
            worker.run()
            if once:
                return
            time.sleep(interval)
