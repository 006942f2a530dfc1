from django.db import migrations

ENGINEERING = ["C0201", "C0202", "C0208", "C0502", "C0601", "C0603", "E0402"]


def forwards(apps, schema_editor):
    """Existing 小类 get an explicit rework limit (their disposal limit, which rework used to inherit) and the
    engineering flag of the seeded catalogue."""
    Category = apps.get_model("grid", "Category")
    for category in Category.objects.filter(rework_limit_value__isnull=True):
        category.rework_limit_value, category.rework_limit_unit = category.limit_value, category.limit_unit
        category.save(update_fields=["rework_limit_value", "rework_limit_unit"])
    Category.objects.filter(code__in=ENGINEERING).update(is_engineering=True)


class Migration(migrations.Migration):
    dependencies = [("grid", "0013_extension_levels_parking_rework")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
