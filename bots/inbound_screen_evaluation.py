"""Scoring the inbound screen on a labelled corpus: per-class precision and recall, and how many look-alikes pass.

The corpus (tests/screen/corpus.toml) labels each text with the class the bot must answer, the first by the
screen's precedence; `benign` texts must pass. Used by `manage.py evaluate_screen` and tests/screen.
"""
from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bots.inbound_screen import ProtectedClass, ScreenClass, screen

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "screen" / "corpus.toml"
BENIGN = "benign"
# The targets: no opt-out, deletion or Fair Housing request may slip through; look-alikes pass.
FULL_RECALL = (ScreenClass.OPT_OUT, ScreenClass.DELETION, ScreenClass.FAIR_HOUSING)
MIN_BENIGN_PASS_RATE = 0.98


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str  # a ScreenClass value, or "benign"
    protected_class: ProtectedClass | None = None


@dataclass
class Evaluation:
    """Counts per class, and every miss, so a failing run says which texts failed."""

    true_positives: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)
    benign_total: int = 0
    benign_passed: int = 0
    protected_right: int = 0
    protected_total: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (text, expected, got)

    def precision(self, label: str) -> float:
        found = self.true_positives[label] + self.false_positives[label]
        return self.true_positives[label] / found if found else 1.0

    def recall(self, label: str) -> float:
        expected = self.true_positives[label] + self.false_negatives[label]
        return self.true_positives[label] / expected if expected else 1.0

    @property
    def benign_pass_rate(self) -> float:
        return self.benign_passed / self.benign_total if self.benign_total else 1.0

    @property
    def meets_targets(self) -> bool:
        return (all(self.recall(label) == 1.0 for label in FULL_RECALL)
                and self.benign_pass_rate >= MIN_BENIGN_PASS_RATE)


def load_corpus(path: Path = DEFAULT_CORPUS) -> list[LabelledText]:
    with path.open("rb") as file:
        data = tomllib.load(file)
    corpus: list[LabelledText] = []
    for label, section in data.items():
        if label == ScreenClass.FAIR_HOUSING:
            for protected, texts in section.items():
                known = ProtectedClass(protected) if protected in ProtectedClass.__members__.values() else None
                corpus += [LabelledText(text, label, known) for text in texts]
        else:
            corpus += [LabelledText(text, label) for text in section["texts"]]
    return corpus


def evaluate(corpus: list[LabelledText]) -> Evaluation:
    result = Evaluation()
    for item in corpus:
        found = screen(item.text)
        got = found.primary.value if found.primary else BENIGN
        if item.label == BENIGN:
            result.benign_total += 1
            result.benign_passed += got == BENIGN
        if got == item.label:
            if got != BENIGN:
                result.true_positives[got] += 1
        else:
            result.misses.append((item.text, item.label, got))
            if got != BENIGN:
                result.false_positives[got] += 1
            if item.label != BENIGN:
                result.false_negatives[item.label] += 1
        if item.protected_class is not None and got == item.label:
            result.protected_total += 1
            result.protected_right += found.protected_class is item.protected_class
    return result
