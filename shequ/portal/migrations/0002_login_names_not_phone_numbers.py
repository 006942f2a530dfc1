"""Resident logins named by their mobile number are renamed to the number's keyed hash (`core.logins`), and the
lockout bookkeeping of django-axes forgets the numbers it recorded (its rows expire anyway; a renamed count would
not match the new name)."""

from django.db import migrations

from shequ.core.idcard import looks_like_phone, mask_phone
from shequ.core.logins import login_name


def forwards(apps, schema_editor):
    User = apps.get_model("core", "User")
    for user in User.objects.filter(role="resident").only("pk", "username", "full_name"):
        if looks_like_phone(user.username):
            User.objects.filter(pk=user.pk).update(username=login_name(user.username),
                                                   full_name=user.full_name or mask_phone(user.username))
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        try:
            model = apps.get_model("axes", name)
        except LookupError:
            continue
        for row in model.objects.exclude(username=None).only("pk", "username"):
            if looks_like_phone(row.username):
                model.objects.filter(pk=row.pk).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
