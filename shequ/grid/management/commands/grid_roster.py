from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core.errors import DomainError


class Command(BaseCommand):
    help = "按四班三运转轮转序列生成某月排班（默认本月和下月）。"

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="*", help="YYYY-MM")

    def handle(self, *args, month, **options):
        from shequ.grid.services import roster_generate

        today = timezone.localdate()
        months = month or [f"{today:%Y-%m}", f"{(today.replace(day=28) + timezone.timedelta(days=4)):%Y-%m}"]
        for value in months:
            try:
                year, mon = (int(p) for p in value.split("-"))
                count = roster_generate(actor=None, year=year, month=mon)
            except (ValueError, DomainError) as exc:
                raise CommandError(f"{value}: {getattr(exc, 'message', exc)}")
            self.stdout.write(f"{value}: {count} 条")
