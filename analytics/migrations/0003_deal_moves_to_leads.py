"""Deal now lives in leads (leads 0009): drop it from analytics' state only; the table stays as it is."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_analytics_runs'),
        ('leads', '0009_deal_moves_from_analytics'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Deal')],
            database_operations=[],
        ),
    ]
