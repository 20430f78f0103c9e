"""Prices and budgets in an SMS: "$650,000", "650k", "$1.2m", "1.2 million", "between 600 and 650k", "under 700k".

Leads text numbers that are not prices all the time (ZIP codes, "30-60 days", "3 bed 2 bath", house
numbers, "10:30", phone numbers), so a figure becomes money only when it is written as money
("$", "k", "million", "650,000") or when a price word or the last question says it is.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from bots.nlu.types import PriceRange

# BOTS.md: never a number <= $10,000. Above MAX_PRICE a figure is a typo, not a home.
MIN_PRICE = 10_000
MAX_PRICE = 100_000_000
# A buyer's single figure N is read as a range of roughly 0.8 N to N (BOTS.md, buyer bot).
BUDGET_FLOOR_RATIO = 0.8

PRICE_QUESTION = "price_expectation"
BUDGET_QUESTION = "budget"

_SCALES: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6,
    "millon": 1e6, "millones": 1e6,
}
# Spanish "mil" is a thousand ("650 mil"); English slang "mil" is a million ("1.2 mil"). The size decides.
_MIL_IS_THOUSAND_FROM = 50
# A bare 4-digit figure in this range is a year ("since 1998"), not 1.998 million.
_FIRST_YEAR, _LAST_YEAR = 1900, 2099

# "the high 600s": thousands above the hundred, per part of the hundred.
_PART_OF_HUNDRED = {"": (0, 100), "low": (0, 30), "lower": (0, 30), "mid": (40, 60), "middle": (40, 60),
                    "high": (70, 100), "upper": (70, 100)}


def _hundreds(match: re.Match[str]) -> str:
    base = int(match.group("base"))
    low, high = _PART_OF_HUNDRED[match.group("part") or ""]
    return f"{base + low}k-{base + high}k"


_DIGIT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
               "ninety": 90}
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
_TENS_WORD = "|".join(_TENS_WORDS)


def _spoken_hundreds(match: re.Match[str]) -> str:
    """ "six fifty" is 650 and "seven hundred" 700; the scale or the price word around it does the rest."""
    tens = _TENS_WORDS.get(match.group("tens") or "", 0)
    return str(_DIGIT_WORDS[match.group("hundreds")] * 100 + tens + _DIGIT_WORDS.get(match.group("ones") or "", 0))


# Spoken amounts, rewritten to figures before the scan.
_SPOKEN: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\b(?P<n>[1-9]) and a half (?:million|mil|m)\b"), lambda m: f"{m.group('n')}.5m"),
    (re.compile(r"\b(?:a |one )?million and a half\b|\bone and a half million\b|\bmillon y medio\b"), "1.5m"),
    (re.compile(r"\bhalf (?:a )?million\b|\bmedio millon\b"), "500k"),
    (re.compile(r"\b(?:a|one|un) (?:million|millon)\b"), "1m"),
    (re.compile(r"\b(?:two|dos) (?:million|millones)\b"), "2m"),
    # "6-7 hundred" (thousand, as homes are priced), "like 5 and a half" (550, read as money by its context).
    (re.compile(r"\b(?P<a>[1-9])\s*(?:-|to|or)\s*(?P<b>[1-9])\s+hundred(?:\s+(?:thousand|k))?\b"),
     lambda m: f"{m.group('a')}00k-{m.group('b')}00k"),
    (re.compile(r"\b(?P<n>[1-9]) and a half\b"), lambda m: f"{m.group('n')}50"),
    (re.compile(r"\b(?:(?P<part>low|lower|mid|middle|high|upper)[\s-]+)?\$?(?P<base>[1-9]00)'?s\b"), _hundreds),
    (re.compile(rf"\b(?P<hundreds>{_DIGIT_WORD})\s+(?:hundred\b(?:\s+and)?\s*|(?=(?:{_TENS_WORD})\b))"
                rf"(?:(?P<tens>{_TENS_WORD})(?:[\s-](?P<ones>{_DIGIT_WORD}))?\b)?"), _spoken_hundreds),
)

_AMOUNT = re.compile(
    r"(?P<currency>\$\s*)?(?<![\w.,])(?P<number>\d+(?:[.,]\d+)*)"
    r"(?:\s*(?P<scale>k|m|mm|mil|mill|million|millions|millon|millones|thousand|grand)(?![a-z]))?"
    r"(?:\s*(?P<dollars>dollars|bucks|dolares|usd)\b)?"
)

# Phone numbers first: their groups of digits would otherwise read as a range of two figures.
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b\d{10,11}\b")

# What follows a figure that makes it a count, a duration, a size or a rate, not a price.
_NOT_A_PRICE_AFTER = re.compile(
    r"\s*(?:(?:-|to|or|and|y|a)\s*\d+(?:\.\d+)?\s*)?"
    r"(?:(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|y/?o|beds?|bedrooms?|br|bd|bdrms?|baths?|bathrooms?|ba|"
    r"sq\.?\s?f(?:ee)?t|sqft|square|ft|feet|acres?|percent|mins?|minutes?|hours?|hrs?|am|pm|a\.m|p\.m|cars?|"
    r"stor(?:y|ies)|units?|kids|children|people|times|dias|semanas|meses|anos|recamaras|habitaciones|"
    r"banos|cuartos|o'?clock|th|st|nd|rd)\b"
    r"|%|[/:]\d|(?:a|per|/|each|al|por)\s*(?:month|mo|year|yr|week|mes|ano)\b|monthly|annually|yearly"
    r"|(?:into|in\s+to)\s+(?:it|the\s+(?:house|home|kitchen|roof)|upgrades|repairs|renovations?)\b)"
)
# What right before a bare figure makes it a time, a year or a label ("at 10", "since 2015", "option 2").
_NOT_A_PRICE_BEFORE = re.compile(
    r"(?:\b(?:zip(?:\s?code)?|unit|apt|apartment|suite|ste|lot|option|number|no\.|slot|at|@|in|since|built|year|"
    r"phone|tel|call|room|mls|a las|desde|en|del)|#|[:/-])\s*$"
)
# Words that make a bare "650" a price: "hoping for 650", "asking 650", "budget 600".
_PRICE_WORD_BEFORE = re.compile(
    r"\b(?:asking|ask|hoping|hope|want|wanting|wants|would take|take|get|getting|accept|price|priced|pricing|"
    r"(?:list|listing|sell|selling)\s+(?:it\s+)?(?:for|at)|offer|worth|value|budget|afford|spend|pay|paying|"
    r"approved|qualified|range|around|about|roughly|approximately|approx|like|max|maximum|under|below|up to|"
    r"at least|over|between|from|min|minimum|precio|presupuesto|pedir|pido|quiero|hasta|entre|alrededor de|unos|"
    r"mas o menos|make it|make that|change it to)\b[^.!?\d]{0,20}$"
)
_PRICE_WORD_AFTER = re.compile(r"\s*(?:is\s+|would be\s+)?(?:my|our|the)\s+(?:price|number|budget|bottom line|max)")

# Figures that are someone else's number, not the lead's: an online estimate, what they owe or paid, rent.
_SOMEONE_ELSES = re.compile(
    r"\b(?:zillow|zestimate|redfin|realtor\.com|trulia|estimate[sd]?|apprais\w*|neighbou?rs?|comps?|sold|paid|"
    r"bought|owe|mortgage|loan|balance|payoff|down\s?payment|deposit|earnest|taxes|income|salary|make(?!\s+(?:it|that))|"
    r"rent|hoa|"
    r"they|they'?re|their|next\s+door|down\s+the\s+street|across\s+the\s+street|spent|invested)\b"
)
_OWN_WISH = re.compile(
    r"\b(?:want|wanting|hoping|hope|asking|would take|need|looking for|like to get|budget|quiero|afford|spend|"
    r"pre-?approv\w*|approved)\b"
)
# Whose figure it is and which price word goes with it are said close to it; looking further back only
# costs time on a long message ("Zillow says it's probably worth around 700k" is well inside).
_CLAUSE_LOOKBACK = 80
_CLAUSE_BREAK = re.compile(r"[.;!?\n](?!\d)|,(?!\d)|\bbut\b|\bhowever\b|\bpero\b")

_UPPER_BEFORE = re.compile(
    r"\b(?:under|below|less than|up to|upto|no more than|not more than|max(?:imum)?(?: of)?|at most|no higher than|"
    r"within|hasta|menos de|no mas de|maximo|top)\s*(?:of\s*)?(?:about|around|like|roughly|approximately)?\s*$"
)
_LOWER_BEFORE = re.compile(
    r"\b(?:over|above|at least|more than|minimum(?: of)?|min|no less than|not less than|north of|starting at|"
    r"mas de|minimo|al menos|por lo menos)\s*(?:about|around|like|roughly)?\s*$"
)
_UPPER_AFTER = re.compile(r"\s*(?:or less|or under|or below|or lower|max(?:imum)?|tops|at most|o menos)\b")
_LOWER_AFTER = re.compile(r"\s*(?:\+|(?:plus|or more|or higher|or better|or above|minimum|at least|o mas)\b)")

_RANGE_JOIN = re.compile(r"^\s*(?:-|to|or|and|through|thru|y|a|o)\s*$")
_RANGE_JOIN_NEEDS_LEAD = {"and", "y", "a"}  # "between 600 and 650k", "entre 400 y 500 mil", "de 400 a 500 mil"
_RANGE_LEAD = re.compile(r"\b(?:between|from|entre|de)\s*$")

# Which side of the deal a figure belongs to, from the nearest such word before it.
_SELLER_WORDS = re.compile(
    r"\b(?:sell|selling|list|listing|asking|ask|hoping|hope to get|(?:like|want|need)\s+to\s+get|get for it|"
    r"walk away|net|take for it|(?:i'?d|would|will)\s+take|accept|worth|on\s+the\s+market|vender|vendo|pedir|pido)\b"
)
_BUYER_WORDS = re.compile(
    r"\b(?:budget|afford|spend|pay|paying|pre-?approved|approved|qualif(?:y|ied)|looking|buy|buying|purchase|"
    r"price range|presupuesto|comprar|compro|busco|buscamos)\b"
)


class _Bound(Enum):
    EXACT = "exact"
    UNDER = "under"
    OVER = "over"
    RANGE = "range"


class _Side(Enum):
    SELLER = "seller"
    BUYER = "buyer"
    EITHER = "either"


@dataclass(frozen=True)
class _Amount:
    low: int
    high: int
    bound: _Bound
    side: _Side


@dataclass(frozen=True)
class _Figure:
    value: float
    scale: float | None
    written_as_money: bool  # "$", a scale word, or thousands separators
    start: int
    end: int
    # Written out to the dollar ("5,000", "650.000"): never scaled up to thousands.
    grouped: bool = False


def read_money(text: str, last_question: str | None) -> tuple[PriceRange | None, PriceRange | None]:
    """(price_expectation, budget) found in folded `text`."""
    amounts = _amounts(text, last_question)
    seller = [a for a in amounts if a.side is not _Side.BUYER]
    buyer = [a for a in amounts if a.side is not _Side.SELLER]
    return _span(seller, _as_seller_range), _span(buyer, _as_buyer_range)


class _Message:
    """The folded text and what every figure in it is read against, each scanned once."""

    def __init__(self, text: str, last_question: str | None) -> None:
        for pattern, written in _SPOKEN:
            text = pattern.sub(written, text)
        self.text = _PHONE.sub(lambda match: " " * len(match.group()), text)
        self.last_question = last_question
        self.asked_for_a_price = last_question in {PRICE_QUESTION, BUDGET_QUESTION}
        self._clause_starts = [0] + [match.end() for match in _CLAUSE_BREAK.finditer(self.text)]
        self._seller_words = [match.start() for match in _SELLER_WORDS.finditer(self.text)]
        self._buyer_words = [match.start() for match in _BUYER_WORDS.finditer(self.text)]

    def clause_before(self, position: int) -> str:
        """From the start of the clause that holds `position` (at most a few words back) up to it."""
        start = self._clause_starts[bisect_right(self._clause_starts, position) - 1]
        return self.text[max(start, position - _CLAUSE_LOOKBACK):position]

    def side(self, position: int) -> _Side:
        """Whose figure it is, from the nearest seller or buyer word before it, else from the last question."""
        seller, buyer = _last_before(self._seller_words, position), _last_before(self._buyer_words, position)
        if seller != buyer:  # both -1 when neither is there
            return _Side.SELLER if seller > buyer else _Side.BUYER
        if self.last_question == PRICE_QUESTION:
            return _Side.SELLER
        if self.last_question == BUDGET_QUESTION:
            return _Side.BUYER
        return _Side.EITHER


def _last_before(positions: list[int], position: int) -> int:
    index = bisect_left(positions, position)
    return positions[index - 1] if index else -1


def _amounts(text: str, last_question: str | None) -> list[_Amount]:
    message = _Message(text, last_question)
    figures = [figure for match in _AMOUNT.finditer(message.text) if (figure := _figure(match)) is not None]
    amounts: list[_Amount] = []
    index = 0
    while index < len(figures):
        pair = figures[index:index + 2]
        if len(pair) == 2 and _joined_as_range(message.text, pair[0], pair[1]):
            amount = _range_amount(message, pair[0], pair[1])
            index += 2
        else:
            amount = _single_amount(message, pair[0])
            index += 1
        if amount is not None:
            amounts.append(amount)
    return amounts


def _figure(match: re.Match[str]) -> _Figure | None:
    number = match.group("number")
    scale_word = match.group("scale")
    if "," in number:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
            number, grouped = number.replace(",", ""), True
        elif scale_word and re.fullmatch(r"\d+,\d{1,2}", number):  # Spanish decimal comma: "1,2 millones"
            number, grouped = number.replace(",", "."), False
        else:
            return None
    elif not scale_word and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):  # Spanish grouping: "650.000"
        number, grouped = number.replace(".", ""), True
    else:
        grouped = False
    try:
        value = float(number)
    except ValueError:
        return None
    if scale_word == "mil":
        scale: float | None = 1e3 if value >= _MIL_IS_THOUSAND_FROM else 1e6
    else:
        scale = _SCALES[scale_word] if scale_word else None
    written_as_money = bool(match.group("currency") or match.group("dollars") or scale or grouped)
    return _Figure(value, scale, written_as_money, match.start("number"), match.end(), grouped)


def _joined_as_range(text: str, first: _Figure, second: _Figure) -> bool:
    join = _RANGE_JOIN.match(text[first.end:second.start].replace("$", " "))
    if join is None:
        return False
    if join.group().strip() in _RANGE_JOIN_NEEDS_LEAD:
        return _RANGE_LEAD.search(text, max(0, first.start - 12), first.start) is not None
    return True


def _single_amount(message: _Message, figure: _Figure) -> _Amount | None:
    if _is_not_a_price(message, figure, figure):
        return None
    if figure.scale is not None:
        dollars = figure.value * figure.scale
    elif figure.written_as_money and figure.value > MIN_PRICE:
        dollars = figure.value
    elif figure.grouped:
        return None  # "$5,000" is five thousand dollars, at most a repair, never a home's price
    elif message.asked_for_a_price or _has_price_word(message, figure, figure):
        dollars = _bare_dollars(figure.value)
    else:
        return None
    if not MIN_PRICE < dollars < MAX_PRICE:
        return None
    return _Amount(round(dollars), round(dollars), _bound(message.text, figure, figure), message.side(figure.start))


def _range_amount(message: _Message, first: _Figure, second: _Figure) -> _Amount | None:
    if _is_not_a_price(message, first, second):
        return None
    if first.written_as_money or second.written_as_money:
        low, high = _scaled_pair(first, second)
    elif message.asked_for_a_price or _has_price_word(message, first, second):
        low, high = _bare_dollars(first.value), _bare_dollars(second.value)
    else:
        return None
    low, high = sorted((low, high))
    if not (MIN_PRICE < low and high < MAX_PRICE):
        return None
    return _Amount(round(low), round(high), _Bound.RANGE, message.side(first.start))


def _scaled_pair(first: _Figure, second: _Figure) -> tuple[float, float]:
    """ "between 600 and 650k": the bare end borrows the other end's scale, or thousands if that overshoots."""
    high = second.value * (second.scale or 1)
    low = first.value * (first.scale or 1)
    if first.scale is None and second.scale is not None and not first.written_as_money:
        low = first.value * second.scale
        if low > high and second.scale > 1e3:
            low = first.value * 1e3  # "950 to 1.1m"
    elif second.scale is None and first.scale is not None and not second.written_as_money:
        high = second.value * first.scale
    return low, high


def _bare_dollars(value: float) -> float:
    """A figure with a price word but no scale: "hoping for 650" is 650k and "asking 1.2" is 1.2m.

    Returns 0 (not a price) for what a bare figure usually is instead: a count under 100, a year, and
    any 5-digit figure, because a bare 91730 is a ZIP code.
    """
    if value < 10 and value != int(value):
        return value * 1e6
    if 100 <= value < 10_000 and not _FIRST_YEAR <= value <= _LAST_YEAR:
        return value * 1e3
    if value >= 100_000:
        return value
    return 0.0


def _is_not_a_price(message: _Message, first: _Figure, last: _Figure) -> bool:
    text = message.text
    if _NOT_A_PRICE_AFTER.match(text, last.end):
        return True
    if not first.written_as_money and _NOT_A_PRICE_BEFORE.search(text, max(0, first.start - 15), first.start):
        return True
    clause = message.clause_before(first.start)
    someone_elses = list(_SOMEONE_ELSES.finditer(clause))
    if someone_elses:
        wish = [m for m in _OWN_WISH.finditer(clause) if m.start() > someone_elses[-1].end()]
        return not wish
    return False


def _has_price_word(message: _Message, first: _Figure, last: _Figure) -> bool:
    return bool(_PRICE_WORD_BEFORE.search(message.clause_before(first.start))
                or _PRICE_WORD_AFTER.match(message.text, last.end))


def _bound(text: str, first: _Figure, last: _Figure) -> _Bound:
    before = text[max(0, first.start - 30):first.start].replace("$", " ")
    if _UPPER_BEFORE.search(before) or _UPPER_AFTER.match(text, last.end):
        return _Bound.UNDER
    if _LOWER_BEFORE.search(before) or _LOWER_AFTER.match(text, last.end):
        return _Bound.OVER
    return _Bound.EXACT


def _as_seller_range(amount: _Amount) -> PriceRange:
    # "at least 600k" or "under 700k" from a seller is still the one figure they would feel good about.
    return PriceRange(amount.low, amount.high)


def _as_buyer_range(amount: _Amount) -> PriceRange:
    if amount.bound is _Bound.RANGE:
        return PriceRange(amount.low, amount.high)
    if amount.bound is _Bound.OVER:
        return PriceRange(amount.low, _round_thousand(amount.low / BUDGET_FLOOR_RATIO))
    return PriceRange(_round_thousand(amount.high * BUDGET_FLOOR_RATIO), amount.high)


def _span(amounts: list[_Amount], as_range: Callable[[_Amount], PriceRange]) -> PriceRange | None:
    """Several figures in one message ("650k, maybe 700k") are read as the span they cover."""
    if not amounts:
        return None
    ranges = [as_range(amount) for amount in amounts]
    return PriceRange(min(r.low for r in ranges), max(r.high for r in ranges))


def _round_thousand(dollars: float) -> int:
    return int(round(dollars / 1000) * 1000)
