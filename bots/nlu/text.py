"""Text plumbing shared by the extractors: offset-keeping folding, curated phrase tables, negation, number words."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Label = TypeVar("Label")

_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": "-", "\u00a0": " ", "\u00bf": " ", "\u00a1": " "})


def fold(message: str) -> str:
    """Lower-case, accent-free, straight-quoted copy of `message`, character for character.

    Every extractor matches against the folded text (so "más" is "mas" and "Sí" is "si") and slices the
    original with the same offsets when it needs the lead's own spelling (an address, a city).
    """
    message = message.translate(_TYPOGRAPHY)
    if message.isascii():
        return message.lower()
    folded = []
    for char in message:
        lowered = char.lower()
        # A few characters lower-case to two ("İ"); keeping them whole is what keeps the offsets aligned.
        base = unicodedata.normalize("NFKD", lowered)[:1] if len(lowered) == 1 else char
        folded.append(base or char)
    return "".join(folded)


def blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans replaced by spaces, so a later extractor cannot read them twice."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@dataclass(frozen=True)
class Hit(Generic[Label]):
    label: Label
    start: int
    end: int


# "don't want to sell", "not pre-approved", "no quiero vender": up to two words between the negation and the phrase.
_NEGATION = re.compile(
    r"\b(?:not|no|never|don'?t|do not|doesn'?t|does not|didn'?t|did not|won'?t|wouldn'?t|isn'?t|aren'?t|"
    r"wasn'?t|can'?t|cannot|no longer|without|nunca|tampoco|ni)\s+(?:[\w'-]+\s+){0,2}$"
)


def is_negated(text: str, start: int) -> bool:
    return _NEGATION.search(text, max(0, start - 40), start) is not None


class PhraseTable(Generic[Label]):
    """Curated phrases (regular expressions) per label, compiled once into one alternation.

    Labels are tried in the order given at each position, and the leftmost match wins, so a longer,
    more specific phrase ("needs a new roof") listed first shadows a shorter one inside it ("new roof").
    """

    def __init__(self, phrases: Mapping[Label, Sequence[str]], *, skip_negated: bool = False) -> None:
        self._labels: dict[str, Label] = {}
        groups = []
        for index, (label, patterns) in enumerate(phrases.items()):
            self._labels[f"g{index}"] = label
            groups.append(f"(?P<g{index}>{'|'.join(patterns)})")
        self._regex = re.compile(r"(?<![\w'])(?:" + "|".join(groups) + r")(?![\w'])")
        self._skip_negated = skip_negated

    def hits(self, text: str) -> list[Hit[Label]]:
        found = []
        for match in self._regex.finditer(text):
            if self._skip_negated and is_negated(text, match.start()):
                continue
            assert match.lastgroup is not None
            found.append(Hit(self._labels[match.lastgroup], match.start(), match.end()))
        return found

    def first(self, text: str) -> Hit[Label] | None:
        hits = self.hits(text)
        return hits[0] if hits else None

    def labels(self, text: str) -> list[Label]:
        """Distinct labels found, in the order they first appear in the text."""
        return list(dict.fromkeys(hit.label for hit in self.hits(text)))


NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2,
    "a few": 3, "few": 3, "several": 4, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "unos": 3, "unas": 3,
}
# Longest first, so "a couple of" wins over "a".
NUMBER_WORD_PATTERN = "|".join(sorted((re.escape(word) for word in NUMBER_WORDS), key=len, reverse=True))


def number_value(token: str) -> float | None:
    """"3", "2.5", "three", "a couple of" as a number; None for anything else."""
    token = token.strip()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    try:
        return float(token)
    except ValueError:
        return None


# Words that end a place name ("moving to Austin for work", "123 Main St, Fontana we're"), or that a place name
# never starts with ("moving to a smaller place", "moving to be closer").
STOPWORDS = frozenset("""
a an the and or but so for to of in on at by with from as is are was were be been am it its it's this that these
those there then than i i'm im me my we we're our us you your he she they their his her them who what when
where why how which if because since soon next asap after before while until till now later just also too very
really still yet about around near into out up down over back off all any some another other more most less only
not no yes yeah ok okay please thanks thank hopefully probably maybe sometime month months year years week weeks day
days quickly fast quick y o pero porque para por en el la los las un una de del con que mi mis su sus nuestra nuestro
""".split())
