import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shequ.core.jobs import run_pending


class Command(BaseCommand):
    help = "运行排队中的后台任务（导入等）。--loop 持续运行。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep polling for new jobs")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, loop=False, interval=2.0, **options):
        while True:
            close_old_connections()
            done = run_pending()
            if done:
                self.stdout.write(f"ran {done} job(s)")
            if not loop:
                break
            time.sleep(interval)
