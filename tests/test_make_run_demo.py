"""`make run`'s demo: after its data commands every open demo lead has a score with reasons, as after a night."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from analytics.models import ChurnPrediction, LeadScore
from jorgebot.devserver import DEMO_DATA_COMMANDS
from leads.models import Contact
from leads.sample_listings import BROKERAGES


@pytest.mark.django_db
def test_the_demo_leads_are_scored_with_reasons_when_make_run_starts(admin_client: Client) -> None:
    for command in DEMO_DATA_COMMANDS:
        call_command(*command, stdout=StringIO())

    from analytics.populations import open_leads

    open_ids = set(open_leads()["contact_id"].tolist())
    demo_ids = set(Contact.objects.filter(location_id__in=[b.id for b in BROKERAGES]).values_list("pk", flat=True))
    assert open_ids and open_ids <= demo_ids
    scored = set(LeadScore.objects.exclude(reasons=[]).values_list("contact_id", flat=True))
    assert open_ids <= scored
    assert set(ChurnPrediction.objects.values_list("contact_id", flat=True)) == open_ids

    page = admin_client.get(f"/admin/leads/contact/{min(open_ids)}/change/").content.decode()
    assert "Not scored yet" not in page
