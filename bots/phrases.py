"""What a bot text must never say: the compliance gate's curated phrase lists, checked on the final text.

Phrases, not single words. HUD's advertising guidance and the Fair Housing Act forbid describing a place by
who lives there (race, colour, religion, national origin, sex, disability, familial status), and steering;
brokerages add safety, crime and school quality because those are the usual proxies. "Single-family home",
"kids' rooms", "family room" and "close to schools" are ordinary real-estate words and pass. RESPA Section 8
forbids referral fees and kickbacks, and Sections 8 and 9 make a required lender or title company a problem.
An AI must never claim to be a person (BOTS.md; California's bot disclosure law, B&P 17941).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Problem(StrEnum):
    FAIR_HOUSING = "fair_housing"
    RESPA = "respa"
    CLAIMS_TO_BE_HUMAN = "claims_to_be_human"


@dataclass(frozen=True)
class Finding:
    """Which rule a text breaks, and which curated phrase group caught it (never the text itself)."""

    problem: Problem
    phrase_group: str


_GROUP = (r"(?:white|black|african[\s-]american|hispanic|latino|latina|latinx|mexican|asian|chinese|indian|arab|"
          r"middle[\s-]eastern|muslim|jewish|christian|catholic|mormon|hindu|buddhist|immigrant|foreign|ethnic|"
          r"minority|gay|lgbt\w*|english[\s-]speaking|spanish[\s-]speaking|korean|vietnamese|filipino)")
_PLACE = r"(?:neighbou?rhoods?|areas?|communit(?:y|ies)|part\s+of\s+town|side\s+of\s+town|streets?|blocks?|enclaves?)"
_WHO = r"(?:families|people|folks|residents|neighbou?rs|crowd|buyers|couples?)"

_FAIR_HOUSING: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern) for name, pattern in {
        "who lives there": (
            rf"{_GROUP}\s+{_PLACE}|{_GROUP}\s+{_WHO}\s+(?:live|living)|(?:mostly|predominantly|largely|mainly|all)\s+"
            rf"{_GROUP}\b(?!\s+(?:cabinets|walls|paint|interior|exterior|kitchen|trim|tile|floors?|finishes|"
            r"appliances|countertops))|(?:racial|ethnic|religious)\s+(?:makeup|mix|composition)|demographics?|"
            r"diverse\s+(?:neighbou?rhood|area|community)|integrated\s+(?:neighbou?rhood|area)|"
            r"(?:kind|type|sort)\s+of\s+(?:people|neighbou?rs|families|crowd)|people\s+like\s+(?:you|us)|"
            r"your\s+(?:kind|type)\s+of\s+(?:people|neighbou?rs|neighbou?rhood)|(?:good|nice|quality)\s+"
            r"(?:people|neighbou?rs|families)\s+live|exclusive\s+(?:neighbou?rhood|community|area)|"
            r"restricted\s+(?:neighbou?rhood|community)"
        ),
        "safety or crime": (
            rf"(?:very\s+|really\s+|pretty\s+)?safe\s+(?:{_PLACE}|place\s+to\s+live|for\s+(?:families|kids|children))|"
            rf"(?:low|high|no|little|zero)[\s-]crime|crime\s+(?:rates?|stats|statistics|is\s+(?:low|high))|"
            rf"crime[\s-]free|(?:dangerous|rough|sketchy|bad|shady|unsafe)\s+{_PLACE}|gang\s+(?:activity|violence|"
            rf"territory|area)|ghetto|the\s+hood\b|(?:is|it'?s|very|really|pretty)\s+safe\b"
            r"(?!\s+to\s+(?:text|reply|send|answer))|zona\s+segura|barrio\s+seguro|delincuencia|crimen"
        ),
        "school quality": (
            r"(?:good|great|best|top|top[\s-]rated|highly[\s-]rated|excellent|better|award[\s-]winning|"
            r"blue[\s-]ribbon|bad|poor|strong)\s+(?:public\s+)?schools?(?:\s+districts?)?|school\s+(?:ratings?|"
            r"rankings?|scores?|quality)|schools?\s+(?:are|is)\s+(?:good|great|excellent|the\s+best|top|rated)|"
            r"test\s+scores|buenas\s+escuelas|mejores\s+escuelas"
        ),
        "familial status": (
            r"(?:perfect|ideal|great|good|best|wonderful)\s+(?:\w+\s+)?(?:for|to\s+raise)\s+(?:a\s+)?(?:young\s+)?"
            r"(?:families|family|kids|children)|family[\s-](?:friendly|oriented)\s+(?:neighbou?rhood|area|community|"
            r"street|block)|no\s+(?:kids|children)|(?:adults|couples|singles|seniors|retirees|empty\s+nesters)\s+only|"
            r"adult\s+(?:neighbou?rhood|community)(?!\s+(?:55|62))|not\s+(?:suitable|ideal|good)\s+for\s+(?:kids|"
            r"children|families)|bachelor\s+pad|(?:lots|plenty)\s+of\s+(?:young\s+)?(?:families|kids)\s+"
            r"(?:around|nearby|on\s+the\s+street|in\s+the\s+(?:area|neighbou?rhood))"
        ),
        "religion": (
            r"(?:near|close\s+to|walk\s+to)\s+(?:the\s+|a\s+)?(?:church|churches|synagogue|mosque|temple)|"
            r"(?:christian|catholic|jewish|muslim|mormon|hindu)\s+(?:home|family|families|neighbou?rhood|community|"
            r"area|buyers?)"
        ),
        "disability": (
            r"no\s+wheelchairs?|able[\s-]bodied|not\s+for\s+(?:the\s+)?(?:handicapped|disabled)|mentally\s+ill|"
            r"no\s+(?:handicapped|disabled)"
        ),
        "steering": (
            r"(?:you(?:'?d|\s+would)|your\s+family\s+would)\s+(?:fit\s+in|feel\s+(?:more\s+)?(?:at\s+home|comfortable))|"
            r"fit\s+in\s+better|(?:better|best|right)\s+(?:neighbou?rhood|area|part\s+of\s+town)\s+for\s+(?:people\s+"
            r"like\s+)?(?:you|your\s+family)|(?:avoid|stay\s+away\s+from|steer\s+clear\s+of)\s+(?:that|the|this)\s+"
            rf"{_PLACE}|(?:only|just)\s+(?:sell|rent|show)\s+to\s+"
        ),
    }.items()
}

_RESPA: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern) for name, pattern in {
        "referral fee or kickback": (
            r"referral\s+(?:fee|bonus|payment|kickback|reward)s?|finder'?s\s+fee|kick\s?backs?|"
            r"(?:we|i|they|the\s+lender)\s+(?:get|gets|receive|receives|earn|earns)\s+(?:paid|a\s+(?:fee|cut|bonus))\s+"
            r"(?:for|when)\s+(?:referring|sending|you\s+use)|(?:pay|give)\s+you\s+(?:\$?\d+\w*|cash|a\s+(?:fee|bonus|"
            r"gift\s+card|reward))\s+(?:for|to|if)\s+(?:referr|using|use|send)|"
            r"(?:gift\s+cards?|cash|bonus|reward)\s+(?:for|if\s+you)\s+(?:referring|using|use|refer|send)|"
            r"split\s+(?:the|our|my)\s+(?:commission|fee)\s+with\s+(?:the|your|a)\s+(?:lender|title|escrow)"
        ),
        "required provider": (
            r"(?:must|have\s+to|need\s+to|required\s+to|will\s+need\s+to|has\s+to)\s+(?:use|go\s+with|work\s+with|"
            r"close\s+with)\s+(?:our|my|his|jorge'?s|the\s+team'?s|a\s+specific|this|that)\s+(?:\w+\s+)?(?:lender|"
            r"loan\s+officer|mortgage\s+(?:company|broker)|title\s+(?:company|insurance)|escrow(?:\s+company)?|"
            r"settlement\s+(?:agent|company)|home\s+warranty|inspector)|required\s+(?:lender|title\s+company|"
            r"escrow\s+company|loan\s+officer)|(?:lender|title\s+company|escrow\s+company)\s+(?:is|are)\s+required|"
            r"only\s+(?:work|works)\s+with\s+(?:buyers|sellers)\s+who\s+use\s+(?:our|my)"
        ),
    }.items()
}

_PERSON_CLAIMS = re.compile(
    r"\b(?:i'?m|i\s+am)\s+(?:a\s+|an\s+)?(?:real\s+|actual\s+|live\s+)?(?:person|human|human\s+being|people)\b|"
    r"\b(?:i'?m|i\s+am)\s+not\s+(?:a\s+|an\s+)?(?:bot|robot|machine|ai|computer|automated)\b|"
    r"\bnot\s+a\s+(?:bot|robot|machine)\b|\bthis\s+is\s+(?:a\s+)?(?:real\s+|live\s+)person\b|"
    r"\b(?:i'?m|i\s+am)\s+(?:a|your)\s+(?:licensed\s+)?(?:real\s+estate\s+)?(?:agent|realtor|broker)\b|"
    r"\bsoy\s+(?:una\s+)?(?:persona|humano|humana)\b|\bno\s+soy\s+(?:un\s+)?(?:bot|robot)\b"
)


def find_problem(text: str, agent_name: str) -> Finding | None:
    """The first rule `text` breaks, or None. `agent_name` is whom the bot speaks for: "this is Jorge" is a
    person's claim when the bot sends it."""
    folded = fold(text)
    for group, pattern in _FAIR_HOUSING.items():
        if pattern.search(folded):
            return Finding(Problem.FAIR_HOUSING, group)
    for group, pattern in _RESPA.items():
        if pattern.search(folded):
            return Finding(Problem.RESPA, group)
    if _PERSON_CLAIMS.search(folded) or _speaks_as_agent(folded, agent_name):
        return Finding(Problem.CLAIMS_TO_BE_HUMAN, "claims to be a person")
    return None


def _speaks_as_agent(folded: str, agent_name: str) -> bool:
    name = re.escape(fold(agent_name))
    # "This is Jorge" or "Jorge here" is the agent speaking; "Jorge's team" and "Jorge will call" are not.
    return bool(agent_name) and re.search(
        rf"(?:\b(?:this\s+is|it'?s|i'?m|i\s+am|soy)\s+{name}\b(?!'|\s+(?:and|'s)\b))|(?:^|[.!?]\s*){name}\s+here\b",
        folded,
    ) is not None


def fold(text: str) -> str:
    """Lower case, curly quotes straightened, accents dropped: phrases are written once, in plain ASCII."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def fit_to_length(text: str, limit: int) -> str | None:
    """`text` within `limit` characters without cutting a sentence: middle sentences are dropped, the first and
    the closing question kept (BOTS.md). None when even that does not fit."""
    text = text.strip()
    if len(text) <= limit:
        return text
    sentences = _SENTENCE.split(text)
    if len(sentences) < 2:
        return None
    first, last = sentences[0], sentences[-1]
    kept = [first]
    for sentence in sentences[1:-1]:
        if len(" ".join([*kept, sentence, last])) <= limit:
            kept.append(sentence)
    shortened = " ".join([*kept, last])
    return shortened if len(shortened) <= limit else None
