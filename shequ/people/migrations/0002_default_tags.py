from django.db import migrations


def forward(apps, schema_editor):
    from shequ.people.choices import DEFAULT_TAGS

    Tag = apps.get_model("people", "Tag")
    for code, name, sensitive in DEFAULT_TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": str(name), "sensitive": sensitive})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
