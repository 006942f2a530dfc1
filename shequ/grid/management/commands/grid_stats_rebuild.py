import datetime as dt

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "从案件重新计算综合评价汇总表（批量导入或修复后使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--since", default="", help="只重算该日期（YYYY-MM-DD）以后的汇总")

    def handle(self, *args, since, **options):
        from shequ.grid.stats import rebuild

        rebuild(since=dt.date.fromisoformat(since) if since else None, stdout=self.stdout)
