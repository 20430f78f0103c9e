"""A buyer's answers: the areas they want, bedrooms and bathrooms, must-haves, and how they would pay."""
from __future__ import annotations

import re

from bots.nlu.text import STOPWORDS, PhraseTable, number_value
from bots.nlu.types import Financing

AREA_QUESTION = "area"
BEDROOMS_QUESTION = "bedrooms"
PREAPPROVAL_QUESTION = "preapproval"

# The market this was first built for (the Inland Empire); a place not listed is still found when it is
# capitalized after "in", "near" or "around", or when it is the whole answer to "which area?".
KNOWN_AREAS: tuple[str, ...] = (
    "Rancho Cucamonga", "Etiwanda", "Alta Loma", "Fontana", "Upland", "Ontario Ranch", "Ontario", "Chino Hills",
    "Chino", "Claremont", "Montclair", "Pomona", "Corona", "Eastvale", "Jurupa Valley", "Mira Loma", "Norco",
    "Riverside", "San Bernardino", "Redlands", "Rialto", "Colton", "Loma Linda", "Highland", "Yucaipa",
    "Grand Terrace", "Bloomington", "Victorville", "Hesperia", "Apple Valley", "Adelanto", "Temecula", "Murrieta",
    "Menifee", "Moreno Valley", "Perris", "Lake Elsinore", "Beaumont", "Banning", "Hemet", "San Jacinto", "La Verne",
    "San Dimas", "Glendora", "Diamond Bar", "Walnut", "West Covina", "Covina", "Azusa", "Los Angeles",
    "Orange County", "Inland Empire", "High Desert",
)
# How leads shorten them.
_AREA_ALIASES = {"rancho": "Rancho Cucamonga", "the ie": "Inland Empire", "oc": "Orange County"}
_AREA_NAMES = {name.lower(): name for name in KNOWN_AREAS} | _AREA_ALIASES
_KNOWN_AREA = re.compile(
    r"\b(?:(?P<side>north|south|east|west|northern|southern|eastern|western|central|downtown|old\s+town)\s+)?"
    rf"(?P<area>{'|'.join(sorted((re.escape(name) for name in _AREA_NAMES), key=len, reverse=True))})\b"
)
_CAPITALIZED_AFTER_PREPOSITION = re.compile(
    r"\b(?i:in|around|near|by|close\s+to|looking\s+at|cerca\s+de|en)\s+(?P<area>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
)
_NOT_AN_AREA = frozenset(
    "I The My Our A An This That It January February March April May June July August September October November "
    "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Spanish English Zillow Redfin Cash Escrow "
    "Spring Summer Fall Winter Christmas Easter".split()
)
# In a short answer to "which area?", these words mean the chunk is not a place: "anywhere", "not sure".
_NOT_PLACE_WORDS = STOPWORDS | frozenset(
    "anywhere somewhere wherever everywhere nowhere anything whatever idk idc dunno hmm hm hmmm possibly perhaps "
    "depends sure yep nope nah cool thanks thx lol haha great good nice fine here nearby local close closer cheap "
    "cheaper cheapest affordable quiet bigger smaller area areas city town neighborhood neighborhoods safe".split()
)
_AREA_ANSWER_SPLIT = re.compile(r"\s*(?:,|/|&|;|\bor\b|\band\b|\by\b|\bo\b)\s*")
_SHORT_AREA_ANSWER_WORDS = 8
_MAX_AREA_WORDS = 3

_COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "uno", "una", "dos",
                "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez")
# "a" and "couple" are left out on purpose: "a bedroom downstairs" is a must-have, not a count.
_COUNT = rf"(?:\d{{1,2}}(?:\.5)?|{'|'.join(_COUNT_WORDS)})"
_BEDROOMS = re.compile(
    rf"(?<![\w.])(?P<count>{_COUNT})(?:\s*(?:\+|-|to|or|o|a)\s*{_COUNT})?\s*\+?\s*-?\s*"
    r"(?:bed(?:room)?s?|br|bd|bdrms?|bdr|recamaras?|habitaciones?|cuartos?|dormitorios?)\b"
)
_BATHROOMS = re.compile(
    rf"(?<![\w.])(?P<count>{_COUNT})(?:\s*(?:\+|-|to|or|o|a)\s*{_COUNT})?\s*\+?\s*-?\s*(?:full\s+)?"
    r"(?:bath(?:room)?s?|ba|banos?)\b"
)
# "3/2" or "4/2.5" is how agents and buyers write beds and baths.
_BEDS_SLASH_BATHS = re.compile(r"(?<![\d/])(?P<beds>[2-7])\s*/\s*(?P<baths>[1-5](?:\.5)?)(?![\d/])(?!\s*acre)")
_BARE_COUNT = re.compile(r"^\D*?(?:at\s+least\s+|minimum\s+|min\s+)?(?P<count>\d{1,2})\b")
_MAX_BEDROOMS = 12

_MUST_HAVES: PhraseTable[str] = PhraseTable({
    "no hoa": [r"no\s+hoa", r"without\s+(?:an\s+)?hoa", r"hoa[\s-]free", r"sin\s+hoa"],
    "single story": [r"single[\s-]stor(?:y|ey)", r"one[\s-]stor(?:y|ey)", r"1[\s-]stor(?:y|ey)", r"single[\s-]level",
                     r"one[\s-]level", r"no\s+stairs", r"ranch[\s-]style", r"un\s+(?:solo\s+)?piso",
                     r"una\s+(?:sola\s+)?planta"],
    "pool": [r"(?:swimming\s+)?pool", r"alberca", r"piscina"],
    "spa": [r"spa", r"jacuzzi", r"hot\s+tub"],
    "garage": [r"garage", r"cochera", r"garaje"],
    "rv parking": [r"rv(?:\s+(?:parking|access|garage))?", r"boat\s+parking"],
    "yard": [r"(?:back\s?)?yard", r"patio", r"jardin"],
    "large lot": [r"(?:big|large|huge)\s+lot", r"acre(?:age|s)?", r"terreno\s+grande"],
    "adu": [r"adu", r"casita", r"guest\s+house", r"granny\s+flat", r"in[\s-]law\s+(?:suite|unit|quarters)"],
    "home office": [r"home\s+office", r"office\s+space", r"(?:an|extra)\s+(?:room\s+for\s+an\s+)?office", r"oficina"],
    "view": [r"(?:city|mountain|ocean|lake|great|nice|good)\s+views?", r"a\s+view"],
    "solar": [r"solar(?:\s+panels)?"],
    "fireplace": [r"fireplace", r"chimenea"],
    "cul-de-sac": [r"cul[\s-]de[\s-]sac"],
    "new construction": [r"new\s+(?:construction|build)", r"newer\s+(?:home|build|house)"],
    "gated community": [r"gated(?:\s+community)?"],
    "downstairs bedroom": [r"(?:bedroom|bed)\s+(?:downstairs|on\s+the\s+(?:first|main|ground)\s+floor)",
                           r"downstairs\s+(?:bedroom|bed)"],
    "central air": [r"central\s+(?:air|ac|a/c)", r"air\s+conditioning"],
    "basement": [r"basement"],
    "horse property": [r"horse\s+(?:property|zoned|zoning)"],
}, skip_negated=True)

_FINANCING: PhraseTable[Financing] = PhraseTable({
    # "not pre-approved yet" and "need to get pre-approved" come before "pre-approved" at the same spot.
    Financing.NONE: [
        r"not\s+(?:yet\s+)?pre[\s-]?(?:approved|qualified)(?:\s+yet)?",
        r"(?:haven'?t|have\s+not|havent)\s+(?:been\s+|gotten\s+|got\s+)?(?:pre[\s-]?approved|talked\s+to\s+(?:a|any)\s+"
        r"(?:lender|bank)|applied)",
        r"no\s+(?:lender|pre[\s-]?approval|financing)(?:\s+yet)?",
        r"need\s+(?:to\s+get\s+)?(?:a\s+lender|pre[\s-]?approved|financing)",
        r"(?:don'?t|do\s+not)\s+have\s+(?:a\s+lender|financing|a\s+pre[\s-]?approval)",
        r"no\s+(?:tengo|tenemos)\s+(?:prestamista|pre[\s-]?aprobacion|credito)",
    ],
    Financing.TALKING_TO_LENDER: [
        r"(?:talking|talked|speaking|spoke|working|meeting|met)\s+(?:to|with)\s+(?:a|my|our|the)\s+"
        r"(?:lender|loan\s+officer|bank|mortgage\s+broker|broker)",
        r"(?:getting|working\s+on\s+getting|in\s+the\s+process\s+of\s+getting|applying\s+for|applied\s+for)\s+"
        r"(?:pre[\s-]?approved|(?:a\s+)?pre[\s-]?approval|a\s+loan|a\s+mortgage)",
        r"loan\s+officer", r"mortgage\s+broker", r"pre[\s-]?qualified", r"prequalified", r"pre[\s-]?calificad[oa]s?",
        r"hablando\s+con\s+(?:un|el|mi)\s+(?:prestamista|banco)",
    ],
    Financing.PRE_APPROVED: [
        r"pre[\s-]?approved", r"pre[\s-]?approval(?:\s+letter)?", r"approved\s+for",
        r"(?:pre[\s-]?)?aprobad[oa]s?", r"preaprobad[oa]s?",
    ],
    Financing.CASH: [
        r"(?:paying|pay|paid|buying|buy|all|in|with)\s+(?:in\s+|all\s+)?cash", r"cash\s+(?:buyers?|purchase)",
        r"(?:have|got)\s+(?:the\s+)?cash", r"(?:en\s+)?efectivo", r"de\s+contado",
    ],
})
_BARE_CASH = re.compile(r"^\W*cash\b")
_BARE_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|we\s+are|i\s+am|si|claro)\b")
_BARE_NO = re.compile(r"^\W*(?:no|nope|nah|not\s+yet|not\s+really|todavia\s+no|aun\s+no)\b(?!\s*(?:se|idea|sure))")


def read_areas(text: str, original: str, last_question: str | None) -> tuple[str, ...]:
    """Neighbourhoods and cities, in the order the lead named them: ("Etiwanda", "north Fontana")."""
    found: list[tuple[int, str]] = []
    for match in _KNOWN_AREA.finditer(text):
        name = _AREA_NAMES[_single_spaced(match.group("area"))]
        side = match.group("side")
        found.append((match.start(), f"{_single_spaced(side)} {name}" if side else name))
    for match in _CAPITALIZED_AFTER_PREPOSITION.finditer(original):
        area = match.group("area")
        if area.split()[0] not in _NOT_AN_AREA and area.lower() not in _AREA_NAMES:
            found.append((match.start("area"), area))
    if not found and last_question == AREA_QUESTION:
        found = list(enumerate(_areas_in_short_answer(text, original)))
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


def _single_spaced(words: str) -> str:
    return " ".join(words.split())


def _areas_in_short_answer(text: str, original: str) -> list[str]:
    if len(text.split()) > _SHORT_AREA_ANSWER_WORDS:
        return []
    areas = []
    position = 0
    for chunk in _AREA_ANSWER_SPLIT.split(text):
        start = text.index(chunk, position)
        position = start + len(chunk)
        words = chunk.strip(" .!?").split()
        if 0 < len(words) <= _MAX_AREA_WORDS and all(w.isalpha() and w not in _NOT_PLACE_WORDS for w in words):
            name = original[start:start + len(chunk)].strip(" .!?")
            areas.append(name.title() if name.islower() else name)
    return areas


def read_bedrooms(text: str, last_question: str | None) -> int | None:
    """The fewest bedrooms they want: "3+ bedrooms", "3-4 bed", "3/2", "three bedroom" are all 3."""
    if match := _BEDROOMS.search(text):
        count = number_value(match.group("count"))
    elif match := _BEDS_SLASH_BATHS.search(text):
        count = float(match.group("beds"))
    elif last_question == BEDROOMS_QUESTION and (match := _BARE_COUNT.match(text)):
        count = float(match.group("count"))
    else:
        return None
    return int(count) if count is not None and 0 < count <= _MAX_BEDROOMS else None


def read_bathrooms(text: str) -> float | None:
    if match := _BATHROOMS.search(text):
        return number_value(match.group("count"))
    if match := _BEDS_SLASH_BATHS.search(text):
        return float(match.group("baths"))
    return None


def read_must_haves(text: str) -> tuple[str, ...]:
    """Features they ask for, by canonical name; "no pool" and "don't need a garage" are not asks."""
    return tuple(_MUST_HAVES.labels(text))


def read_financing(text: str, last_question: str | None) -> Financing | None:
    if hit := _FINANCING.first(text):
        return hit.label
    if last_question != PREAPPROVAL_QUESTION:
        return None
    # Answering "are you pre-approved?", a bare "yes", "no" or "cash" is the answer.
    if _BARE_CASH.match(text):
        return Financing.CASH
    if _BARE_YES.match(text):
        return Financing.PRE_APPROVED
    if _BARE_NO.match(text):
        return Financing.NONE
    return None
