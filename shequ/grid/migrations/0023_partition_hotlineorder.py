"""On PostgreSQL 12345 orders become partitioned by year of received_at, converted in place
(shequ/core/partitions.py). The platform's order number is unique within each year's partition (a unique
constraint on the parent must contain the partition column); the intake refuses a number already imported in any
year. Nothing on SQLite."""

from django.db import migrations

from shequ.core.partitions import PartitionByYear


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0022_hotline_fks_without_db_constraint"),
        ("governance", "0003_hotline_fks_without_db_constraint"),
    ]
    operations = [PartitionByYear("grid", "HotlineOrder", "received_at", unique_per_year=("order_no",))]
