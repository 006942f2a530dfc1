"""The nodes filled by 0004 become required (a separate migration: PostgreSQL refuses to alter a table with
the filling's deferred constraint checks still pending in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grid', '0004_roster_patrol_inspection_node'),
    ]

    operations = [
        migrations.AlterField(
            model_name='dutyteam', name='node',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.node',
                                    verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AlterField(
            model_name='teammember', name='node',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.node',
                                    verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AlterField(
            model_name='patrollog', name='node',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.node',
                                    verbose_name='所属街道', limit_choices_to={'kind': 'subdistrict'})),
        migrations.AlterField(
            model_name='inspection', name='node',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.node',
                                    verbose_name='辖区')),
    ]
