"""The conversation corpus (tests/conversations/*.yaml): loading a file, checking what one turn did, and running a
whole conversation through the simulator. The tests, `manage.py evaluate_conversations` and the console's "try these
settings" (console.settings_trial) use this module.

One file is one conversation: the lead's starting tags, optional location settings, and turns. Each turn is
what the lead texts and what must hold after it (the question asked next, the bot, the temperature, tags,
fields, state), never the exact wording. Every reply of every turn also passes the voice checks of BOTS.md:
at most 320 characters, no emoji, no hyphen, one question at most, no softeners, never the previous text again,
and never a question whose answer the bot already has. Broker level expectations per turn: `never_asks` (questions
that must not come next), `says_any` (the reply acknowledges with one of these), `keeps` (state paths that must
hold a value).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from bots.engine import Engine
from bots.simulator import MemorySessions, simulate_turn
from bots.state import ConversationState
from bots.workflows.questions import is_answered
from leads.listings import import_listings
from leads.models import Location
from leads.sample_listings import INLAND, RANCHO, listing_rows

CORPUS_DIR = Path(settings.BASE_DIR) / "tests" / "conversations"
# A Monday morning in Alpha Realty's time zone, unless a file says otherwise.
DEFAULT_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
MAX_REPLY_CHARS = 320
PRACTICE_LOCATION_ID = "CorpusPracticeLoc001"

_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_HYPHENS = re.compile("[-\u2010-\u2015]")
_SOFTENERS = re.compile(r"\b(?:please|perhaps|i hope|hopefully)\b", re.IGNORECASE)
_ROBOTIC = re.compile(r"here to help|have a great day|as an ai language model", re.IGNORECASE)
_OPENS_WITH_HEY = re.compile(r"^\W*hey\b", re.IGNORECASE)
_SPANISH = re.compile(r"[áéíóúñ¿¡]|\b(?:usted|gracias|casa|cuál|qué|está)\b", re.IGNORECASE)
TURN_KEYS = frozenset({
    "lead", "after", "set_tags", "bot", "asks", "silent", "temperature", "adds", "removes", "not_adds", "has_tags",
    "lacks_tags", "fields", "no_fields", "state", "says", "not_says", "language", "handoff", "matches", "outcome",
    "never_asks", "says_any", "keeps",
})


class CorpusMismatch(AssertionError):
    """A turn did not do what its conversation file says."""


def _expect(holds: object, message: str) -> None:
    if not holds:
        raise CorpusMismatch(message)


@dataclass
class Conversation:
    path: Path
    title: str
    turns: list[dict[str, Any]]
    tags: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    start: dt.datetime = DEFAULT_START
    end_to_end: bool = False


@dataclass
class TurnSeen:
    """What one turn did, however it was run (simulator API or a real worker)."""

    reply: str | None
    bot: str
    next_question: str | None
    temperature: str | None
    tags_add: list[str]
    tags_remove: list[str]
    tags: list[str]
    custom_fields: dict[str, str]
    handoff: str | None
    matches: list[dict[str, Any]]
    state: dict[str, Any]
    outcome: str = ""
    # What the inbound screen caught in the text (bots.screening), when it caught anything.
    screened: list[str] = field(default_factory=list)


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def category_of(path: Path) -> str:
    """A conversation's category is the first word of its file name (seller, buyer, lead, feelings, ...)."""
    return path.stem.split("_", 1)[0]


def load(path: Path) -> Conversation:
    # Imported here: only `evaluate_conversations` and the tests read a corpus, never a turn.
    import yaml

    data = yaml.safe_load(path.read_text())
    for number, turn in enumerate(data["turns"], start=1):
        unknown = set(turn) - TURN_KEYS
        _expect(not unknown, f"{path.name} turn {number}: unknown keys {sorted(unknown)}")
        # YAML reads a bare yes as true and 2 as a number: a lead's text must be quoted when it looks like one.
        _expect(isinstance(turn["lead"], str), f"{path.name} turn {number}: quote the lead's text")
    start = data.get("start")
    return Conversation(
        path=path, title=data["title"], turns=data["turns"], tags=data.get("tags", []),
        settings=data.get("settings", {}), start=_aware(start) if start else DEFAULT_START,
        end_to_end=data.get("end_to_end", False),
    )


def check_turn(expect: dict[str, Any], seen: TurnSeen, previous_reply: str | None, where: str) -> None:
    check_voice(seen, previous_reply, where)
    if "bot" in expect:
        _expect(seen.bot == expect["bot"], f"{where}: answered by the {seen.bot} bot")
    if "asks" in expect:
        _expect(seen.next_question == expect["asks"], f"{where}: asks {seen.next_question!r}, reply {seen.reply!r}")
    if expect.get("silent"):
        _expect(seen.reply is None, f"{where}: expected no reply, got {seen.reply!r}")
    elif "silent" in expect:
        _expect(seen.reply, f"{where}: expected a reply ({seen.outcome})")
    if "temperature" in expect:
        _expect(seen.temperature == expect["temperature"], f"{where}: temperature {seen.temperature}")
    _check_subset(expect.get("adds", []), seen.tags_add, f"{where}: tags added")
    _check_subset(expect.get("removes", []), seen.tags_remove, f"{where}: tags removed")
    _check_subset(expect.get("has_tags", []), seen.tags, f"{where}: tags")
    for tag in expect.get("not_adds", []):
        _expect(tag not in seen.tags_add, f"{where}: {tag} was added")
    for tag in expect.get("lacks_tags", []):
        _expect(tag not in seen.tags, f"{where}: still has {tag} ({seen.tags})")
    for name, value in expect.get("fields", {}).items():
        actual = seen.custom_fields.get(name)
        _expect(actual == str(value), f"{where}: field {name} is {actual!r}")
    for name in expect.get("no_fields", []):
        _expect(name not in seen.custom_fields, f"{where}: field {name} written ({seen.custom_fields.get(name)!r})")
    for path, value in expect.get("state", {}).items():
        actual = dig(seen.state, path)
        _expect(actual == value, f"{where}: state {path} is {actual!r}, expected {value!r}")
    for phrase in _as_list(expect.get("says")):
        _expect(seen.reply and phrase.lower() in seen.reply.lower(), f"{where}: {phrase!r} not in {seen.reply!r}")
    for phrase in _as_list(expect.get("not_says")):
        _expect(not seen.reply or phrase.lower() not in seen.reply.lower(), f"{where}: {phrase!r} in {seen.reply!r}")
    if expect.get("language") == "es":
        _expect(seen.reply and _SPANISH.search(seen.reply), f"{where}: not Spanish: {seen.reply!r}")
    elif expect.get("language") == "en":
        _expect(seen.reply and not _SPANISH.search(seen.reply), f"{where}: not English: {seen.reply!r}")
    if "handoff" in expect:
        _expect(seen.handoff == expect["handoff"], f"{where}: handoff {seen.handoff!r}")
    if "matches" in expect:
        _check_matches(expect["matches"], seen, where)
    for question in _as_list(expect.get("never_asks")):
        _expect(seen.next_question != question, f"{where}: asks {question} again: {seen.reply!r}")
    if "says_any" in expect:
        phrases = _as_list(expect["says_any"])
        _expect(seen.reply and any(p.lower() in seen.reply.lower() for p in phrases),
                f"{where}: none of {phrases} in {seen.reply!r}")
    for path in _as_list(expect.get("keeps")):
        _expect(dig(seen.state, path) not in (None, "", []), f"{where}: state {path} not kept")
    if "outcome" in expect:
        _expect(expect["outcome"] in seen.outcome, f"{where}: outcome {seen.outcome!r}")


def check_voice(seen: TurnSeen, previous_reply: str | None, where: str) -> None:
    """BOTS.md "Voice", on every reply of every conversation."""
    reply = seen.reply
    if reply is None:
        return
    _expect(reply.strip(), f"{where}: an empty reply")
    _expect(len(reply) <= MAX_REPLY_CHARS, f"{where}: {len(reply)} characters: {reply!r}")
    _expect(not _EMOJI.search(reply), f"{where}: an emoji in {reply!r}")
    _expect(not _HYPHENS.search(reply), f"{where}: a hyphen in {reply!r}")
    _expect(reply.count("?") <= 1, f"{where}: more than one question in {reply!r}")
    _expect(not _SOFTENERS.search(reply), f"{where}: a softener in {reply!r}")
    _expect(not _ROBOTIC.search(reply), f"{where}: a robotic line in {reply!r}")
    _expect(not _OPENS_WITH_HEY.search(reply), f"{where}: opens with Hey: {reply!r}")
    _expect(reply != previous_reply, f"{where}: the same text twice in a row: {reply!r}")
    if seen.next_question:
        state = ConversationState.from_dict(seen.state)
        _expect(not is_answered(seen.next_question, state), f"{where}: asks {seen.next_question}, already answered")


def dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)] if int(part) < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _check_matches(expect: dict[str, Any], seen: TurnSeen, where: str) -> None:
    matches = seen.matches
    if "count" in expect:
        _expect(len(matches) == expect["count"], f"{where}: {len(matches)} matches")
    if "at_least" in expect:
        _expect(len(matches) >= expect["at_least"], f"{where}: {len(matches)} matches")
    for match in matches:
        if "max_price" in expect:
            _expect(match["price"] <= expect["max_price"], f"{where}: {match} over {expect['max_price']}")
        if "min_beds" in expect:
            _expect(match["beds"] >= expect["min_beds"], f"{where}: {match} has fewer bedrooms")
    if "first_in" in expect:
        _expect(matches and matches[0]["in_area"] == expect["first_in"], f"{where}: best match {matches[:1]}")


def _check_subset(expected: list[str], actual: list[str], what: str) -> None:
    missing = [item for item in expected if item not in actual]
    _expect(not missing, f"{what}: {missing} missing from {actual}")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _aware(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_START.tzinfo)


@dataclass
class Replay:
    """One conversation played with some settings: the bots' reply to each turn, up to the first turn that did not
    do what the file says (`failure` says why; empty when every turn held)."""

    conversation: Conversation
    replies: list[str | None] = field(default_factory=list)
    failure: str = ""


def replay_conversation(
    conversation: Conversation, location: Location, settings: dict[str, Any] | None = None,
    engine: Engine | None = None,
) -> Replay:
    """Play one conversation through the simulator for `location` with `settings` (the location's overrides) and
    the file's own on top; the location is changed in memory only."""
    location.bot_settings = _overlaid(settings or {}, conversation.settings)
    sessions = MemorySessions()
    replay = Replay(conversation)
    now, key, previous_reply = conversation.start, None, None
    for number, turn in enumerate(conversation.turns, start=1):
        now += dt.timedelta(minutes=turn.get("after", 1))
        tags = turn.get("set_tags", conversation.tags if key is None else None)
        done = simulate_turn(location, turn["lead"], sessions=sessions, contact_key=key, tags=tags, now=now,
                             engine=engine)
        key = done.contact_key
        replay.replies.append(done.reply)
        seen = TurnSeen(
            reply=done.reply, bot=done.bot, next_question=done.next_question, temperature=done.temperature,
            tags_add=done.tags_add, tags_remove=done.tags_remove, tags=done.tags, custom_fields=done.custom_fields,
            handoff=done.handoff, matches=[asdict(match) for match in done.matches], state=done.state,
            outcome=done.outcome, screened=list(done.screened),
        )
        try:
            check_turn(turn, seen, previous_reply, f"{conversation.path.name} turn {number} ({turn['lead']!r})")
        except CorpusMismatch as mismatch:
            replay.failure = str(mismatch)
            return replay
        previous_reply = seen.reply or previous_reply
    return replay


def run_conversation(conversation: Conversation, location: Location) -> None:
    """Play one conversation through the simulator for `location` (its settings set from the file); raises
    CorpusMismatch at the first turn that does not do what the file says."""
    replay = replay_conversation(conversation, location)
    if replay.failure:
        raise CorpusMismatch(replay.failure)


def _overlaid(settings: dict[str, Any], conversation_settings: dict[str, Any]) -> dict[str, Any]:
    """A conversation's settings win over a location's, key by key within tags, texts and fields."""
    merged = {**settings, **conversation_settings}
    for name in ("tags", "texts", "fields"):
        if name in settings and name in conversation_settings:
            merged[name] = {**settings[name], **conversation_settings[name]}
    return merged


def practice_location(location_id: str = PRACTICE_LOCATION_ID) -> Location:
    """The location the corpus is played for, with the demo listings: create it inside a transaction that is rolled
    back. Its times are the corpus's zone (America/Chicago, as the tests' brokerage). One id for every run, so two
    runs at once take turns on the row instead of both loading the machine."""
    location = Location.objects.create(id=location_id, name="Corpus practice", timezone="America/Chicago")
    import_listings(listing_rows(random.Random(7), RANCHO) + listing_rows(random.Random(8), INLAND), location)
    return location
