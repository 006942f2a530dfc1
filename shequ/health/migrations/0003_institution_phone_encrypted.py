# The contact phones are encrypted at rest (existing rows included) and shown masked.

import shequ.core.crypto
from django.db import migrations, models

TABLE = "health_institution"


def _rewrite(schema_editor, table: str, forward: bool) -> None:
    """Encrypt the phones kept in clear (and fill their masked form), or decrypt them back, with raw SQL: the
    historical model would try to decrypt a clear value on reading it."""
    from shequ.core.crypto import decrypt, encrypt
    from shequ.core.idcard import mask_phone

    quoted = schema_editor.connection.ops.quote_name(table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone FROM {quoted} WHERE phone <> ''")  # noqa: S608 - a fixed table name
        for pk, value in cursor.fetchall():
            try:
                clear = decrypt(value)
                encrypted = True
            except ValueError:
                clear, encrypted = value, False
            if forward and not encrypted:
                cursor.execute(f"UPDATE {quoted} SET phone = %s, phone_masked = %s WHERE id = %s",  # noqa: S608
                               [encrypt(clear), mask_phone(clear), pk])
            elif not forward and encrypted:
                cursor.execute(f"UPDATE {quoted} SET phone = %s WHERE id = %s", [clear[:32], pk])  # noqa: S608


def encrypt_phones(apps, schema_editor):
    _rewrite(schema_editor, TABLE, True)


def decrypt_phones(apps, schema_editor):
    _rewrite(schema_editor, TABLE, False)


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0002_chronic_tag_and_targets'),
    ]

    operations = [
        migrations.AddField(
            model_name='institution',
            name='phone_masked',
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name='咨询电话'),
        ),
        migrations.AlterField(
            model_name='institution',
            name='phone',
            field=shequ.core.crypto.EncryptedCharField(blank=True, verbose_name='咨询电话'),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
