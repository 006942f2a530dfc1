from decimal import Decimal

from django.db import migrations

# The 街道's starting weights (points of 100 in a department's composite); edited in 系统配置.
DEFAULTS = [("npc", Decimal(10), "人大代表视察评议"), ("ethics", Decimal(10), "行风政风监督员明察暗访"),
            ("team", Decimal(10), "督察队员日常督察")]


def forwards(apps, schema_editor):
    Weight = apps.get_model("evaluators", "EvaluatorWeight")
    for kind, weight, note in DEFAULTS:
        Weight.objects.get_or_create(kind=kind, defaults={"weight": weight, "note": note})


class Migration(migrations.Migration):
    dependencies = [("evaluators", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
