"""Purge audit rows older than the retention period. 网络安全法 Art. 21 asks for at least six months, so a
retention below 180 days is refused; on PostgreSQL the audit trigger refuses younger deletions anyway."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction

MIN_DAYS = 180


class Command(BaseCommand):
    help = "清理超过保存期的审计日志（保存期不得少于180天）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run, **options):
        if days < MIN_DAYS:
            raise CommandError(f"retention must be at least {MIN_DAYS} days (got {days})")
        cutoff = timezone.now() - dt.timedelta(days=days)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM core_auditlog WHERE at < %s", [cutoff])
            count = cursor.fetchone()[0]
            if not dry_run and count:
                # The ORM refuses deletes on the audit log by design; retention is the single sanctioned path.
                with transaction.atomic():
                    cursor.execute("DELETE FROM core_auditlog WHERE at < %s", [cutoff])
                    audit_record(actor=None, action=AuditAction.DELETE, object_type="core.auditlog",
                                 detail={"purged": count, "cutoff": cutoff.isoformat(), "retention_days": days})
        self.stdout.write(f"{'would purge' if dry_run else 'purged'} {count} audit rows older than {cutoff:%Y-%m-%d}")
