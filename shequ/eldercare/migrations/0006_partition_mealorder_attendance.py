"""On PostgreSQL meal orders (by their meal date) and day-care attendance (by its date) become partitioned by year,
converted in place (shequ/core/partitions.py). No foreign key points into either. Their unique rules contain the
date — one active order per resident, date and meal; one attendance per enrolment and date — so they stay on the
parent and hold across partitions. Nothing on SQLite."""

from django.db import migrations

from shequ.core.partitions import PartitionByYear


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0005_order_index_with_amounts")]
    operations = [
        PartitionByYear("eldercare", "MealOrder", "date"),
        PartitionByYear("eldercare", "Attendance", "date"),
    ]
