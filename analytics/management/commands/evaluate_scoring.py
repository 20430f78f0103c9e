"""`manage.py evaluate_scoring [--csv FILE --target COLUMN] [--intake-only]`: cross-validated lead scoring.

Without `--csv`, the public lead export in analytics/data/ (target Converted).

Prints our model's metrics next to the two baselines and ends with one `RESULT ...` line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.ml.datasets import LEADS_CSV, LEADS_TARGET, load_labelled_csv
from analytics.ml.evaluation import cross_validate_scoring, format_scoring_report


class Command(BaseCommand):
    help = "5-fold CV of the lead scorer on a CSV export, next to logistic regression and HistGradientBoosting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, default=LEADS_CSV, help="the lead export (default: %(default)s)")
        parser.add_argument(
            "--target", default=LEADS_TARGET, help="the 0/1 or Yes/No outcome column (default: %(default)s)"
        )
        parser.add_argument(
            "--intake-only",
            action="store_true",
            help="leave out fields the sales team fills in after contact (Tags, Lead Quality, ...)",
        )

    def handle(self, *args: Any, csv: Path, target: str, intake_only: bool, **options: Any) -> None:
        try:
            labelled = load_labelled_csv(csv, target, intake_only=intake_only)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        setting = "intake columns only" if intake_only else "all columns"
        report = format_scoring_report(f"{csv.name}, target {target}, {setting}", cross_validate_scoring(labelled))
        self.stdout.write(report)
