"""Deal moves from analytics to leads (a GHL opportunity is part of the CRM mirror). State only: the table keeps its
name, `analytics_deal`, and no row is touched. analytics 0003 removes the model from analytics' state after this."""
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_analytics_runs'),
        ('leads', '0008_encrypted_tokens_and_oauth'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Deal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ghl_id', models.CharField(help_text='GHL opportunity id', max_length=64)),
                        ('pipeline_id', models.CharField(max_length=64)),
                        ('pipeline_stage_id', models.CharField(blank=True, max_length=64)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('won', 'Won'), ('lost', 'Lost'), ('abandoned', 'Abandoned')], default='open', max_length=9)),
                        ('value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                        ('assigned_to', models.CharField(blank=True, help_text='GHL user id of the agent', max_length=64)),
                        ('expected_close', models.DateField(blank=True, help_text="When the team expects it to close; empty: the location's usual time", null=True)),
                        ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('closed_at', models.DateTimeField(blank=True, help_text='When it was won, lost or abandoned', null=True)),
                        ('ghl_event_at', models.DateTimeField(blank=True, help_text='Time of the newest GHL event applied', null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='leads.contact')),
                        ('location', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deals', to='leads.location')),
                    ],
                    options={
                        'db_table': 'analytics_deal',
                        'ordering': ['-updated_at'],
                        'indexes': [models.Index(fields=['location', 'status', 'closed_at'], name='deal_location_status_idx')],
                        'constraints': [models.UniqueConstraint(fields=('location', 'ghl_id'), name='deal_unique_ghl_id_per_location')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
