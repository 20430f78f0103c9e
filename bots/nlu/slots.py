"""Which of the offered call slots the lead picked: "2", "the second one", "option 3", "Tuesday at 10"."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

_WEEKDAYS = {name: number for number, names in enumerate((
    ("monday", "mon", "lunes"), ("tuesday", "tue", "tues", "martes"), ("wednesday", "wed", "miercoles"),
    ("thursday", "thu", "thur", "thurs", "jueves"), ("friday", "fri", "viernes"), ("saturday", "sat", "sabado"),
    ("sunday", "sun", "domingo"))) for name in names}
_WEEKDAY = re.compile(rf"\b(?P<day>{'|'.join(sorted(_WEEKDAYS, key=len, reverse=True))})\b")
_RELATIVE_DAY = re.compile(r"\b(?P<day>today|tomorrow|hoy|manana)\b")
# A time needs a marker ("at 10", "10am", "10:30", "a las 10") so a bare "2" stays an option number.
_TIME = re.compile(
    r"(?:(?:\bat|@|\ba\s+las|\ba\s+la)\s*(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<meridiem>am|pm|a\.m\.|p\.m\.)?"
    r"|\b(?P<hour2>\d{1,2})(?::(?P<minute2>\d{2}))?\s*(?P<meridiem2>am|pm|a\.m\.|p\.m\.)"
    r"|\b(?P<hour3>\d{1,2}):(?P<minute3>\d{2}))(?![\w:])"
    r"|\b(?P<noon>noon|mediodia)\b"
)
_PART_OF_DAY = re.compile(r"\b(?P<part>morning|afternoon|evening|tarde|noche)\b")
_ORDINALS = {"first": 0, "1st": 0, "primera": 0, "primero": 0, "second": 1, "2nd": 1, "segunda": 1, "segundo": 1,
             "third": 2, "3rd": 2, "tercera": 2, "tercero": 2}
_ORDINAL = re.compile(rf"\b(?P<ordinal>{'|'.join(_ORDINALS)})\b")
_LAST = re.compile(r"\b(?:the\s+)?(?:last|latest|ultima|ultimo)(?:\s+one)?\b")
_OPTION_NUMBER = re.compile(
    r"(?:\b(?:option|number|slot|opcion|numero|no\.?|do|take|pick|choose|book|go\s+with)\s*#?\s*|#\s*|^\W*)(?P<number>\d{1,2})\b(?!\s*(?::|am|pm))")
_ANY_NUMBER = re.compile(r"\b\d+\b")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "uno": 1, "dos": 2, "tres": 3}
_NUMBER_WORD_ANSWER = re.compile(
    rf"^\W*(?:option\s+|number\s+|opcion\s+|la\s+|el\s+)?(?P<word>{'|'.join(_NUMBER_WORDS)})\b"
)
_NONE_OF_THEM = re.compile(r"\b(?:none|neither|ninguno|ninguna|other\s+time|different\s+time|another\s+time)\b")
_PARTS_OF_DAY = {"morning": range(0, 12), "afternoon": range(12, 17), "tarde": range(12, 19),
                 "evening": range(17, 24), "noche": range(18, 24)}
_MERIDIEM_PM_FROM = 12
# "Tuesday at 2" means 2 pm: nobody books a call at 2 in the morning.
_ASSUME_PM_BEFORE = 8


def read_slot_pick(text: str, offered: Sequence[datetime], now: datetime | None) -> int | None:
    """Index into `offered`, or None when the pick cannot be read or matches no slot, or more than one."""
    if not offered or _NONE_OF_THEM.search(text):
        return None
    matching = _matching_day_and_time(text, offered, now)
    if matching is not None:
        return matching[0] if len(matching) == 1 else None
    if match := _ORDINAL.search(text):
        return _in_range(_ORDINALS[match.group("ordinal")], offered)
    if _LAST.search(text):
        return len(offered) - 1
    numbers = {int(match.group("number")) for match in _OPTION_NUMBER.finditer(text)}
    if match := _NUMBER_WORD_ANSWER.match(text):
        numbers.add(_NUMBER_WORDS[match.group("word")])
    # "1 or 2" is no pick: every number in the message must name the same option.
    if len(numbers) == 1 and set(_ANY_NUMBER.findall(text)) <= {str(n) for n in numbers}:
        return _in_range(numbers.pop() - 1, offered)
    return None


def _matching_day_and_time(text: str, offered: Sequence[datetime], now: datetime | None) -> list[int] | None:
    """Indexes of the slots on the day and at the time the lead named; None when they named neither."""
    candidates = list(range(len(offered)))
    named = False
    if match := _WEEKDAY.search(text):
        named = True
        candidates = [i for i in candidates if offered[i].weekday() == _WEEKDAYS[match.group("day")]]
    elif now is not None and (match := _RELATIVE_DAY.search(text)):
        named = True
        days_ahead = 0 if match.group("day") in {"today", "hoy"} else 1
        day = (now + timedelta(days=days_ahead)).date()
        candidates = [i for i in candidates if offered[i].date() == day]
    if match := _TIME.search(text):
        named = True
        hour, minute = _named_time(match)
        candidates = [i for i in candidates if offered[i].hour == hour]
        # "10am" with slots at 10:00 and 10:30 means 10:00.
        exact = [i for i in candidates if offered[i].minute == (minute or 0)]
        candidates = exact if exact or minute is not None else candidates
    elif match := _PART_OF_DAY.search(text):
        named = True
        candidates = [i for i in candidates if offered[i].hour in _PARTS_OF_DAY[match.group("part")]]
    return candidates if named else None


def _named_time(match: re.Match[str]) -> tuple[int, int | None]:
    """(hour on a 24-hour clock, minute if said)."""
    if match.group("noon"):
        return 12, 0
    hour = int(match.group("hour") or match.group("hour2") or match.group("hour3"))
    minute = match.group("minute") or match.group("minute2") or match.group("minute3")
    meridiem = (match.group("meridiem") or match.group("meridiem2") or "").replace(".", "")
    if meridiem == "pm" and hour < _MERIDIEM_PM_FROM:
        hour += 12
    elif meridiem == "am" and hour == _MERIDIEM_PM_FROM:
        hour = 0
    elif not meridiem and hour < _ASSUME_PM_BEFORE:
        hour += 12
    return hour, None if minute is None else int(minute)


def _in_range(index: int, offered: Sequence[datetime]) -> int | None:
    return index if 0 <= index < len(offered) else None
