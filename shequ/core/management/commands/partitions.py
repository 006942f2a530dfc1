"""The history tables partitioned by year (PostgreSQL): list them, create the coming years, detach an old year."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core.partitions import detach_partition, ensure_partitions, partition_report


class Command(BaseCommand):
    help = "按年分区的历史表（PostgreSQL）：列出分区，预建来年分区，或拆下旧年度分区以便归档。"

    def add_arguments(self, parser):
        parser.add_argument("--ensure", action="store_true", help="create the partitions up to next year")
        parser.add_argument("--ahead", type=int, default=1, help="years ahead to create with --ensure")
        parser.add_argument("--since", type=int, metavar="YEAR",
                            help="with --ensure: create the past years from YEAR too, before loading history")
        parser.add_argument("--detach", nargs=2, metavar=("TABLE", "YEAR"), help="detach TABLE's YEAR partition")

    def handle(self, *args, ensure, ahead, since, detach, **options):
        if detach:
            table, year = detach[0], detach[1]
            if not year.isdigit():
                raise CommandError(f"not a year: {year}")
            try:
                name = detach_partition(table, int(year))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if name is None:
                self.stdout.write("not PostgreSQL: nothing is partitioned")
            else:
                self.stdout.write(f"detached {name}: now a plain table, to be dumped (pg_dump -t {name}) and dropped")
            return
        if since is not None and not ensure:
            raise CommandError("--since goes with --ensure")
        if ensure:
            past = range(since, timezone.localdate().year) if since is not None else ()
            for table, years in ensure_partitions(ahead=ahead, years=past).items():
                self.stdout.write(f"{table}: created {', '.join(map(str, years)) or 'nothing (up to date)'}")
        for row in partition_report():
            state = "partitioned" if row["partitioned"] else "not partitioned"
            self.stdout.write(f"{row['table']} by year of {row['column']}: {state}")
            for part in row["partitions"]:
                self.stdout.write(f"  {part['name']:<32} ~{part['rows']:>10} rows  {part['bound']}")
