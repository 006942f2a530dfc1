"""grid_case becomes partitioned on PostgreSQL (grid 0020): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0019_cohort_summary'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='grid.case', verbose_name='合并到'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='grid.case'),
        ),
        migrations.AlterField(
            model_name='casephoto',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='grid.case'),
        ),
        migrations.AlterField(
            model_name='extensionrequest',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='grid.case'),
        ),
        migrations.AlterField(
            model_name='hotlineorder',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hotline_orders', to='grid.case', verbose_name='网格案件'),
        ),
        migrations.AlterField(
            model_name='parkrequest',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='park_requests', to='grid.case'),
        ),
    ]
