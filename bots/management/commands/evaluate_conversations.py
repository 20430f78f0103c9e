"""`manage.py evaluate_conversations`: play the conversation corpus through the bots and print the pass rate per
category, ending with one `RESULT key=value ...` line.

Dry run: the conversations run through the simulator for a practice location with the demo listings, created and
rolled back in one transaction, so nothing stays in the database and nothing reaches GHL.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from bots.workflows.corpus import (
    CORPUS_DIR,
    CorpusMismatch,
    category_of,
    corpus_files,
    load,
    practice_location,
    run_conversation,
)


class Command(BaseCommand):
    help = "Run the conversation corpus through the bots (dry run) and print the pass rate per category."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", default=str(CORPUS_DIR), help="Directory of conversation files (*.yaml)")
        parser.add_argument("--verbose", action="store_true", help="Print why each failing conversation failed")

    def handle(self, *args: Any, **options: Any) -> None:
        files = corpus_files(Path(options["corpus"]))
        passed: Counter[str] = Counter()
        total: Counter[str] = Counter()
        failures: list[str] = []
        with transaction.atomic():
            location = practice_location()
            for path in files:
                category = category_of(path)
                total[category] += 1
                try:
                    run_conversation(load(path), location)
                except CorpusMismatch as mismatch:
                    failures.append(f"{path.name}: {mismatch}")
                    continue
                passed[category] += 1
            transaction.set_rollback(True)
        for category in sorted(total):
            self.stdout.write(f"{category:<16} {passed[category]:>4}/{total[category]:<4} "
                              f"{_percent(passed[category], total[category]):>6.1f} %")
        if options["verbose"]:
            for failure in failures:
                self.stdout.write(f"FAILED {failure}")
        all_passed, all_total = sum(passed.values()), sum(total.values())
        self.stdout.write(f"RESULT conversations={all_total} passed={all_passed} failed={all_total - all_passed} "
                          f"pass_rate={_percent(all_passed, all_total):.1f} categories={len(total)}")


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0
