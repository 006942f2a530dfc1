"""Mark the catalogue's situation-only materials (情形材料): until now they were plain optional materials, listed
in every one-time notice and ticked by clerks who never received them."""

from django.db import migrations

# material name → the situation it belongs to (the question asked at intake)
CONDITIONS = {
    "投靠亲属居住的亲属关系证明": "投靠亲属居住",
    "代领人身份证件及授权委托书（代领时）": "委托他人代领",
}


def mark(apps, schema_editor):
    ItemMaterial = apps.get_model("acceptance", "ItemMaterial")
    for name, condition in CONDITIONS.items():
        ItemMaterial.objects.filter(name=name, condition="").update(condition=condition)


def unmark(apps, schema_editor):
    ItemMaterial = apps.get_model("acceptance", "ItemMaterial")
    for name, condition in CONDITIONS.items():
        ItemMaterial.objects.filter(name=name, condition=condition).update(condition="")


class Migration(migrations.Migration):

    dependencies = [("acceptance", "0005_case_rules")]

    operations = [migrations.RunPython(mark, unmark)]
