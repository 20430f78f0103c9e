"""When a lead wants to move: the seller's answer to "would 30 to 45 days work?" and a buyer's horizon in days.

Every timing cue in the message is found with its position; when a lead says two things ("no rush,
but this spring would be nice") the later one is what they settled on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from bots.nlu.text import NUMBER_WORD_PATTERN, PhraseTable, is_negated, number_value
from bots.nlu.types import TimelineAnswer, Urgency

# BOTS.md: "within 2 months" is a yes as long as it is within about four months.
ACCEPTABLE_WITHIN_DAYS = 120
# The sale the seller bot proposes: within 30 to 45 days.
SALE_WINDOW_DAYS = 45
HIGH_URGENCY_WITHIN_DAYS = 60
MEDIUM_URGENCY_WITHIN_DAYS = 180
ASAP_DAYS = 30
SOON_DAYS = 60
# Without `now`, "this spring" is a season away and "next spring" further.
_THIS_SEASON_DAYS = 90
_NEXT_SEASON_DAYS = 180
_THIS_YEAR_DAYS = 180

TIMELINE_QUESTION = "timeline"


@dataclass(frozen=True)
class _Timing:
    answer: TimelineAnswer | None = None
    urgency: Urgency | None = None
    days: int | None = None


@dataclass(frozen=True)
class _Cue:
    start: int
    timing: _Timing


_AGREE = _Timing(TimelineAnswer.YES)
_URGENT = _Timing(TimelineAnswer.YES, Urgency.HIGH, ASAP_DAYS)
_NO_RUSH = _Timing(TimelineAnswer.NO, Urgency.LOW)
_TOO_FAST = _Timing(TimelineAnswer.NO)

_PHRASES: PhraseTable[_Timing] = PhraseTable({
    # Refusals first: "can't do that fast" and "not anytime soon" contain the urgent words.
    _TOO_FAST: [
        r"(?:can'?t|cannot|could not|couldn'?t|won'?t be able to)\s+(?:do|move|sell|go|make)(?:\s+(?:it|that))?"
        r"(?:\s+(?:that|so|this))?\s+(?:fast|quick(?:ly)?|soon)",
        r"not\s+(?:that|so|this)\s+(?:fast|quick(?:ly)?|soon)", r"too\s+(?:fast|soon|quick)",
        r"(?:that|it|this)\s+(?:doesn'?t|does not|won'?t|wouldn'?t|will not|would not)\s+work",
        r"not\s+going\s+to\s+work", r"no\s+(?:me|nos)?\s*funciona",
        r"(?:that|it)(?:'s|\s+is|\s+(?:might|would|will|could)\s+be)\s+(?:tough|hard|difficult|tight|a\s+stretch)",
        r"(?:need|have)\s+to\s+find\s+(?:a\s+place|somewhere|a\s+new\s+(?:place|home|house))\s+first",
        r"(?:muy|demasiado)\s+pronto", r"no\s+tan\s+rapido",
    ],
    _NO_RUSH: [
        r"no\s+(?:rush|hurry)", r"not\s+in\s+(?:a|any)\s+(?:rush|hurry)", r"in\s+no\s+(?:rush|hurry)",
        r"not\s+(?:rushing|urgent)", r"tak(?:e|ing)\s+(?:our|my)\s+time",
        r"(?:no\s+hay|sin|no\s+tengo|no\s+tenemos)\s+prisa",
        r"not\s+(?:any\s?time|anytime)\s+soon", r"eventually", r"some\s?day", r"down\s+the\s+road",
        r"in\s+the\s+(?:distant\s+)?future", r"not\s+ready(?:\s+yet)?", r"not\s+(?:right\s+)?now",
    ],
    _URGENT: [
        r"a\.?s\.?a\.?p\.?", r"as\s+soon\s+as\s+(?:possible|we\s+can|i\s+can)", r"right\s+away", r"immediately",
        # "busy right now" and "can't talk right now" say when they can talk, not when they would move.
        r"(?<!busy\s)(?<!talk\s)(?<!work\s)(?<!driving\s)right\s+now",
        r"quickly", r"(?:sell|move|close|go|relocate|out)(?:\s+(?:it|the\s+house|this\s+house))?"
        r"\s+(?:quick|fast)", r"fast\s+as\s+(?:possible|we\s+can)", r"urgent(?:ly)?",
        r"(?:the\s+)?sooner\s+the\s+better",
        r"lo\s+(?:antes|mas\s+pronto)\s+posible", r"cuanto\s+antes", r"urgente", r"rapido", r"ya\s+mismo",
    ],
    # "talk soon" and "see you soon" are sign-offs, not plans.
    _Timing(days=SOON_DAYS): [r"(?<!talk\s)(?<!you\s)soon", r"sooner\s+rather\s+than\s+later", r"pronto"],
    _AGREE: [
        r"(?:that|it|this)\s+(?:would|could|should|will|can)?\s*works?", r"works?\s+for\s+(?:me|us)",
        r"that'?s\s+(?:fine|ok(?:ay)?|doable)", r"fine\s+(?:with|by)\s+(?:me|us)", r"no\s+prob(?:lem)?s?",
        r"not\s+a\s+problem", r"sounds\s+good", r"doable", r"(?:we|i)\s+can\s+do\s+that", r"ok(?:ay)?\s+with\s+that",
        r"(?:si|eso)\s+(?:me\s+|nos\s+)?funciona", r"(?:me|nos)\s+funciona", r"esta\s+bien", r"no\s+hay\s+problema",
        r"sin\s+problema", r"(?:we'?re|i'?m|we\s+are|i\s+am)\s+(?:pretty\s+|very\s+)?flexible",
    ],
    _Timing(days=15): [r"this\s+month", r"este\s+mes"],
    _Timing(days=30): [r"next\s+month", r"end\s+of\s+(?:the\s+|this\s+)?month",
                       r"(?:el\s+)?(?:proximo|siguiente)\s+mes", r"(?:el\s+)?mes\s+que\s+viene"],
    _Timing(days=180): [r"half\s+a\s+year", r"medio\s+ano"],
    _Timing(days=365): [r"next\s+year", r"(?:el\s+)?(?:proximo|siguiente)\s+ano", r"(?:el\s+)?ano\s+que\s+viene"],
    _Timing(days=540): [r"a\s+year\s+and\s+a\s+half", r"ano\s+y\s+medio"],
})

_UNIT_DAYS = {"day": 1, "dia": 1, "week": 7, "wk": 7, "semana": 7, "month": 30, "mo": 30, "mes": 30, "year": 365,
              "yr": 365, "ano": 365}
_DURATION = re.compile(
    rf"(?<![\w'])(?P<n>\d+(?:\.\d+)?|{NUMBER_WORD_PATTERN})"
    rf"(?:\s*(?:-|to|or|a|o)\s*(?P<n2>\d+(?:\.\d+)?|{NUMBER_WORD_PATTERN}))?"
    r"\s*(?P<unit>days?|dias|weeks?|wks?|semanas|months?|mos?|meses|mes|years?|yrs?|anos|ano)\b"
)
# "lived here 20 years", "owned it for 10 years", "65 years old", "3 weeks ago": the past, not a plan.
# "she hasn't called me back in 2 weeks": how long someone has been silent, not when the lead would move.
_PAST_BEFORE = re.compile(r"\b(?:been|lived|living|owned|had|for\s+the\s+(?:past|last)|over\s+the\s+(?:past|last)|hace|"
                          r"called|heard|texted|responded|replied|talked|spoken?|gotten\s+back|got\s+back|answered|"
                          r"hasn'?t|haven'?t|hasnt|havent)\b[^.,;!?]{0,25}$")
_PAST_AFTER = re.compile(r"\s*(?:ago|old|of\s+age)\b")
# "no more than 2 months" is a limit, not a refusal.
_LIMIT_BEFORE = re.compile(r"\b(?:no|not)\s+(?:more|longer|later)\s+than\s*$")
# "at least 3 months", "not until spring": the earliest they would move, so a refusal when it is past the sale window.
_NOT_BEFORE = re.compile(
    r"\b(?:at\s+least|minimum(?:\s+of)?|no\s+sooner\s+than|(?<!no\s)(?<!not\s)(?:more|longer)\s+than|"
    r"not\s+(?:before|until|till)|after|wait(?:ing)?\s+(?:until|till|for))\s*(?:the\s+)?$"
)
# "4500 a month" is a payment, not a month away.
_RATE_BEFORE = re.compile(r"(?:\d|\dk|\bk|\bdollars|\bbucks)\s*$")

_SEASON_START_MONTH = {"spring": 3, "primavera": 3, "summer": 6, "verano": 6, "fall": 9, "autumn": 9, "otono": 9,
                       "winter": 12, "invierno": 12}
_SEASON = re.compile(
    r"\b(?P<which>this\s+coming|this|next|by|in|the|el|la|este|esta|en|para|(?:la\s+)?proxima|(?:el\s+)?proximo|"
    r"(?:the\s+)?(?:early|late|end\s+of)"
    r"(?:\s+the)?)?\s*\b(?P<season>spring|summer|fall|autumn|winter|primavera|verano|otono|invierno)\b"
)
_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan", "enero"), ("february", "feb", "febrero"), ("march", "mar", "marzo"), ("april", "apr", "abril"),
    ("may", "mayo"), ("june", "jun", "junio"), ("july", "jul", "julio"), ("august", "aug", "agosto"),
    ("september", "sept", "sep", "septiembre"), ("october", "oct", "octubre"), ("november", "nov", "noviembre"),
    ("december", "dec", "diciembre")), start=1) for name in names}
_MONTH = re.compile(
    r"\b(?:by|in|before|until|around|for|en|para|antes\s+de)\s+(?:early\s+|late\s+|mid-?\s*|the\s+end\s+of\s+)?"
    rf"(?P<month>{'|'.join(sorted(_MONTHS, key=len, reverse=True))})\b"
)
# "after school ends": the school year ends in June.
_SCHOOL_YEAR_END = re.compile(
    r"\b(?:(?:after|when|once|before)\s+(?:the\s+)?(?:kids'?\s+)?school\s+(?:ends|is\s+out|lets\s+out|gets\s+out|"
    r"year\s+ends|is\s+over)|end\s+of\s+(?:the\s+)?school\s+year|(?:cuando|despues\s+de\s+que)\s+terminen?\s+"
    r"(?:las\s+)?clases)\b"
)
_SCHOOL_YEAR_END_MONTH = 6
_THIS_YEAR = re.compile(r"\b(?:this\s+year|end\s+of\s+(?:the\s+|this\s+)?year|este\s+ano|fin\s+de\s+ano)\b")

# "Great" alone is a yes, but "Great condition" answers something else.
_BARE_YES = re.compile(
    r"^\W*(?:(?:yes|yeah|yea|yep|yup|sure|ok|okay|k|definitely|absolutely|of course|correct|i\s+guess\s+so|si|claro|"
    r"por supuesto|dale)\b|(?:perfect|great|fine|perfecto)\s*(?:[.!,]|$))"
)
_BARE_NO = re.compile(r"^\W*(?:no|nope|nah|not really|negative)\b(?!\s*(?:se|idea|clue|sure|estoy|lo se))")


class Timeline(NamedTuple):
    acceptable: TimelineAnswer | None  # the seller's answer to "would 30 to 45 days work?"
    urgency: Urgency | None
    days: int | None  # a buyer's horizon: "next month" 30, "within 3 months" 90, "asap" 30


def read_timeline(text: str, last_question: str | None, now: datetime | None) -> Timeline:
    """Timing found in folded `text`; "not sure about the timeline" is no answer at all."""
    cues = _cues(text, now)
    if not cues:
        return Timeline(_bare_answer(text, last_question), None, None)
    timing = cues[-1].timing
    answer = timing.answer
    if answer is None and timing.days is not None:
        answer = TimelineAnswer.YES if timing.days <= ACCEPTABLE_WITHIN_DAYS else TimelineAnswer.NO
    dated = [cue.timing.days for cue in cues if cue.timing.days is not None]
    return Timeline(answer, timing.urgency or _urgency(timing.days), dated[-1] if dated else None)


def _bare_answer(text: str, last_question: str | None) -> TimelineAnswer | None:
    # A bare "yes" or "no" answers the timeline only when the timeline is what the bot just asked.
    if last_question != TIMELINE_QUESTION:
        return None
    if _BARE_YES.match(text):
        return TimelineAnswer.YES
    if _BARE_NO.match(text):
        return TimelineAnswer.NO
    return None


def _urgency(days: int | None) -> Urgency | None:
    if days is None:
        return None
    if days <= HIGH_URGENCY_WITHIN_DAYS:
        return Urgency.HIGH
    if days <= MEDIUM_URGENCY_WITHIN_DAYS:
        return Urgency.MEDIUM
    return Urgency.LOW


def _cues(text: str, now: datetime | None) -> list[_Cue]:
    cues = [_Cue(hit.start, hit.label) for hit in _PHRASES.hits(text)]
    cues += _durations(text)
    cues += _seasons(text, now)
    if now is not None:
        cues += [_Cue(m.start("month"), _Timing(days=_days_until(now, _MONTHS[m.group("month")])))
                 for m in _MONTH.finditer(text)]
    cues += [_Cue(m.start(), _Timing(days=_days_to_year_end(now))) for m in _THIS_YEAR.finditer(text)]
    cues += [_Cue(m.start(), _Timing(days=_days_until(now, _SCHOOL_YEAR_END_MONTH) if now else _NEXT_SEASON_DAYS))
             for m in _SCHOOL_YEAR_END.finditer(text)]
    return sorted((_with_earliest_date(text, cue) for cue in cues), key=lambda cue: cue.start)


def _with_earliest_date(text: str, cue: _Cue) -> _Cue:
    days = cue.timing.days
    if days is None or days <= SALE_WINDOW_DAYS or not _NOT_BEFORE.search(text, max(0, cue.start - 25), cue.start):
        return cue
    return _Cue(cue.start, _Timing(TimelineAnswer.NO, cue.timing.urgency, days))


def _durations(text: str) -> list[_Cue]:
    cues = []
    for match in _DURATION.finditer(text):
        if _PAST_AFTER.match(text, match.end()) or _PAST_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            continue
        amount = number_value(match.group("n2") or match.group("n"))
        if amount is None:
            continue
        before = max(0, match.start() - 20)
        if match.group("n") in {"a", "an"} and _RATE_BEFORE.search(text, before, match.start()):
            continue
        days = round(amount * _UNIT_DAYS[_unit(match.group("unit"))])
        refused = is_negated(text, match.start()) and not _LIMIT_BEFORE.search(text, before, match.start())
        cues.append(_Cue(match.start(), _Timing(TimelineAnswer.NO if refused else None, days=days)))
    return cues


def _unit(word: str) -> str:
    for unit in _UNIT_DAYS:
        if word.startswith(unit):
            return unit
    return "day"


def _seasons(text: str, now: datetime | None) -> list[_Cue]:
    cues = []
    for match in _SEASON.finditer(text):
        which = (match.group("which") or "").strip()
        season = match.group("season")
        if season == "fall" and not which:
            continue  # "prices will fall"
        upcoming = which == "next" or which.endswith(("proximo", "proxima"))
        if now is None:
            days = _NEXT_SEASON_DAYS if upcoming else _THIS_SEASON_DAYS
        else:
            days = _days_until_season(now, _SEASON_START_MONTH[season], next_one=upcoming)
        cues.append(_Cue(match.start(), _Timing(days=days)))
    return cues


def _days_until_season(now: datetime, start_month: int, *, next_one: bool) -> int:
    months_in = (now.month - start_month) % 12
    if months_in < 3:
        return 365 - 30 * months_in if next_one else 0
    return _days_until(now, start_month)


def _days_until(now: datetime, month: int) -> int:
    today = now.date()
    target = date(today.year, month, 1)
    if target < date(today.year, today.month, 1):
        target = date(today.year + 1, month, 1)
    return max(0, (target - today).days)


def _days_to_year_end(now: datetime | None) -> int:
    if now is None:
        return _THIS_YEAR_DAYS
    today = now.date()
    return (date(today.year, 12, 31) - today).days
