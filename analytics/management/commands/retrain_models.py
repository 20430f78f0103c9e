"""`manage.py retrain_models`: train the scoring and churn models now, as the beat's weekly "retrain-models" does,
and print how each did on the newer leads it was tested on."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.services import retrain_models


class Command(BaseCommand):
    help = "Train new scoring and churn models when there is enough to learn from; each replaces the prior if better."

    def handle(self, *args: Any, **options: Any) -> None:
        trained = retrain_models()
        if not trained:
            self.stdout.write("nothing trained: too few outcomes, or too few new ones since the last model")
        for model in trained:
            prior = "not measured" if model.prior_roc_auc is None else f"{model.prior_roc_auc:.3f}"
            self.stdout.write(
                f"{model}: trained on {model.training_rows} leads, tested on {model.test_rows} newer ones: "
                f"accuracy {model.accuracy:.3f}, ROC-AUC {model.roc_auc:.3f} (prior {prior}), "
                f"Brier {model.brier:.3f}, lift in the top 10 % {model.lift_top_decile:.2f}; {model.note}"
            )
