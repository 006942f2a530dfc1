"""The table of the shared database cache (settings.CACHES["default"]), so `migrate` alone prepares a database."""

from django.core.management import call_command
from django.db import migrations


def forward(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_idempotency_key")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
