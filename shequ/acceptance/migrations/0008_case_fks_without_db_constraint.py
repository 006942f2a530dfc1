"""acceptance_case becomes partitioned on PostgreSQL (acceptance 0009): no foreign-key constraint can point into it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('acceptance', '0007_transfers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='acceptance.case'),
        ),
        migrations.AlterField(
            model_name='casematerial',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='acceptance.case'),
        ),
        migrations.AlterField(
            model_name='review',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='acceptance.case'),
        ),
        migrations.AlterField(
            model_name='transfer',
            name='case',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='transfer', to='acceptance.case', verbose_name='办件'),
        ),
    ]
