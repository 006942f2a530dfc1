"""grid_case becomes partitioned on PostgreSQL (grid 0020): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0020_case_fks_without_db_constraint'),
        ('helpline', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='call',
            name='grid_case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grid.case', verbose_name='网格案件'),
        ),
    ]
