"""The agency's minutes PDF password is kept encrypted: the column becomes text (a Fernet
token is longer than the password) and every password already set is encrypted in place."""

import config.field_encryption
from django.db import migrations

SELECT = "SELECT id, minutes_pdf_password FROM agencies_agency WHERE minutes_pdf_password <> ''"
UPDATE = "UPDATE agencies_agency SET minutes_pdf_password = %s WHERE id = %s"


def passwords_encrypt(apps, schema_editor):  # noqa: ANN001, ANN201
    _rewrite(schema_editor, config.field_encryption.field_encrypt)


def passwords_decrypt(apps, schema_editor):  # noqa: ANN001, ANN201
    _rewrite(schema_editor, config.field_encryption.field_decrypt)


def _rewrite(schema_editor, change):  # noqa: ANN001, ANN202
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SELECT)
        rows = cursor.fetchall()
        for pk, value in rows:
            cursor.execute(UPDATE, [change(value), pk])


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0004_agency_audit_contact_audit_user_audit'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agency',
            name='minutes_pdf_password',
            field=config.field_encryption.EncryptedCharField(blank=True, help_text="Minutes to this agency's addresses outside the secure domains go as a PDF encrypted with this password (AES-256). Give it to the agency another way, never by email, and record how below.", max_length=128, verbose_name='Password for encrypted minutes'),
        ),
        migrations.RunPython(passwords_encrypt, passwords_decrypt),
    ]
