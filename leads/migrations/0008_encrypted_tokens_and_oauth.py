"""GHL tokens encrypted at rest (leads.fields), and what the marketplace app's OAuth install keeps."""
from django.db import migrations, models

import leads.fields


def encrypt_stored_tokens(apps, schema_editor):
    # Between the two AlterFields the column is a plain TextField in the migration state: values go in as written.
    from leads.encryption import encrypt, is_encrypted

    Location = apps.get_model("leads", "Location")
    for location_id, token in Location.objects.exclude(api_token="").values_list("id", "api_token"):
        if not is_encrypted(token):
            Location.objects.filter(id=location_id).update(api_token=encrypt(token))


def decrypt_stored_tokens(apps, schema_editor):
    from leads.encryption import decrypt

    Location = apps.get_model("leads", "Location")
    for location_id, token in Location.objects.exclude(api_token="").values_list("id", "api_token"):
        Location.objects.filter(id=location_id).update(api_token=decrypt(token, what=f"the token of {location_id}"))


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0007_retry_budget_and_parking'),
    ]

    operations = [
        # A sealed token is longer than the 500 characters the plain one had.
        migrations.AlterField(
            model_name='location',
            name='api_token',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_stored_tokens, decrypt_stored_tokens),
        migrations.AlterField(
            model_name='location',
            name='api_token',
            field=leads.fields.EncryptedTextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='location',
            name='token_source',
            field=models.CharField(
                choices=[('private_integration', 'Private Integration token'),
                         ('marketplace_app', 'Marketplace app (OAuth)')],
                default='private_integration', editable=False, max_length=20,
            ),
        ),
        migrations.AddField(
            model_name='location',
            name='refresh_token',
            field=leads.fields.EncryptedTextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='location',
            name='token_expires_at',
            field=models.DateTimeField(
                blank=True, editable=False, help_text="When the marketplace app's access token expires", null=True
            ),
        ),
        migrations.AddField(
            model_name='location',
            name='reconnect_needed_since',
            field=models.DateTimeField(
                blank=True, editable=False,
                help_text="GHL refused to renew the marketplace app's access: install the app again for this location",
                null=True,
            ),
        ),
    ]
