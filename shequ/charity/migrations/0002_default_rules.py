from django.db import migrations

# The usual 救助对象 of a Shanghai charity supermarket; the system administrator edits them in 系统配置.
RULES = [("低保", "dibao", 100, 10), ("特困", "tekun", 150, 20), ("残疾", "disabled", 60, 30),
         ("低收入", "low_income", 60, 40)]


def add(apps, schema_editor):
    Rule = apps.get_model("charity", "EligibilityRule")
    for name, code, points, order in RULES:
        Rule.objects.get_or_create(tag_code=code, defaults={"name": name, "monthly_points": points,
                                                            "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("charity", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
