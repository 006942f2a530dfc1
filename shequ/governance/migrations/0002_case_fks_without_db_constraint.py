"""grid_case becomes partitioned on PostgreSQL (grid 0020): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0001_initial'),
        ('grid', '0020_case_fks_without_db_constraint'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agendaitem',
            name='cases',
            field=models.ManyToManyField(blank=True, db_constraint=False, related_name='+', to='grid.case', verbose_name='网格案件'),
        ),
        migrations.AlterField(
            model_name='problemlink',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grid.case'),
        ),
    ]
