"""On PostgreSQL grid cases become partitioned by year of reported_at, converted in place
(shequ/core/partitions.py). The case number and the Open311 token are unique within each year's partition: a
unique constraint on the parent must contain the partition column. Nothing on SQLite."""

from django.db import migrations

from shequ.core.partitions import PartitionByYear


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0020_case_fks_without_db_constraint"),
        ("governance", "0002_case_fks_without_db_constraint"),
        ("helpline", "0002_case_fks_without_db_constraint"),
        ("portal", "0004_case_fks_without_db_constraint"),
    ]
    operations = [PartitionByYear("grid", "Case", "reported_at", unique_per_year=("number", "open311_token"))]
