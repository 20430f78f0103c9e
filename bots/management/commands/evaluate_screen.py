"""`manage.py evaluate_screen`: the inbound screen's precision and recall per class on the labelled corpus.

Ends with one line, `RESULT key=value ...`, for scripts and CI; exits with status 1 when a target is missed
(recall 100 % for opt-out, deletion and Fair Housing; at least 98 % of the look-alikes pass).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bots.inbound_screen import ScreenClass, label_of
from bots.inbound_screen_evaluation import DEFAULT_CORPUS, evaluate, load_corpus


class Command(BaseCommand):
    help = "Score the inbound screen on its labelled corpus: precision and recall per class, and the look-alikes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="The labelled corpus (TOML)")
        parser.add_argument("--misses", action="store_true", help="List every text the screen got wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["corpus"])
        if not path.exists():
            raise CommandError(f"No corpus at {path}.")
        corpus = load_corpus(path)
        result = evaluate(corpus)
        self.stdout.write(f"{'class':<26}{'texts':>7}{'precision':>11}{'recall':>9}")
        for screen_class in ScreenClass:
            texts = sum(item.label == screen_class for item in corpus)
            self.stdout.write(f"{label_of(screen_class):<26}{texts:>7}{result.precision(screen_class):>11.1%}"
                              f"{result.recall(screen_class):>9.1%}")
        self.stdout.write(f"look-alikes passed: {result.benign_passed} of {result.benign_total} "
                          f"({result.benign_pass_rate:.1%}); Fair Housing protected class right: "
                          f"{result.protected_right} of {result.protected_total}")
        if options["misses"]:
            for text, expected, got in result.misses:
                self.stdout.write(f"  expected {expected}, got {got}: {text}")
        recall = " ".join(f"recall_{label}={result.recall(label):.3f}" for label in
                          (ScreenClass.OPT_OUT, ScreenClass.DELETION, ScreenClass.FAIR_HOUSING))
        self.stdout.write(f"RESULT texts={len(corpus)} {recall} benign_pass_rate={result.benign_pass_rate:.3f} "
                          f"misses={len(result.misses)} targets_met={'yes' if result.meets_targets else 'no'}")
        if not result.meets_targets:
            raise SystemExit(1)
