"""The registry tag behind the 慢病 key group (sensitive, like 残疾) and the default coverage targets.

Shanghai reported about 44 % of permanent residents and 84 % of the key groups (elderly, chronic patients) with a
family doctor in 2024; the targets start there and are edited in 系统配置."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    ("all", "45.00", "2024年全市常住人口签约率约44%"),
    ("60+", "80.00", "重点人群签约率（2024年全市约84%）"),
    ("80+", "85.00", "高龄老人优先签约"),
    ("living_alone", "85.00", "独居老人优先签约"),
    ("disabled", "80.00", "残疾人优先签约"),
    ("chronic", "84.00", "慢病患者（2024年全市重点人群约84%）"),
]


def forward(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    Tag.objects.get_or_create(code="chronic", defaults={"name": "慢病", "sensitive": True})
    Target = apps.get_model("health", "CoverageTarget")
    for group, target, note in TARGETS:
        Target.objects.get_or_create(group=group, defaults={"target": Decimal(target), "note": note})


class Migration(migrations.Migration):
    dependencies = [("health", "0001_contracts"), ("people", "0003_resident_pinyin_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
