"""The evaluate_* management commands: thin wrappers that end with one machine-readable RESULT line.

Small generated exports keep these fast; the real files are measured in the other test_ml_* files.
"""
from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.analytics.test_ml_tabular import synthetic_leads


def run(command: str, *arguments: str) -> list[str]:
    out = StringIO()
    call_command(command, *arguments, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.fixture
def lead_export(tmp_path: Path) -> Path:
    leads, converted = synthetic_leads(rows=200)
    path = tmp_path / "leads.csv"
    leads.assign(**{"Lead Number": range(200), "Converted": converted, "Tags": "Ringing"}).to_csv(path, index=False)
    return path


def test_evaluate_scoring_prints_baselines_and_ends_with_result(lead_export: Path) -> None:
    lines = run("evaluate_scoring", "--csv", str(lead_export), "--target", "Converted", "--intake-only")
    assert any(line.startswith("logistic regression") for line in lines)
    assert any(line.startswith("HistGradientBoosting") for line in lines)
    result = r"RESULT accuracy=\d\.\d{4} roc_auc=\d\.\d{4} brier=\d\.\d{4} lift_top_decile=\d+\.\d{2}"
    assert re.fullmatch(result, lines[-1])
    assert sum(line.startswith("RESULT") for line in lines) == 1
    assert "Tags (filled in after contact)" in "\n".join(lines)
    # the reliability table covers every row once, each scored by a model that never saw it
    bands = [line.split() for line in lines if line.startswith("  ") and " to " in line]
    assert bands and sum(int(band[3]) for band in bands) == 200


def test_evaluate_churn_reports_an_unreadable_export_as_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("evaluate_churn", "--csv", str(tmp_path / "absent.csv"), "--target", "Churn")


def test_evaluate_forecast_ends_with_wmape(tmp_path: Path) -> None:
    months = pd.date_range("2010-01-01", periods=126, freq="MS")
    sales = 600 + 40 * np.sin(np.arange(126) / 5)
    path = tmp_path / "sales.csv"
    pd.DataFrame({"observation_date": months, "SALES": sales}).to_csv(path, index=False)
    lines = run("evaluate_forecast", "--csv", str(path), "--column", "SALES")
    assert any(line.startswith("damped Holt") for line in lines)
    assert re.fullmatch(r"RESULT wmape=\d+\.\d{2}", lines[-1])


def test_a_missing_target_column_is_a_command_error(lead_export: Path) -> None:
    with pytest.raises(CommandError, match="no column 'Sold'"):
        run("evaluate_scoring", "--csv", str(lead_export), "--target", "Sold")


@pytest.mark.parametrize("command", ["evaluate_scoring", "evaluate_churn", "evaluate_forecast"])
def test_every_evaluate_command_defaults_to_a_data_set_in_the_repository(command: str) -> None:
    from django.core.management import load_command_class

    defaults = load_command_class("analytics", command).create_parser("manage.py", command).parse_args([])
    assert defaults.csv.is_file()
    assert defaults.csv.parent == Path(__file__).resolve().parents[2] / "analytics" / "data"


def test_evaluate_forecast_with_no_arguments_back_tests_the_public_series() -> None:
    lines = run("evaluate_forecast")
    assert "fred_hsn1f_new_home_sales.csv, column HSN1F" in "\n".join(lines)
    assert re.fullmatch(r"RESULT wmape=7\.\d{2}", lines[-1])
