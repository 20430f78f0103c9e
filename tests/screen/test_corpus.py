"""The labelled corpus (corpus.toml) holds the screen to the issue's targets: every opt-out, deletion and Fair
Housing request caught, at least 98 % of the look-alikes passed."""
from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from bots.inbound_screen import ScreenClass
from bots.inbound_screen_evaluation import FULL_RECALL, MIN_BENIGN_PASS_RATE, evaluate, load_corpus

CORPUS = load_corpus()


def test_the_corpus_is_large_and_covers_every_class() -> None:
    labels = Counter(item.label for item in CORPUS)
    assert sum(count for label, count in labels.items() if label != "benign") >= 400
    assert labels["benign"] >= 400
    assert set(labels) == {*(c.value for c in ScreenClass), "benign"}


def test_no_opt_out_deletion_or_fair_housing_request_slips_through() -> None:
    result = evaluate(CORPUS)
    missed = [miss for miss in result.misses if miss[1] in FULL_RECALL]
    assert missed == []
    assert all(result.recall(label) == 1.0 for label in FULL_RECALL)


def test_the_look_alikes_pass() -> None:
    result = evaluate(CORPUS)
    assert result.benign_pass_rate >= MIN_BENIGN_PASS_RATE, [m for m in result.misses if m[1] == "benign"]


def test_the_fair_housing_requests_name_their_protected_class() -> None:
    result = evaluate(CORPUS)
    assert result.protected_right == result.protected_total > 150


def test_evaluate_screen_prints_per_class_figures_and_a_result_line() -> None:


    from django.core.management import call_command

    out = io.StringIO()
    call_command("evaluate_screen", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("Fair Housing request") for line in lines)
    assert lines[-1].startswith("RESULT texts=") and "targets_met=yes" in lines[-1]


def test_evaluate_screen_fails_when_a_target_is_missed(tmp_path: Path) -> None:
    import pytest
    from django.core.management import call_command

    corpus = tmp_path / "corpus.toml"
    corpus.write_text('[opt_out]\ntexts = ["please make them go quiet, kthx"]\n[benign]\ntexts = ["hello"]\n')
    with pytest.raises(SystemExit):
        call_command("evaluate_screen", corpus=str(corpus), stdout=io.StringIO())
