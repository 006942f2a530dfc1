"""grid_case becomes partitioned on PostgreSQL (grid 0020): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0020_case_fks_without_db_constraint'),
        ('portal', '0003_renewal_requests'),
    ]

    operations = [
        migrations.AlterField(
            model_name='report',
            name='case',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='portal_report', to='grid.case'),
        ),
    ]
