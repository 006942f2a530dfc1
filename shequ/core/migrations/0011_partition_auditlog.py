"""On PostgreSQL the audit log becomes partitioned by year of `at`, converted in place (shequ/core/partitions.py).
Its append-only trigger is kept on the parent and so applies to every partition. Nothing on SQLite."""

from django.db import migrations

from shequ.core.partitions import PartitionByYear


class Migration(migrations.Migration):
    dependencies = [("core", "0010_role_hotline_office")]
    operations = [PartitionByYear("core", "AuditLog", "at")]
