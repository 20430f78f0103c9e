"""`manage.py evaluate_forecast [--csv FILE --column NAME]`: rolling-origin back-test of the forecaster.

Without `--csv`, FRED's new one-family home sales in analytics/data/ (column HSN1F).

Prints WMAPE for our forecaster, last value and damped Holt, and ends with `RESULT wmape=...`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.ml.datasets import HSN1F_COLUMN, HSN1F_CSV, load_monthly_series
from analytics.ml.evaluation import evaluate_forecast, format_forecast_report


class Command(BaseCommand):
    help = "Rolling-origin back-test (from month 120, horizons 1-3) of the monthly forecaster and two baselines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--csv", type=Path, default=HSN1F_CSV, help="monthly CSV, dates in the first column (default: %(default)s)"
        )
        parser.add_argument("--column", default=HSN1F_COLUMN, help="the series to forecast (default: %(default)s)")

    def handle(self, *args: Any, csv: Path, column: str, **options: Any) -> None:
        try:
            series = load_monthly_series(csv, column)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_forecast_report(f"{csv.name}, column {column}", evaluate_forecast(series)))
