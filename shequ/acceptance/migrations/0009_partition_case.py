"""On PostgreSQL acceptance cases (办件) become partitioned by year of received_at, converted in place
(shequ/core/partitions.py). The case number is unique within each year's partition (a unique constraint on the
parent must contain the partition column); the number carries its intake date, so it stays unique overall.
Nothing on SQLite."""

from django.db import migrations

from shequ.core.partitions import PartitionByYear


class Migration(migrations.Migration):
    dependencies = [("acceptance", "0008_case_fks_without_db_constraint")]
    operations = [PartitionByYear("acceptance", "Case", "received_at", unique_per_year=("number",))]
