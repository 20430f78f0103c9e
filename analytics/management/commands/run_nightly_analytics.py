"""`manage.py run_nightly_analytics`: tonight's rescoring, churn predictions and forecast, now (what the beat's
"nightly-analytics" task runs at 09:00 UTC). Useful right after an install or an import of leads."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.services import run_nightly_analytics


class Command(BaseCommand):
    help = "Rescore every open lead, predict who is going cold and forecast commission, now."

    def handle(self, *args: Any, **options: Any) -> None:
        night = run_nightly_analytics()
        rescored, churn = night.rescored, night.churn
        scorer = f"model v{rescored.model_version}" if rescored.model_version else rescored.source or "nothing"
        self.stdout.write(
            f"rescored {rescored.leads} open leads with the {scorer} in {rescored.seconds:.1f} s "
            f"({rescored.history_rows} score changes, {rescored.contacts_updated} leads updated)\n"
            f"churn: {churn.leads} leads in {churn.seconds:.1f} s, by tier {churn.by_tier}\n"
            f"forecast: {night.forecasts} location-months in {night.forecast_seconds:.1f} s"
        )
