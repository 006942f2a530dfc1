"""grid_hotlineorder becomes partitioned on PostgreSQL (grid 0022): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0002_case_fks_without_db_constraint'),
        ('grid', '0022_hotline_fks_without_db_constraint'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agendaitem',
            name='orders',
            field=models.ManyToManyField(blank=True, db_constraint=False, related_name='+', to='grid.hotlineorder', verbose_name='12345工单'),
        ),
        migrations.AlterField(
            model_name='problemlink',
            name='order',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grid.hotlineorder'),
        ),
    ]
