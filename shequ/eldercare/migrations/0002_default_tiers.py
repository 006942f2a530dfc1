from django.db import migrations

from shequ.eldercare.tiers import ensure_default_tiers


def forwards(apps, schema_editor):
    ensure_default_tiers(apps.get_model("eldercare", "MealTier"))


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
