"""Delete the stored `Idempotency-Key` answers older than `IDEMPOTENCY_KEY_TTL_HOURS` (run it nightly)."""

from django.core.management.base import BaseCommand

from shequ.core.idempotency import keys_purge


class Command(BaseCommand):
    help = "清理过期的 Idempotency-Key 记录。"

    def handle(self, *args, **options):
        self.stdout.write(f"purged {keys_purge()} idempotency keys")
