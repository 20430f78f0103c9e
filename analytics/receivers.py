"""The analytics' answers to other apps' signals (connected in AnalyticsConfig.ready)."""
from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from analytics.models import ChurnPrediction, LeadScore, ScoreOverride
from leads.models import Contact
from leads.privacy import lead_erasing


@receiver(lead_erasing, dispatch_uid="analytics.erase_lead")
def erase_lead(*, contact: Contact, **_: Any) -> dict[str, int]:
    """A lead asked to be deleted: her scores, the broker's override (its reason is free text) and her churn
    prediction go. Her deals stay (the brokerage's revenue history, ids and amounts only)."""
    return {
        "scores": LeadScore.objects.filter(contact=contact).delete()[0]
        + ScoreOverride.objects.filter(contact=contact).delete()[0],
        "churn_predictions": ChurnPrediction.objects.filter(contact=contact).delete()[0],
    }
