"""What a lead's text *does*, beside the fields it fills (BOTS.md "When the lead says something other than an
answer"): a question (and which kind), a feeling, disinterest, a complaint, a correction, or a sign that the
sender is not a lead at all (an agent, a wholesaler, a vendor, spam, a wrong number).

Curated phrases, never single words: "sold" alone is a neighbour's news, "already sold" closes a conversation.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from bots.nlu.text import STOPWORDS, PhraseTable
from bots.nlu.types import Disinterest, Feeling, NotALead, QuestionKind

_PEOPLE = (r"(?:dad|father|mom|mother|mum|husband|wife|son|daughter|brother|sister|grandma|grandmother|grandpa|"
           r"grandfather|parents?|aunt|uncle|spouse|partner|papa|mama|abuela|abuelo|padre|madre|esposo|esposa|hijo|"
           r"hija|hermano|hermana)")

_FEELINGS: PhraseTable[Feeling] = PhraseTable({
    Feeling.GRIEF: [
        rf"(?:my|our)\s+{_PEOPLE}\s+(?:just\s+|recently\s+|suddenly\s+)?(?:died|passed(?:\s+away|\s+on)?|"
        r"is\s+gone)",
        rf"(?:lost|losing)\s+(?:my|our)\s+{_PEOPLE}", r"passed\s+away", r"funeral", r"grieving", r"in\s+mourning",
        rf"(?:murio|fallecio)\s+(?:mi|nuestra?)\s+{_PEOPLE}", rf"mi\s+{_PEOPLE}\s+(?:murio|fallecio)",
    ],
    Feeling.FRUSTRATION: [
        r"(?:are|r)\s+(?:you|u)\s+(?:even\s+)?(?:reading|listening|paying\s+attention)",
        r"(?:did|do)\s+(?:you|u)\s+(?:even\s+)?read\s+(?:my|what)",
        r"(?:i|we)\s+(?:already|just)\s+(?:told|said|answered|gave|sent)",
        r"(?:i|we)\s+told\s+(?:you|u)\s+(?:already|that|twice|before)",
        r"(?:stop|quit)\s+asking\s+(?:me\s+)?(?:the\s+same|that)", r"(?:same|that)\s+question\s+(?:again|twice)",
        r"(?:you|u)\s+(?:keep|kept)\s+asking", r"(?:you|u)\s+(?:already\s+)?asked\s+(?:me\s+)?that",
        r"(?:not|aren'?t|arent)\s+listening", r"(?:ya\s+)?(?:le|te)\s+dije", r"ya\s+(?:le|te)\s+conteste",
    ],
    Feeling.ANGER: [
        r"vultures?", r"(?:ur|you'?re|youre|you\s+are|you\s+people\s+are|y'?all\s+are)\s+(?:all\s+)?(?:such\s+)?"
        r"(?:vultures|sharks|scammers|parasites|leeches|ridiculous|pathetic|useless|disgusting|heartless)",
        r"piss(?:ed|ing)\s+(?:me\s+)?off", r"(?:so|really)\s+(?:mad|angry|pissed)", r"screw\s+(?:you|off)",
        r"go\s+to\s+hell", r"wtf", r"what\s+the\s+(?:hell|heck|fuck|f)\b", r"how\s+dare\s+you",
    ],
    # How the lead feels, said of themselves: "desperate to sell" or "a hard time finding a place" is urgency or a
    # search, and stepping back from it would fail the lead.
    Feeling.DISTRESS: [
        r"(?:i'?m|im|i\s+am|we'?re|we\s+are|i\s+feel|feeling|honestly|so|just)\s+(?:so\s+|really\s+|very\s+|"
        r"just\s+|pretty\s+)?(?:stressed(?:\s+out)?|overwhelmed|scared|terrified|panicking)(?!\s+(?:of|about)\s+"
        r"(?:the\s+)?(?:market|rates|prices))",
        r"freaking\s+out", r"(?:don'?t|dont)\s+know\s+what\s+(?:to\s+do|else\s+to\s+do)",
        r"(?:lose|losing)\s+(?:the|our|my)\s+(?:house|home)", r"(?:going|been)\s+through\s+(?:a\s+lot|hell|"
        r"a\s+(?:hard|tough|rough)\s+time)",
        r"(?:estoy|estamos)\s+(?:muy\s+)?(?:estresad[oa]s?|preocupad[oa]s?|desesperad[oa]s?)",
    ],
})

_DISINTEREST: PhraseTable[Disinterest] = PhraseTable({
    Disinterest.ALREADY_SOLD: [
        r"(?:already|just)\s+(?:sold|closed)", r"(?:it|house|home|place|property)\s+(?:is|was|has\s+been|got)\s+"
        r"(?:already\s+)?sold", # "my neighbor sold last week" is news, not ours.
        r"(?:we|i|we'?ve|i'?ve)\s+(?:just\s+|already\s+)?sold\s+(?:it|the\s+(?:house|home|place)|(?:my|our)\s+"
        r"(?:house|home|place))",
        r"(?:already|just)\s+(?:bought|purchased|found\s+(?:a|our)\s+(?:house|home|place))",
        r"(?:in|under)\s+(?:escrow|contract)\s+(?:already|now|with)", r"ya\s+(?:la\s+)?vend(?:i|imos)",
        r"ya\s+(?:la\s+)?compr(?:e|amos)",
    ],
    Disinterest.BACK_OFF: [
        r"back\s+off", r"leave\s+(?:me|us)\s+(?:the\s+hell\s+)?alone", r"go\s+away", r"lose\s+my\s+number",
        r"(?:quit|stop)\s+(?:bugging|bothering|harassing|pestering|hounding)\s+(?:me|us)",
        r"dejen?me\s+en\s+paz", r"no\s+me\s+(?:molesten|moleste)",
    ],
    Disinterest.NOT_INTERESTED: [
        r"(?:not|no\s+longer|no|nt)\s+interested(?!\s+in\s+(?!selling|buying|moving|this|that|it\b|any))",
        r"not\s+(?:selling|buying|moving)(?:\s+(?:anymore|any\s+more|after\s+all))?(?=\s*(?:[.!,]|$|thanks|"
        r"thank|sorry))",
        r"(?:don'?t|dont|do\s+not)\s+(?:want|wanna|plan|intend)\s+to\s+(?:sell|buy|move)(?=\s*(?:[.!,]|$|anymore))",
        r"changed\s+(?:my|our)\s+minds?", r"no\s+thanks?(?:\s+you)?", r"no\s+thx", r"i'?ll\s+pass",
        r"(?:never\s*mind|nevermind)", r"not\s+for\s+(?:sale|me|us)", r"no\s+me\s+interesa",
        r"no\s+(?:estoy|estamos)\s+interesad[oa]s?", r"no\s+gracias",
    ],
})

_COMPLAINT = re.compile(
    r"(?<![\w'])(?:why\s+(?:the\s+\w+\s+)?(?:are|r|do|does)\s+(?:you|u|y'?all|this\s+number)\s+(?:keep\s+)?"
    r"(?:texting|messaging|calling|contacting|bothering|text|message|call)\s+me"
    # The hour alone is no complaint ("Tuesday at 10am works"): only the texts at that hour are.
    r"|(?:texting|messaging|calling|text|texts|message|messages)\s+(?:me\s+)?(?:at|@)\s+\d"
    r"|too\s+(?:many|much)\s+(?:texts|messages|calls)|(?:so\s+)?many\s+(?:texts|messages)|harass\w*"
    r"|middle\s+of\s+the\s+night|(?:too|so)\s+early\s+(?:to\s+(?:text|message|call)|for\s+(?:texts|this))|(?:report|reporting)\s+(?:you|this)|spamming\s+me"
    r"|(?:this|that)\s+is\s+(?:annoying|rude|unprofessional)|por\s+que\s+me\s+(?:escriben|mandan|manda|escribe))"
    r"(?![\w'])"
)

_NOT_A_LEAD: PhraseTable[NotALead] = PhraseTable({
    NotALead.WRONG_NUMBER: [
        r"wrong\s+(?:number|person|#|guy|girl)", r"(?:you\s+have|you'?ve\s+got|u\s+have|you\s+got)\s+the\s+wrong",
        r"(?:no\s+one|nobody)\s+(?:here\s+)?(?:by|named)\s+that", r"numero\s+equivocado",
        r"se\s+equivoc\w*\s+de\s+numero",
        r"no\s+(?:vive|hay)\s+nadie\s+(?:aqui\s+)?(?:con\s+ese\s+nombre|que\s+se\s+llame)",
    ],
    NotALead.AGENT: [
        r"co-?op(?:erating)?\s+(?:commission|comp|compensation|fee|broker)", r"buyer'?s?\s+(?:agent\s+)?"
        r"(?:commission|compensation|comp)", r"(?:offer|offering|pay|paying)\s+(?:any\s+|the\s+)?(?:buyer|co-?op)",
        r"(?:agent|realtor)\s+here\b",
        r"(?:my|our)\s+(?:buyers?|clients?)\s+(?:is|are|would|want)", r"for\s+my\s+(?:buyers?|clients?)",
        r"showing\s+(?:instructions|request)", r"(?:i'?m|im|i\s+am)\s+(?:an?\s+)?(?:agent|realtor|broker)\s+"
        r"(?:with|at|from|representing)", r"represent(?:ing)?\s+(?:a\s+)?buyers?",
    ],
    NotALead.WHOLESALER: [
        # "We're cash buyers" is often a real buyer: only a wholesaler's own words count.
        r"(?:i|we)\s+buy\s+houses", r"(?:i'?m|im|i\s+am|we'?re|were|we\s+are)\s+(?:an?\s+)?(?:local\s+)?"
        r"wholesalers?", r"assign(?:ment|\s+the\s+contract)",
        r"off[\s-]market\s+(?:deals|properties|listings)", r"(?:distressed|pocket)\s+(?:deals|properties|listings)",
        r"(?:cash\s+)?offer\s+on\s+(?:your|any\s+of\s+your)\s+listings?", r"(?:my|our)\s+buyers?\s+list",
    ],
    NotALead.VENDOR: [
        r"(?:seo|marketing)\s+services", r"lead\s+generation", r"leads\s+for\s+(?:agents|realtors|your\s+team)",
        r"(?:photography|drone|staging|virtual\s+assistant)\s+services", r"(?:grow|scale)\s+your\s+"
        r"(?:business|team|brokerage)", r"(?:partner|partnership)\s+with\s+your\s+(?:team|brokerage|office)",
        r"(?:we|i)\s+help\s+(?:agents|realtors|brokers|teams)",
    ],
    NotALead.SPAM: [
        r"gift\s?cards?", r"(?:you'?ve|you\s+have|u\s+have)\s+won", r"claim\s+your\s+(?:prize|reward|gift)",
        r"bit\.ly", r"tinyurl", r"crypto(?:currency)?", r"bitcoin", r"click\s+(?:here|this\s+link|the\s+link)",
        r"(?:package|parcel)\s+(?:delivery|could\s+not|is\s+on\s+hold)", r"free\s+(?:iphone|gift|vacation)",
    ],
})

_HOME = r"(?:house|home|place|property|condo|townhouse|it)"
_QUESTIONS: PhraseTable[QuestionKind] = PhraseTable({
    QuestionKind.FEES: [
        r"(?:what'?s|whats|what\s+is|how\s+much\s+is|what\s+are)\s+(?:the\s+|your\s+|ur\s+)?(?:commission|fees?|"
        r"percent(?:age)?|cut)", r"(?:how\s+much|what)\s+(?:do|does|would|will)\s+(?:you|u|y'?all|jorge|the\s+team)"
        r"\s+(?:guys\s+)?(?:charge|take|cost|get\s+paid)", r"(?:commission|fees?)\s*\?", r"cuanto\s+cobra\w*",
        r"(?:que|cual\s+es\s+la)\s+comision", r"(?:do|does)\s+(?:you|u|it)\s+(?:charge|cost)",
        r"(?:do|will|would)\s+(?:i|we)\s+(?:have\s+to\s+|need\s+to\s+)?pay\s+(?:you|u|anything|a\s+fee|for)",
        r"how\s+much\s+(?:does|will|would)\s+(?:it|this|that|your\s+service)\s+cost",
    ],
    QuestionKind.VALUE: [
        rf"(?:what'?s|whats|what\s+is|how\s+much\s+is)\s+(?:my|our|the|this)\s+{_HOME}\s+worth",
        r"(?:what'?s|whats|what\s+is)\s+it\s+worth",
        rf"how\s+much\s+(?:is\s+)?(?:my|our|it|the)\s*(?:{_HOME}\s+)?worth",
        r"how\s+much\s+(?:can|could|would|will)\s+(?:i|we)\s+get", rf"what\s+(?:would|will|could)\s+(?:my\s+{_HOME}|it)"
        r"\s+(?:sell|go)\s+for", r"(?:just\s+)?(?:tell|give)\s+me\s+(?:a|the|a\s+ballpark)\s*(?:number|price|value|"
        r"estimate|figure)?", r"(?:cuanto|que)\s+vale",
        r"what\s+(?:can|could|would|will)\s+(?:i|we)\s+get\s+for\s+(?:it|(?:my|our|the)\s+(?:house|home|place))",
        r"(?:home|house)\s+value\s*\?",
    ],
    QuestionKind.PREAPPROVAL: [
        r"(?:do|would)\s+(?:i|we)\s+(?:really\s+)?need\s+(?:that|one|it|a\s+pre\s*-?approval|to\s+(?:be|get)\s+"
        r"pre\s*-?approved)", r"what\s+(?:is|'?s)\s+(?:a\s+)?pre\s*-?approv\w*", r"whats\s+(?:a\s+)?pre\s*-?approv\w*",
        r"how\s+do\s+(?:i|we)\s+get\s+(?:pre\s*-?approved|a\s+pre\s*-?approval)",
        r"why\s+(?:do|would)\s+(?:i|we)\s+need",
        r"(?:necesito|necesitamos)\s+(?:eso|una\s+preaprobacion)",
    ],
    QuestionKind.RATES: [
        r"(?:what\s+are|what'?s|whats|how\s+are|how\s+high\s+are)\s+(?:the\s+)?(?:interest\s+|mortgage\s+)?rates?",
        r"(?:interest|mortgage)\s+rates?\s+(?:right\s+now|now|today|these\s+days|at)", r"tasas?\s+de\s+interes",
    ],
    QuestionKind.SCHOOLS: [
        r"(?:how\s+are|what\s+about|are)\s+the\s+schools", r"(?:which|what)\s+school\s+district",
        r"schools?\s+(?:nearby|around\s+there|in\s+the\s+area)\s*\?", r"(?:que\s+tal\s+)?las\s+escuelas",
    ],
    QuestionKind.FAST_SALE: [
        r"(?:can|could|do|will|would)\s+(?:you|u)\s+(?:guys\s+)?(?:buy|purchase)\s+(?:it|my\s+house|my\s+home|"
        r"the\s+house|houses)", r"(?:can|could|do)\s+(?:you|u)\s+(?:guys\s+)?(?:make|give)\s+(?:me\s+)?(?:a\s+)?"
        r"(?:cash\s+)?offers?",
        r"buy\s+(?:it\s+)?(?:fast|quick|as\s+is)",
        r"how\s+(?:fast|quick(?:ly)?)\s+can\s+(?:you|u|i|we)",
    ],
    QuestionKind.NEXT_STEPS: [
        r"what\s+(?:happens|comes)\s+next", r"what\s+(?:are|r)\s+the\s+next\s+steps?", r"then\s+what",
        r"what\s+now\s*\?", r"(?:y\s+)?(?:ahora\s+)?que\s+sigue",
    ],
    QuestionKind.PROCESS: [
        r"how\s+(?:does|do)\s+(?:this|it|you|the\s+process|selling|buying)\s+(?:\w+\s+)?work",
        r"what'?s\s+the\s+process", r"whats\s+the\s+process", r"what\s+do\s+(?:you|u)\s+(?:guys\s+)?(?:even\s+)?do",
        r"como\s+funciona",
    ],
    QuestionKind.HOW_REACHED: [
        r"(?:how|where)\s+did\s+(?:you|u)\s+(?:guys\s+)?(?:get|find)\s+(?:my|this)\s+(?:number|info|contact|#)",
        r"(?:how|why)\s+do\s+(?:you|u)\s+have\s+my\s+(?:number|info)", r"de\s+donde\s+(?:saco|sacaron)\s+mi\s+numero",
    ],
    # Last: "how does this work" is a question about the process, "how are you" only a courtesy.
    QuestionKind.SMALL_TALK: [
        r"how(?:'?s|\s+is|\s+was)\s+(?:your|ur)\s+(?:day|week|weekend|morning|afternoon|evening|night|holiday)",
        r"how\s+(?:are|r)\s+(?:you|u|ya)(?:\s+(?:doing|today|this\s+morning))*\s*(?:\?|$|[.!,])",
        r"how\s+(?:you|u)\s+(?:been|doing)\s*(?:\?|$|[.!,])", r"how'?s\s+it\s+going", r"hows\s+it\s+going",
        r"(?:como\s+estas?|que\s+tal\s+(?:su|tu)\s+dia)\s*(?:\?|$|[.!,])",
    ],
})

# A question the tables do not know: a question mark, or a question word at the start of a sentence, after a
# greeting or a filler if any ("hey do you do property management", "ok so how does this work").
_ANY_QUESTION = re.compile(
    r"\?|(?:^|[.!,]\s*)(?:(?:hey|hi|hello|hola|ok(?:ay)?|so|and|also|um+|yo|quick\s+question)[\s,:]+(?:so\s+)?)?"
    r"(?:what|how|why|when|where|which|who|can\s+(?:you|u|i|we)|do\s+(?:you|u|i|we)|"
    r"does|is\s+(?:it|there|this)|are\s+(?:you|u|there)|should\s+(?:i|we)|cuanto|como|cuando|donde|por\s+que)\b"
)

_WORDS = re.compile(r"[a-z']+")
_CHECKING_IN = frozenset("hello hi hey hola yo right anyone anybody someone alguien sup huh what".split())

# "Actually", "scratch that", "make it 700k", "I meant": the lead replaces something they said.
_CORRECTION = re.compile(
    r"(?<![\w'])(?:actually|scratch\s+that|never\s*mind\s+(?:the|my|that)\s+(?:last|previous|other)|make\s+(?:it|that)|i\s+meant|correction|change\s+(?:that|it)\s+to|"
    r"not\s+\S+\s*,?\s+(?:but|i\s+mean)|instead|on\s+second\s+thought|en\s+realidad|mejor\s+dicho)(?![\w'])"
)


_FEELING_WEIGHT = (Feeling.GRIEF, Feeling.DISTRESS, Feeling.FRUSTRATION, Feeling.ANGER)


class Acts(NamedTuple):
    question: QuestionKind | None
    feeling: Feeling | None
    disinterest: Disinterest | None
    complaint: bool
    correction: bool
    not_a_lead: NotALead | None


def read_acts(text: str) -> Acts:
    """What this text does; any may be set at once ("my dad just died, whats the house worth?")."""
    feelings = _FEELINGS.labels(text)
    # Grief outweighs the anger that often comes with it ("ur all vultures. my dad JUST died").
    feeling = min(feelings, key=_FEELING_WEIGHT.index) if feelings else None
    disinterest = _DISINTEREST.first(text)
    not_a_lead = _NOT_A_LEAD.first(text)
    return Acts(
        question=read_question(text),
        feeling=feeling,
        disinterest=disinterest.label if disinterest else None,
        complaint=_COMPLAINT.search(text) is not None,
        correction=_CORRECTION.search(text) is not None,
        not_a_lead=not_a_lead.label if not_a_lead else None,
    )


def read_question(text: str) -> QuestionKind | None:
    hit = _QUESTIONS.first(text)
    if hit is not None:
        return hit.label
    # "hello?", "ok?", "you there?" check that someone is there; a question says what it is about.
    if not any(word not in STOPWORDS and word not in _CHECKING_IN for word in _WORDS.findall(text)):
        return None
    return QuestionKind.OTHER if _ANY_QUESTION.search(text) else None
