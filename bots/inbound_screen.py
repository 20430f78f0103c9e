"""The inbound screen: which legal or conversational request a lead's text makes, decided before anything reads it.

Deterministic and fast (regular expressions compiled once, from bots/data/inbound_screen.toml, the phrase families
a broker and a lawyer can read). `screen` returns every class the text hits, with the family that matched and, for
Fair Housing, the protected class; `ScreenResult.primary` is the one the bot answers, by the data file's precedence
(opt-out and deletion first). What each class does is bots.screening's business.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from bots.nlu.text import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "inbound_screen.toml"


class ScreenClass(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    DELETION = "deletion"
    FAIR_HOUSING = "fair_housing"
    RESPA = "respa"
    CONSENT_DISPUTE = "consent_dispute"
    COMPLAINT = "complaint"
    PERSON_REQUEST = "person_request"
    BOT_QUESTION = "bot_question"


class ProtectedClass(StrEnum):
    """The Fair Housing Act's protected classes, with age and source of income (California, and many cities)."""

    RACE = "race"
    COLOUR = "colour"
    NATIONAL_ORIGIN = "national_origin"
    RELIGION = "religion"
    SEX = "sex"
    SEXUAL_ORIENTATION = "sexual_orientation"
    FAMILIAL_STATUS = "familial_status"
    DISABILITY = "disability"
    AGE = "age"
    SOURCE_OF_INCOME = "source_of_income"


@dataclass(frozen=True)
class ScreenHit:
    """One class found in a text: the phrase family that matched and where (offsets in the text)."""

    screen_class: ScreenClass
    family: str
    protected_class: ProtectedClass | None
    start: int
    end: int
    # The language of the matched words ("es" for "no me escriban"); None when they do not tell.
    language: str | None = None


@dataclass(frozen=True)
class ScreenResult:
    """Every class one text hits, in precedence order (the first is the one the bot answers)."""

    hits: tuple[ScreenHit, ...] = ()

    @property
    def classes(self) -> tuple[ScreenClass, ...]:
        return tuple(hit.screen_class for hit in self.hits)

    @property
    def primary(self) -> ScreenClass | None:
        return self.hits[0].screen_class if self.hits else None

    def has(self, screen_class: ScreenClass) -> bool:
        return any(hit.screen_class is screen_class for hit in self.hits)

    def hit_of(self, screen_class: ScreenClass) -> ScreenHit | None:
        return next((hit for hit in self.hits if hit.screen_class is screen_class), None)

    @property
    def protected_class(self) -> ProtectedClass | None:
        hit = self.hit_of(ScreenClass.FAIR_HOUSING)
        return hit.protected_class if hit else None

    @property
    def language(self) -> str | None:
        """The language of the request the bot answers, when its words tell."""
        return self.hits[0].language if self.hits else None


PASSED = ScreenResult()

_PLACEHOLDER = re.compile(r"<<(\w+)>>")
_CLAUSES = re.compile(r"[.!?;,\n:]+|\s-\s")
_TOKEN = re.compile(r"[a-z0-9']+")
_TWO_WORD_KEYWORDS = ((re.compile(r"\bno\s+mas\b"), "nomas"), (re.compile(r"\bopt\s*-?\s*out\b"), "optout"),
                      # "s t o p", "S.T.O.P": spelled out to get past a filter, still a STOP
                      (re.compile(r"\bs[\s.]+t[\s.]+o[\s.]+p\b"), "stop"),
                      (re.compile(r"\bstop\s+all\b"), "stopall"), (re.compile(r"\bun\s?-\s?stop\b"), "unstop"),
                      (re.compile(r"\bre\s?-\s?subscribe\b"), "resubscribe"))
# "STOP STOP" is two keywords; a clause with more words than this is a sentence, not a keyword.
_MOST_KEYWORDS_IN_A_CLAUSE = 3


def _whole_words(pattern: str) -> str:
    return rf"(?<![\w'])(?:{pattern})(?![\w'])"


def _expand(pattern: str, vocabulary: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: vocabulary[match.group(1)], pattern)


class _Keywords:
    """A clause that is only a keyword with filler around it ("STOP!!", "stop it you idiot"), misspelled or not."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.keywords = frozenset(spec["keywords"])
        self.fuzzy = frozenset(spec.get("fuzzy_keywords", ()))
        self.real_words = frozenset(spec.get("real_words", ()))
        self.filler = frozenset(spec.get("filler", "").split())

    def any_clause_is_only_keywords(self, text: str) -> bool:
        for pattern, joined in _TWO_WORD_KEYWORDS:
            text = pattern.sub(joined, text)
        for clause in _CLAUSES.split(text):
            words = [word for word in _TOKEN.findall(clause) if word not in self.filler]
            if 0 < len(words) <= _MOST_KEYWORDS_IN_A_CLAUSE and all(self._is_keyword(word) for word in words):
                return True
        return False

    def _is_keyword(self, word: str) -> bool:
        return word in self.keywords or (bool(self.fuzzy) and _is_misspelled(word, self.fuzzy, self.real_words))


@lru_cache(maxsize=4096)
def _is_misspelled(word: str, keywords: frozenset[str], real_words: frozenset[str]) -> bool:
    if word in real_words:
        return False
    for keyword in keywords:
        allowed = 2 if len(keyword) >= 7 else 1  # "unsubscibe" and "unsusbcribe" are one slip each in a long word
        if abs(len(word) - len(keyword)) <= allowed and _edit_distance(word, keyword) <= allowed:
            return True
    return False


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("stpo")."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[len(b)]


class _ClassMatcher:
    """One class's phrase families (one regex, a named group per family), its guards and its keywords."""

    def __init__(self, screen_class: ScreenClass, spec: dict[str, Any], vocabulary: dict[str, str]) -> None:
        self.screen_class = screen_class
        families = spec.get("families", [])
        self.family_names = [family["name"] for family in families]
        self.fixed_protected = [
            ProtectedClass(family["protected_class"]) if "protected_class" in family else None for family in families
        ]
        plain: list[tuple[int, str]] = []
        with_terms: list[tuple[int, str]] = []
        for index, family in enumerate(families):
            for pattern in family["patterns"]:
                # Frames around a protected term are searched only when the text holds such a term at all.
                needs_term = "<<protected>>" in pattern or "<<group>>" in pattern
                (with_terms if needs_term else plain).append((index, _expand(pattern, vocabulary)))
        self.plain = _families_regex(plain)
        self.with_terms = _families_regex(with_terms)
        guards = [_expand(guard, vocabulary) for guard in spec.get("guards", [])]
        self.guards = re.compile("|".join(_whole_words(guard) for guard in guards)) if guards else None
        self.negated_by = re.compile(spec["negated_by"]) if "negated_by" in spec else None
        self.keywords = _Keywords(spec) if "keywords" in spec else None

    def hits(self, text: str, has_terms: bool) -> list[tuple[int, int, int]]:
        """(family index, start, end) of each match no guard covers; family -1 is a keyword-only clause."""
        found: list[tuple[int, int, int]] = []
        for regex in (self.plain, self.with_terms if has_terms else None):
            if regex is None:
                continue
            for match in regex.finditer(text):
                if self.negated_by is not None and self.negated_by.search(text, max(0, match.start() - 30),
                                                                          match.start()):
                    continue
                assert match.lastgroup is not None
                found.append((int(match.lastgroup[1:]), match.start(), match.end()))
        if found and self.guards is not None:
            guarded = [match.span() for match in self.guards.finditer(text)]
            found = [hit for hit in found if not any(start < hit[2] and hit[1] < end for start, end in guarded)]
        if not found and self.keywords is not None and self.keywords.any_clause_is_only_keywords(text):
            found.append((-1, 0, len(text)))
        return found

    def family_name(self, index: int) -> str:
        return "a keyword alone" if index < 0 else self.family_names[index]


def _families_regex(patterns: list[tuple[int, str]]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    by_family: dict[int, list[str]] = {}
    for index, pattern in patterns:
        by_family.setdefault(index, []).append(pattern)
    groups = "|".join(f"(?P<f{index}>{'|'.join(items)})" for index, items in by_family.items())
    return re.compile(_whole_words(groups))


@dataclass(frozen=True)
class _Screen:
    precedence: tuple[ScreenClass, ...]
    matchers: dict[ScreenClass, _ClassMatcher]
    terms: re.Pattern[str]
    terms_by_class: tuple[tuple[ProtectedClass, re.Pattern[str]], ...]
    labels: dict[str, str]
    spanish_words: frozenset[str]
    english_words: frozenset[str]


def _load(agent_names: tuple[str, ...]) -> _Screen:
    data = _data()
    vocabulary = {**data["vocabulary"], "agent": _agent_pattern(agent_names)}
    terms_by_class: list[tuple[ProtectedClass, str]] = []
    for key, spec in data["protected_classes"].items():
        terms_by_class.append((ProtectedClass(key), "|".join(spec["terms"])))
    vocabulary["protected"] = "(?:" + "|".join(terms for _, terms in terms_by_class) + ")"
    groups = {ProtectedClass.RACE, ProtectedClass.COLOUR, ProtectedClass.NATIONAL_ORIGIN, ProtectedClass.RELIGION,
              ProtectedClass.SEXUAL_ORIENTATION, ProtectedClass.SOURCE_OF_INCOME}
    vocabulary["group"] = "(?:" + "|".join(terms for key, terms in terms_by_class if key in groups) + ")"
    return _Screen(
        precedence=tuple(ScreenClass(name) for name in data["precedence"]),
        matchers={ScreenClass(key): _ClassMatcher(ScreenClass(key), spec, vocabulary)
                  for key, spec in data["classes"].items()},
        terms=re.compile(_whole_words(vocabulary["protected"])),
        terms_by_class=tuple((key, re.compile(_whole_words(terms))) for key, terms in terms_by_class),
        labels={**{key: spec["label"] for key, spec in data["classes"].items()},
                **{key: spec["label"] for key, spec in data["protected_classes"].items()}},
        spanish_words=frozenset(data["language"]["spanish"].split()),
        english_words=frozenset(data["language"]["english"].split()),
    )


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with DATA_FILE.open("rb") as file:
        return tomllib.load(file)


@lru_cache(maxsize=32)
def _screen_for(agent_names: tuple[str, ...]) -> _Screen:
    """Compiled once per set of agent names (a per-location setting); the default set at import. Only the
    classes that name the agent are compiled again for another name: the rest is shared."""
    if agent_names == DEFAULT_AGENT_NAMES:
        return _load(agent_names)
    default, named = _screen_for(DEFAULT_AGENT_NAMES), _load_agent_classes(agent_names)
    return dataclasses.replace(default, matchers={**default.matchers, **named})


def _load_agent_classes(agent_names: tuple[str, ...]) -> dict[ScreenClass, _ClassMatcher]:
    data = _data()
    vocabulary = {**data["vocabulary"], "agent": _agent_pattern(agent_names)}
    return {ScreenClass(key): _ClassMatcher(ScreenClass(key), spec, vocabulary)
            for key, spec in data["classes"].items() if "<<agent>>" in repr(spec)}


def _agent_pattern(agent_names: tuple[str, ...]) -> str:
    return "(?:" + ("|".join(re.escape(fold(name)) for name in agent_names if name) or r"(?!)") + ")"


DEFAULT_AGENT_NAMES = ("Jorge",)
_screen_for(DEFAULT_AGENT_NAMES)


def label_of(key: str) -> str:
    """The broker's words for a class or a protected class ("Fair Housing request", "familial status")."""
    return _screen_for(DEFAULT_AGENT_NAMES).labels.get(key, key.replace("_", " "))


def screen(text: str, agent_names: Iterable[str] = DEFAULT_AGENT_NAMES) -> ScreenResult:
    """Every class `text` hits, the first being the one to answer. Cached: a turn and its reading ask twice."""
    return _screen_folded(fold(unicodedata.normalize("NFC", text)), tuple(agent_names))


@lru_cache(maxsize=4096)
def _screen_folded(folded: str, agent_names: tuple[str, ...]) -> ScreenResult:
    return screen_uncached(folded, agent_names)


def screen_uncached(folded: str, agent_names: tuple[str, ...] = DEFAULT_AGENT_NAMES) -> ScreenResult:
    """`screen` on a text already folded (bots.nlu.text.fold), without the cache: what the benchmark times."""
    compiled = _screen_for(agent_names)
    has_terms = compiled.terms.search(folded) is not None
    found = {screen_class: _best_hit(screen_class, compiled, folded, has_terms) for screen_class in compiled.precedence}
    question, person = found[ScreenClass.BOT_QUESTION], found[ScreenClass.PERSON_REQUEST]
    if question and person and person.start < question.end and question.start < person.end:
        # "Am I talking to a real person?" asks about AI: its words are not also a request for a person.
        found[ScreenClass.PERSON_REQUEST] = None
    return ScreenResult(tuple(hit for hit in found.values() if hit is not None))


def _best_hit(screen_class: ScreenClass, compiled: _Screen, folded: str, has_terms: bool) -> ScreenHit | None:
    """The class's first match; for Fair Housing, the first that names a protected class if any does."""
    matcher = compiled.matchers[screen_class]
    hits: list[ScreenHit] = []
    for index, start, end in sorted(matcher.hits(folded, has_terms), key=lambda hit: hit[1]):
        protected = None
        if screen_class is ScreenClass.FAIR_HOUSING:
            fixed = matcher.fixed_protected[index] if index >= 0 else None
            protected = fixed or _protected_class_in(folded[start:end], compiled)
        language = _language_of(folded[start:end], compiled)
        hits.append(ScreenHit(screen_class, matcher.family_name(index), protected, start, end, language))
    return next((hit for hit in hits if hit.protected_class is not None), hits[0] if hits else None)


def _language_of(span: str, compiled: _Screen) -> str | None:
    words = _TOKEN.findall(span)
    spanish = sum(word in compiled.spanish_words for word in words)
    english = sum(word in compiled.english_words for word in words)
    return "es" if spanish > english else "en" if english > spanish else None


def _protected_class_in(span: str, compiled: _Screen) -> ProtectedClass | None:
    """The protected class whose term covers the most of the matched phrase ("section 8 families": income)."""
    best: tuple[int, ProtectedClass] | None = None
    for key, regex in compiled.terms_by_class:
        for match in regex.finditer(span):
            length = match.end() - match.start()
            if best is None or length > best[0]:
                best = (length, key)
    return best[1] if best else None
