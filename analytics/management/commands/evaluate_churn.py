"""`manage.py evaluate_churn [--csv FILE --target COLUMN]`: cross-validated churn prediction.

Without `--csv`, IBM's public telco churn sample in analytics/data/ (target Churn).

Same trainer and protocol as lead scoring; prints the baselines and ends with one `RESULT ...` line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.ml.datasets import TELCO_CSV, TELCO_TARGET, load_labelled_csv
from analytics.ml.evaluation import cross_validate_scoring, format_scoring_report


class Command(BaseCommand):
    help = "5-fold CV of the churn model on a CSV export, next to logistic regression and HistGradientBoosting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, default=TELCO_CSV, help="the customer export (default: %(default)s)")
        parser.add_argument(
            "--target", default=TELCO_TARGET, help="the Yes/No or 0/1 churn column (default: %(default)s)"
        )

    def handle(self, *args: Any, csv: Path, target: str, **options: Any) -> None:
        try:
            labelled = load_labelled_csv(csv, target)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_scoring_report(f"{csv.name}, target {target}", cross_validate_scoring(labelled)))
