"""A seller's answers: the property address, why they sell and where they would go, and the home's condition."""
from __future__ import annotations

import re

from bots.nlu.text import STOPWORDS, PhraseTable
from bots.nlu.types import Motivation, PropertyCondition

ADDRESS_QUESTION = "property_address"
MOTIVATION_QUESTION = "motivation"
CONDITION_QUESTION = "property_condition"

_SUFFIX = (r"(?:st|street|ave|avenue|av|rd|road|dr|drive|ln|lane|blvd|boulevard|ct|court|way|pl|place|cir|circle|ter|"
           r"terrace|pkwy|parkway|hwy|highway|trl|trail|loop|sq|square|pt|point|xing|crossing|cv|cove|pass|aly|alley)\.?")
# Spanish-style street names put the street type first: "123 Camino Real", "45 Calle Verde".
_PREFIX = r"(?:calle|via|camino|avenida|paseo|vista|corte|plaza|placita)"
_NAME_WORD = r"(?:\d{1,3}(?:st|nd|rd|th)|[a-z][a-z'.-]*)"
_DIRECTION = r"(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?"
_HOUSE_NUMBER = r"(?<![\w$.,/:-])(?P<number>\d{1,6}[a-z]?)"
_ADDRESS = re.compile(
    rf"{_HOUSE_NUMBER}\s+{_DIRECTION}(?:(?P<name>(?:{_NAME_WORD}\s+){{1,3}}?){_SUFFIX}"
    rf"|{_PREFIX}\s+(?P<prefixed>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}?))(?![\w'])"
)
# Answering "what's the address?", a lead may leave out the street type: "8765 Banyan, Rancho Cucamonga".
_ADDRESS_WITHOUT_SUFFIX = re.compile(
    rf"^\W*{_HOUSE_NUMBER}\s+{_DIRECTION}(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s*(?=[,.]|$)"
)
# Counts and durations look like "<number> <word> <street type>": "30 min drive", "2 car garage way in back".
_COUNTED = frozenset(
    "min mins minute minutes mile miles hour hours day days week weeks month months year years bed beds bedroom "
    "bedrooms bath baths car cars story stories kids times sq ft k percent people blocks block houses homes doors "
    "door offers units".split()
)
_NOT_A_STREET_NAME = _COUNTED | STOPWORDS
_UNIT = re.compile(r"\s*,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*[a-z0-9-]+\b")
_COMMA = re.compile(r"\s*,\s*")
_CITY_WORD = re.compile(r"[a-z][a-z'.-]*")
_STATE_ZIP = re.compile(
    r"\s*,?\s*(?:(?:[a-z]{2}|california)\s*,?\s*\d{5}(?:-\d{4})?|(?:ca|california)\b|\d{5}(?:-\d{4})?)\b"
)
_MAX_CITY_WORDS = 3
# Words after "123 Main St," that are the lead going on, not a city ("4321 Vine St, selling").
_NOT_A_CITY = frozenset("""
selling sell sold buying buy lol thx thanks asap urgent need needs want wanna looking moving help house home
property please pls ok okay yes yeah yep its im just fixer ready hurry cash quick fast vendo vender casa
""".split())

_DISTRESS = (Motivation.INHERITED, Motivation.DIVORCE, Motivation.FINANCIAL)
_MOTIVATIONS: PhraseTable[Motivation] = PhraseTable({
    Motivation.INHERITED: [
        # "the water heater died" and "it passed inspection" are not a death in the family.
        r"inherit\w*", r"probate", r"passed\s+away", r"death\s+in\s+the\s+family",
        r"(?:mom|mother|dad|father|parents?|grandma|grandmother|grandpa|grandfather|aunt|uncle|husband|wife|spouse|"
        r"brother|sister)\s+(?:died|passed(?:\s+on)?)",
        r"(?<!real\s)estate\s+(?:sale|of|property)", r"executor", r"(?:family|living)\s+trust",
        r"(?:my|our)\s+(?:late\s+)?(?:mom|mother|dad|father|parents|grandma|grandmother|grandpa|grandfather|aunt|uncle)"
        r"(?:'?s)?\s+(?:house|home|place|property)",
        r"herencia", r"hered\w*", r"falleci\w*", r"murio", r"sucesion",
    ],
    Motivation.DIVORCE: [
        r"divorc\w*", r"separat(?:ed|ing|ion)", r"split(?:ting)?\s+up", r"(?:broke|breaking)\s+up",
        r"ex[\s-]?(?:wife|husband|spouse)", r"going\s+our\s+separate\s+ways", r"separacion", r"nos\s+separamos",
        r"separados",
    ],
    Motivation.FINANCIAL: [
        r"behind\s+on\s+(?:(?:my|our|the)\s+)?(?:payments|mortgage|taxes|property\s+taxes)", r"foreclos\w*",
        r"pre-?foreclosure", r"(?:can'?t|cannot|can\s+no\s+longer|no\s+longer)\s+afford",
        r"(?:lost|losing)\s+(?:my|our)\s+(?:job|jobs|income)", r"job\s+loss", r"laid\s+off", r"unemployed",
        r"financial(?:ly)?\s+(?:hardship|trouble|issues|problems|reasons|stress|difficult\w*)",
        r"money\s+(?:is\s+)?(?:tight|problems|issues)", r"hardship", r"bankrupt\w*", r"in\s+debt", r"debts?",
        r"medical\s+bills", r"need\s+(?:the\s+)?(?:money|cash)", r"short\s+sale", r"tax\s+lien",
        r"(?:late|missed)\s+payments?", r"notice\s+of\s+default",
        # Paraphrase: "behind 3 months on my mortgage", "got a letter from the bank", "husband quit his job".
        r"behind\s+(?:[\w]+\s+){1,2}on\s+(?:(?:my|our|the)\s+)?(?:payments|mortgage|house\s+payments?|taxes)",
        r"behind\s+(?:on\s+)?(?:\d+|one|two|three|four|a\s+few|few|several|a\s+couple(?:\s+of)?)\s+(?:months?|payments?)",
        r"(?:letter|notice|notices|letters)\s+from\s+(?:the|our|my)\s+(?:bank|lender|mortgage\s+company)",
        r"(?:husband|wife|spouse|partner|i|he|she)\s+(?:just\s+)?(?:quit|lost)\s+(?:his|her|my|their)\s+job",
        r"can'?t\s+(?:keep\s+up\s+with|make)\s+(?:the\s+)?(?:payments|mortgage)",
        r"no\s+(?:puedo|podemos)\s+pagar", r"deudas?", r"embargo", r"ejecucion\s+hipotecaria",
        r"problemas\s+(?:economicos|financieros)", r"perdi\s+(?:mi|el)\s+trabajo",
    ],
    Motivation.RELOCATION: [
        r"re[\s-]?locat\w*", r"new\s+job", r"for\s+(?:my|his|her|our)\s+(?:wife'?s|husband'?s|spouse'?s)?\s*job",
        r"(?:heading|headed|going)\s+(?:back\s+)?(?:out\s+)?to\s+(?!(?:a|the)\s+(?:smaller|bigger)\b)",
        r"job\s+(?:offer|transfer|change)",
        r"(?:got|taking|took|accepted)\s+a\s+(?:new\s+)?job",
        r"transferr?(?:ed|ing)",
        r"(?:work|job|company|employer)\s+(?:is\s+)?(?:moving|transferring|relocating)\s+(?:me|us)",
        r"moving\s+(?:out\s+of\s+(?:state|town|the\s+area|the\s+country)|across\s+the\s+country|back\s+(?:home|east)|"
        r"for\s+(?:work|a\s+job|my\s+job)|closer\s+to|away|abroad|overseas)",
        # "moving to a smaller place" is downsizing and "moving to a bigger house" upgrading, not relocation.
        r"mov(?:e|ing)\s+(?:back\s+)?to(?!\s+(?:a\s+(?:smaller|bigger|larger|one[\s-]story|single[\s-]story|condo|"
        r"townho(?:use|me)|new\s+(?:house|home))|an?\s+(?:apartment|condo)|assisted|be)\b)",
        r"move\s+(?:out\s+of\s+state|closer\s+to|for\s+(?:work|a\s+job))",
        r"closer\s+to\s+(?:(?:my|our|the)\s+)?(?:family|kids|parents|daughter|son|grandkids|grandchildren|mom|dad)",
        r"military", r"pcs(?:ing)?", r"stationed", r"deploy\w*", r"out\s+of\s+state",
        r"me\s+mudo", r"nos\s+mudamos", r"mudar(?:nos|me)", r"mudanza", r"nuevo\s+trabajo", r"trabajo\s+nuevo",
        r"(?:me|nos)\s+transfieren", r"nos\s+vamos\s+a",
    ],
    Motivation.DOWNSIZING: [
        r"downsiz\w*", r"(?:way\s+)?too\s+(?:big|much\s+(?:house|space|room|upkeep|maintenance|yard))",
        r"(?:kids|children)\s+(?:moved\s+out|are\s+grown|left|are\s+gone|grew\s+up)", r"empty[\s-]?nest\w*",
        r"retir(?:e|ed|ing|ement)", r"smaller\s+(?:place|home|house|condo|space)",
        r"(?:don'?t|do\s+not)\s+need\s+(?:all\s+)?(?:this|the|that)\s+(?:space|room)",
        r"(?:can'?t|cannot)\s+keep\s+up\s+with", r"too\s+many\s+stairs", r"getting\s+older",
        r"stairs\s+(?:are|is)\s+(?:too\s+much|hard|difficult|getting\s+hard)", r"assisted\s+living",
        r"senior\s+(?:living|community)", r"(?:muy|demasiado)\s+grande", r"mas\s+pequena", r"jubil\w*",
    ],
    Motivation.UPGRADING: [
        r"upgrad\w*", r"growing\s+family", r"family\s+is\s+growing",
        r"(?:baby|another\s+baby|twins)\s+(?:on\s+the\s+way|coming)",
        r"(?:having|expecting)\s+(?:a\s+)?(?:baby|twins)", r"pregnant",
        r"need(?:s)?\s+(?:more|a\s+bigger)\s+(?:space|room|house|home|place)", r"(?:way\s+)?too\s+small",
        r"outgr(?:own|ew|owing)", r"bigger\s+(?:place|home|house)", r"more\s+(?:space|room|bedrooms)",
        r"casa\s+mas\s+grande", r"(?:necesitamos|necesito)\s+mas\s+espacio", r"bebe", r"(?:muy|demasiado)\s+pequena",
    ],
    Motivation.OTHER: [
        r"landlord", r"tenants?", r"rental(?:\s+property)?", r"investment\s+property", r"cash\s+out",
        r"take\s+advantage\s+of\s+the\s+market", r"(?:good|hot|great)\s+market",
        r"health\s+(?:reasons|issues|problems)",
        r"(?:bad|noisy)\s+neighbou?rs?", r"commute", r"(?:want|need)\s+a\s+change", r"change\s+of\s+scenery",
        r"inquilinos?", r"rentar",
    ],
}, skip_negated=True)
_GOOD = re.compile(
    r"\W*(?:it'?s\s+|its\s+)?(?:in\s+)?(?:pretty|really|very|super)?\s*"
    r"(?:good|great|excellent|decent|fine|nice|solid|ready|move\s+in)\b"
)
# Answering "what makes you think about selling?", any stated reason is a motivation even if it is not listed.
_REASON_GIVEN = re.compile(r"\b(?:because|cause|cuz|bc|since|due\s+to|porque|por\s+que)\s+\w+\s+\w+")

_DESTINATION = re.compile(
    r"\b(?:moving|move|moved|relocating|relocate|relocated|re-locating|re-locate|transferr?(?:ed|ing)|transfer|retiring|"
    r"retire|heading|headed|going\s+back|"
    r"mudar(?:nos|me)?|mudamos|mudo|nos\s+vamos|me\s+voy)\s+(?:back\s+)?"
    r"(?:(?:out|over|down|up)\s+)?(?:to|a)\s+(?P<place>[a-z][a-z.'-]*(?:\s+[a-z][a-z.'-]*){0,3})"
    # Where the new job or the family is, for a relocating seller; "my job in Ontario" alone is just a place.
    r"|\b(?:new\s+job|job\s+offer|new\s+position|(?:got|took|accepted)\s+a\s+job|nuevo\s+trabajo|trabajo\s+nuevo|"
    r"closer\s+to\s+(?:(?:my|our|the)\s+)?(?:family|kids|parents|daughter|son|grandkids)|"
    r"near\s+(?:(?:my|our|the)\s+)?(?:family|kids|parents|daughter|son|grandkids))\s+(?:in|en)\s+"
    r"(?P<place2>[a-z][a-z.'-]*(?:\s+[a-z][a-z.'-]*){0,3})"
)
_NAME_PARTICLES = frozenset({"el", "la", "de", "du", "le", "st", "ft", "mt"})
_OUT_OF_STATE = re.compile(r"\bout\s+of\s+(?:the\s+)?state\b|\bfuera\s+del\s+estado\b")
_NOT_A_DESTINATION_START = frozenset(
    "another be get sell buy find downsize live somewhere something wherever work think take need have do make see "
    "stay smaller bigger larger assisted otra otro vender comprar mudar mudarnos mudarme vivir ir buscar".split()
) | STOPWORDS

# The leftmost phrase wins, so "needs a new roof" is read before the "new roof" inside it, and
# "doesn't need any work" before the "need any work" inside it.
_CONDITIONS: PhraseTable[PropertyCondition] = PhraseTable({
    PropertyCondition.NEEDS_WORK: [
        r"needs?\s+(?:some\s+|a\s+lot\s+of\s+|a\s+little\s+|lots\s+of\s+|major\s+|a\s+bit\s+of\s+)?"
        r"(?:work|repairs?|updating|updates|love|fixing|(?:a\s+)?new\s+roof|remodel(?:ing)?|renovation|everything)",
        r"fixer(?:[\s-]?upper)?", r"dated", r"needs?\s+(?:new\s+)?(?:paint|carpet|flooring|floors)",
        r"original\s+\d{4}\s+(?:everything|kitchen|condition|bathrooms?)", r"outdated",
        r"original\s+(?:condition|kitchen|bathrooms?|everything)",
        r"(?:kitchen|bathrooms?|everything)(?:\s+else)?\s+(?:is\s+|are\s+)?(?:all\s+)?original",
        r"(?:never|not)\s+(?:been\s+)?(?:updated|renovated|remodeled)", r"old\s+roof", r"roof\s+(?:leaks|is\s+leaking)",
        r"leak(?:s|ing)?", r"foundation\s+(?:issues|problems|cracks)", r"water\s+damage", r"mold", r"termites?",
        r"as[\s-]is", r"handyman\s+special", r"(?:rough|bad|poor)\s+(?:shape|condition)",
        r"not\s+(?:in\s+)?(?:great|good|the\s+best|perfect)\s+(?:shape|condition)", r"tlc", r"tear\s?down",
        r"could\s+use\s+(?:some\s+|a\s+little\s+|a\s+lot\s+of\s+)?(?:work|updating|updates|tlc|love|repairs)",
        r"necesita\s+(?:mucho\s+)?(?:trabajo|reparaciones|arreglos)", r"(?:mal|malas)\s+(?:estado|condiciones)",
        r"para\s+remodelar",
    ],
    PropertyCondition.MOVE_IN_READY: [
        r"(?:doesn'?t|does\s+not)\s+need\s+(?:any\s+|much\s+)?(?:work|repairs)", r"no\s+(?:work|repairs)\s+needed",
        r"nothing\s+(?:needs|to)\s+(?:fix|be\s+fixed|fixing)", r"not\s+a\s+fixer", r"move[\s-]?in[\s-]ready",
        r"ready\s+to\s+move\s+in", r"turn\s?key",
        r"(?:great|good|excellent|perfect|amazing|mint|decent|nice|solid|fantastic)\s+"
        r"(?:shape|condition)", r"well\s+(?:maintained|kept|cared\s+for)",
        r"(?:recently\s+|fully\s+|newly\s+|completely\s+|just\s+)?(?:renovated|remodeled|remodelled|updated|upgraded)",
        r"new\s+(?:roof|kitchen|floors?|flooring|paint|hvac|ac|a/c|windows|carpet|appliances|bathrooms?|plumbing|"
        r"electrical|water\s+heater)", r"like\s+new", r"pristine", r"immaculate",
        r"(?:buen|excelente|perfecto|muy\s+buen)\s+estado", r"(?:buenas|excelentes)\s+condiciones", r"remodelada",
        r"renovada", r"lista\s+para\s+(?:vivir|mudarse)",
    ],
})


def read_address(text: str, original: str, last_question: str | None) -> tuple[str | None, tuple[int, int] | None]:
    """The property address as the lead wrote it, and its span, so no other extractor reads its numbers.

    An address needs a house number and a street: "123 Main St, Rancho Cucamonga"; a bare ZIP is not one.
    """
    for match in _ADDRESS.finditer(text):
        group = "name" if match.group("name") else "prefixed"
        if _is_street_name(match.group(group), original[match.start(group):match.end(group)]):
            return _with_city(text, original, match.start("number"), match.end())
    if last_question == ADDRESS_QUESTION:
        bare = _ADDRESS_WITHOUT_SUFFIX.match(text)
        if bare and _is_street_name(bare.group("name"), original[bare.start("name"):bare.end("name")]):
            return _with_city(text, original, bare.start("number"), bare.end())
    return None, None


def _is_street_name(name: str, as_written: str) -> bool:
    """Not a count or a duration ("30 min drive"), unless the lead capitalized it as a name ("92 Day Creek Blvd")."""
    words = name.split()
    written = as_written.split()
    return bool(words) and not any(
        word.strip(".") in _NOT_A_STREET_NAME and not (written[i][:1].isupper() and word.strip(".") in _COUNTED)
        for i, word in enumerate(words)
    )


def _with_city(text: str, original: str, start: int, end: int) -> tuple[str, tuple[int, int]]:
    """Extend a street address over its unit, ", City", state and ZIP."""
    if unit := _UNIT.match(text, end):
        end = unit.end()
    end = _city_end(text, end)
    if state_zip := _STATE_ZIP.match(text, end):
        end = state_zip.end()
    return original[start:end].strip(" ,."), (start, end)


def _city_end(text: str, end: int) -> int:
    comma = _COMMA.match(text, end)
    if comma is None:
        return end
    position = comma.end()
    for count, word in enumerate(_CITY_WORD.finditer(text, position)):
        if count == _MAX_CITY_WORDS or word.group() in STOPWORDS or word.group() in _NOT_A_CITY or \
                text[position:word.start()].strip():
            break
        end = position = word.end()
    return end


def read_motivation(text: str, last_question: str | None) -> Motivation | None:
    """Why they sell. A greeting ("Hi, I'm thinking about selling") names no reason, so it is no motivation.

    When a message gives several reasons, a distress reason wins: it decides the offer type (wholesale).
    """
    found = _MOTIVATIONS.labels(text)
    for reason in _DISTRESS:
        if reason in found:
            return reason
    if found:
        return found[0]
    if last_question == MOTIVATION_QUESTION and _REASON_GIVEN.search(text):
        return Motivation.OTHER
    return None


def read_destination(text: str, original: str) -> tuple[str | None, tuple[int, int] | None]:
    """Where a relocating seller is going ("moving to Austin" -> "Austin"), and its span."""
    position = 0
    # Searched match by match rather than with finditer: in "nos vamos a mudar a Arizona" the first match
    # ("vamos a mudar") is rejected and the right one ("mudar a Arizona") starts inside it.
    while match := _DESTINATION.search(text, position):
        group = "place" if match.group("place") else "place2"
        if found := _place_name(text, original, match.start(group), match.end(group)):
            return found
        position = match.start() + 1
    if match := _OUT_OF_STATE.search(text):
        return "out of state", match.span()
    return None, None


def _place_name(text: str, original: str, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    words = list(_CITY_WORD.finditer(text, start, end))
    if words and words[0].group() == "the":
        words = words[1:]  # "moving to the Bay Area"
    if not words or words[0].group().rstrip(".") in _NOT_A_DESTINATION_START:
        return None
    kept = [words[0]]
    for word in words[1:]:
        if word.group().rstrip(".") in STOPWORDS:
            break
        kept.append(word)
    span = (kept[0].start(), kept[-1].end())
    name = original[span[0]:span[1]].rstrip(".")
    if name.islower():
        # Leads type "moving to austin tx"; the CRM field should read "Austin TX".
        name = " ".join(_capitalized(word) for word in name.split())
    return name, span


def _capitalized(word: str) -> str:
    if len(word) == 2 and word not in _NAME_PARTICLES:
        return word.upper()  # a state: "tx"
    return word.capitalize()


def read_condition(text: str, last_question: str | None) -> PropertyCondition | None:
    """Move-in ready or needs work; any needs-work phrase wins, since it is what decides a wholesale offer."""
    found = _CONDITIONS.labels(text)
    if PropertyCondition.NEEDS_WORK in found:
        return PropertyCondition.NEEDS_WORK
    if found:
        return found[0]
    # Answering "move-in ready or needs work?", a plain "pretty good" is the first.
    if last_question == CONDITION_QUESTION and _GOOD.match(text):
        return PropertyCondition.MOVE_IN_READY
    return None
