"""The location's own answers to what leads ask (FaqEntry), and the questions nobody answered yet
(UnansweredQuestion), collected for the broker.

A turn reads the answers through `LocationFacts`, which asks the database only when the lead asked something; the
turn itself writes nothing, and bots.services collects what was left unanswered once the turn is planned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bots.models import FaqEntry, UnansweredQuestion
from bots.nlu.text import STOPWORDS, fold

# Words of a question that say nothing of what it is about ("do you guys do property management?").
_FILLER = frozenset("""
do does did can could would will should is are was what whats what's how who when where why which guys u ya y'all
yall hi hello hey question quick ok okay know tell me also any anything something get got have has had
que como cuando donde cual quien es son hay tiene tienen puede pueden usted ustedes
""".split())
_WORD = re.compile(r"[a-z0-9']+")
QUESTION_CHARS = 300


def question_words(text: str) -> list[str]:
    """The significant words of a question, lower case, without accents or a plural s, sorted and unique."""
    words = {_singular(word.strip("'")) for word in _WORD.findall(fold(text))}
    return sorted(word for word in words if word and word not in STOPWORDS and word not in _FILLER)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


@dataclass
class LocationFacts:
    """A location's FAQ answers, read once per turn and only when a question was asked."""

    location_id: str | None
    _entries: list[FaqEntry] | None = field(default=None, repr=False)

    def answer(self, kind: str, text: str, language: str) -> str | None:
        """The broker's answer to this question: an entry of its kind, else an "other" entry whose keywords it
        holds; the lead's language first. None when the broker has none."""
        entries = self._load()
        asked = set(question_words(text))
        for wanted_language in dict.fromkeys((language, "en", "es")):
            for entry in entries:
                if entry.language != wanted_language:
                    continue
                if entry.kind == kind and kind != "other":
                    return entry.answer
                if entry.kind == "other" and _holds_keywords(asked, entry.keywords):
                    return entry.answer
            # A kind the bots answer themselves keeps the default in the lead's language over a broker's answer
            # in another language.
            if kind != "other":
                return None
        return None

    def _load(self) -> list[FaqEntry]:
        if self._entries is None:
            self._entries = list(FaqEntry.objects.filter(location_id=self.location_id).order_by("id")) \
                if self.location_id else []
        return self._entries


def _holds_keywords(asked: set[str], keywords: str) -> bool:
    phrases = [question_words(phrase) for phrase in keywords.split(",")]
    return any(phrase and set(phrase) <= asked for phrase in phrases)


def collect_unanswered(location_id: str, kind: str, text: str, language: str) -> UnansweredQuestion | None:
    """Count a question no answer covered: a new row the first time, one more asking after that. A question
    that was answered and is asked again without the answer matching is listed again."""
    words = " ".join(question_words(text))[:QUESTION_CHARS]
    if not words:
        return None
    now = timezone.now()
    same = UnansweredQuestion.objects.filter(location_id=location_id, kind=kind, words=words)
    if same.update(times_asked=F("times_asked") + 1, last_asked_at=now, answered_by=None):
        return same.first()
    try:
        # A savepoint: two leads asking at once must not break the turn that loses the race.
        with transaction.atomic():
            return UnansweredQuestion.objects.create(
                location_id=location_id, kind=kind, words=words, question=text.strip()[:QUESTION_CHARS],
                language=language, first_asked_at=now, last_asked_at=now,
            )
    except IntegrityError:
        same.update(times_asked=F("times_asked") + 1, last_asked_at=now, answered_by=None)
        return same.first()


def answer_question(question: UnansweredQuestion, answer: str, keywords: str | None = None) -> FaqEntry:
    """The broker's answer to a collected question: an FAQ entry the next lead who asks gets."""
    with transaction.atomic():
        entry = FaqEntry.objects.create(
            location_id=question.location_id, kind=question.kind, language=question.language, answer=answer.strip(),
            keywords=keywords if keywords is not None else question.words,
        )
        UnansweredQuestion.objects.filter(pk=question.pk).update(answered_by=entry)
    return entry
