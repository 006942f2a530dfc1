"""grid_hotlineorder becomes partitioned on PostgreSQL (grid 0022): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0021_partition_case'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hotlineevent',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='grid.hotlineorder'),
        ),
        migrations.AlterField(
            model_name='hotlineorder',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_orders', to='grid.hotlineorder', verbose_name='并入工单'),
        ),
        migrations.AlterField(
            model_name='hotlinerequest',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='requests', to='grid.hotlineorder'),
        ),
        migrations.AlterField(
            model_name='hotlinetask',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='grid.hotlineorder'),
        ),
    ]
