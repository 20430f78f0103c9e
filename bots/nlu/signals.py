"""How the conversation is going: vague answers, stalls, objections, intent, and asks for a human or about AI."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from bots.nlu.text import PhraseTable, blank, fold, is_negated
from bots.nlu.types import Intent, Objection, Stall

INTENT_QUESTION = "intent"
# BOTS.md: each matched buy/sell phrase adds about 0.3, capped at 1.0.
INTENT_PER_PHRASE = 0.3
INTENT_CAP = 1.0

_VAGUE = re.compile(
    r"(?<![\w'])(?:maybe|idk|i\s?dk|i\s+(?:don'?t|dont|do\s+not)\s+know|dunno|(?:don'?t|dont)\s+know|we'?ll\s+see|"
    r"not\s+sure|unsure|no\s+idea|possibly|perhaps|hard\s+to\s+say|(?:it\s+)?depends|who\s+knows|eh+|meh|hm+|kinda|"
    r"sort\s+of|i\s+guess|not\s+certain|undecided|(?:haven'?t|not)\s+decided|tal\s+vez|quizas?|no\s+se|a\s+lo\s+mejor|"
    r"ni\s+idea|quien\s+sabe|puede\s+ser|depende)(?![\w'])"
)

_STALLS: PhraseTable[Stall] = PhraseTable({
    Stall.HAS_AGENT: [
        r"(?:have|got|already\s+have|working\s+with|using|signed\s+with|listed\s+with|hired)\s+(?:an?\s+|my\s+|our\s+)?"
        r"(?:own\s+)?(?:agent|realtor|broker|real\s+estate\s+agent)",
        # "my agent says" has one; "can you act as my agent?" does not.
        r"(?:my|our)\s+(?:agent|realtor|broker)\s+(?:is|said|says|told|will|thinks|already|and\s+i)",
        r"(?:with|ask|call|check\s+with|talk\s+to)\s+(?:my|our)\s+(?:agent|realtor|broker)",
        r"(?:already\s+)?listed\s+(?:it\s+)?with",
        r"(?:i'?m|i\s+am)\s+(?:a|an)\s+(?:realtor|agent|broker)",
        r"(?:cousin|brother|sister|friend|uncle|aunt|wife|husband|neighbou?r|son|daughter|mom|dad)\s+is\s+(?:an?\s+)?"
        r"(?:agent|realtor|broker)",
        r"ya\s+tengo\s+(?:un\s+|una\s+)?(?:agente|realtor|corredor)", r"mi\s+agente",
    ],
    Stall.ONLINE_ESTIMATE: [
        r"zillow", r"zestimate", r"redfin", r"realtor\.com", r"trulia", r"online\s+(?:estimate|value|valuation)",
        r"(?:the\s+)?internet\s+says", r"(?:saw|looked)\s+(?:it\s+)?online", r"estimates?\s+online",
    ],
    Stall.THINKING: [
        r"(?:need|needs|have|got|want|going)\s+to\s+think(?:\s+(?:about\s+it|it\s+over|on\s+it))?", r"let\s+me\s+think",
        r"i'?ll\s+think", r"think(?:ing)?\s+(?:about\s+it|it\s+over)", r"sleep\s+on\s+it", r"mull\s+it\s+over",
        r"not\s+ready\s+to\s+(?:decide|commit|make\s+a\s+decision)",
        r"(?:need|give\s+me)\s+(?:some\s+)?(?:more\s+)?time",
        r"lo\s+(?:voy|vamos)\s+a\s+pensar", r"pensarlo", r"lo\s+pensare",
        r"(?:necesito|necesitamos)\s+(?:mas\s+)?tiempo", r"still\s+deciding",
    ],
    Stall.GET_BACK_LATER: [
        r"get\s+back\s+to\s+you",
        r"(?:i'?ll|i\s+will|we'?ll|we\s+will)\s+(?:circle\s+back|reach\s+out|text\s+you|call\s+you|let\s+you\s+know)",
        r"(?:talk|text|call|reach\s+out|chat|touch\s+base|follow\s+up|hit\s+me\s+up|contact\s+me|try|ask\s+me|"
        r"check\s+back)(?:\s+(?:with\s+)?(?:me|you|again))?\s+(?:later|another\s+time|next\s+(?:week|month)|"
        r"in\s+a\s+(?:few|couple)\s+(?:days|weeks)|after\s+the\s+holidays|tomorrow)",
        r"(?:maybe|ask\s+me)\s+next\s+(?:week|month)",
        r"(?:i'?m|im|we'?re|kinda|pretty|really|very|so)\s+busy",
        r"busy\s+(?:right\s+now|today|this\s+week|at\s+the\s+moment)",
        r"not\s+a\s+good\s+time", r"bad\s+time\s+(?:right\s+now|to\s+talk)", r"(?:i'?m\s+)?at\s+work",
        r"(?:i'?m|im|i\s+am)\s+driving", r"another\s+time", r"not\s+(?:right\s+)?now",
        r"(?<!this\s)later(?!\s+(?:this|in|next))",
        r"(?:mas\s+)?tarde", r"ocupad[oa]s?", r"(?:la\s+)?(?:proxima|otra)\s+semana", r"despues",
    ],
    Stall.JUST_LOOKING: [
        r"just\s+(?:looking|browsing|curious|wondering|checking)", r"window\s+shopping",
        r"(?:checking|testing)\s+(?:out\s+)?the\s+market", r"seeing\s+what'?s\s+out\s+there",
        r"curious\s+(?:what|how\s+much)", r"(?:see|know)\s+what\s+(?:it'?s|my\s+(?:house|home)\s+is)\s+worth",
        r"(?:solo|nomas|nada\s+mas)\s+(?:estoy\s+)?(?:viendo|mirando|preguntando)",
    ],
})

_DECISION_MAKERS = (r"(?:wife|husband|spouse|partner|family|kids|brother|sister|mom|dad|parents|co-?owner|siblings|"
                    r"boyfriend|girlfriend|fiance|fiancee|son|daughter|attorney|lawyer|accountant|cpa|financial\s+advisor)")
_OBJECTIONS: PhraseTable[Objection] = PhraseTable({
    Objection.DECISION_AUTHORITY: [
        rf"(?:check|talk|speak|discuss|consult|ask|confer)\w*(?:\s+(?:it|this|that))?\s+(?:with|to)?\s*"
        rf"(?:my|the|our)\s+{_DECISION_MAKERS}",
        rf"run\s+it\s+(?:by|past)\s+(?:my|the|our)\s+{_DECISION_MAKERS}",
        rf"(?:my|our)\s+{_DECISION_MAKERS}\s+(?:decides|has\s+to\s+agree|needs\s+to\s+agree|has\s+the\s+final\s+say|"
        r"makes\s+the\s+decisions?)",
        r"not\s+(?:just\s+|only\s+)?my\s+decision", r"(?:not|isn'?t)\s+up\s+to\s+me", r"(?:the\s+)?other\s+owners?",
        r"co-?owners?",
        r"(?:hablar|consultar|platicar)(?:lo)?\s+con\s+mi\s+(?:esposa|esposo|familia|pareja|hermano|hermana)",
    ],
    Objection.PRICE: [
        r"too\s+low", r"low\s?ball\w*", r"not\s+enough\s+(?:money|for\s+it|for\s+my\s+(?:house|home))",
        r"(?:i|we)\s+(?:can|could)\s+get\s+more", r"worth\s+(?:way\s+|a\s+lot\s+)?more",
        r"(?:commission|fees?|your\s+fee)\s+(?:is\s+|are\s+)?(?:too\s+)?(?:high|much|expensive)",
        r"too\s+(?:expensive|pricey)", r"(?:prices|homes|houses)\s+(?:are\s+)?(?:too\s+high|crazy|insane|ridiculous)",
        r"overpriced", r"(?:can'?t|cannot)\s+afford", r"out\s+of\s+(?:my|our)\s+(?:price\s+range|budget)",
        r"(?:muy|demasiado)\s+caro", r"muy\s+bajo", r"comision\s+(?:muy\s+)?alta",
    ],
    Objection.TIMING: [
        r"(?:not|isn'?t)\s+(?:the|a)\s+(?:right|good)\s+time", r"bad\s+time\s+to\s+(?:sell|buy)",
        r"(?:wait|waiting)\s+(?:for|until|till)\s+(?:the\s+)?"
        r"(?:market|rates|prices|spring|summer|next\s+year|interest)",
        r"rates\s+(?:are\s+)?(?:too\s+)?high", r"interest\s+rates", r"market\s+(?:is\s+)?(?:slow|bad|crashing|down)",
        r"prices\s+(?:will|might|are\s+going\s+to)\s+(?:drop|come\s+down|fall)", r"(?:want|going)\s+to\s+wait",
        r"no\s+es\s+(?:el\s+|buen\s+)?momento",
    ],
    Objection.COMPETITION: [
        r"(?:other|another|different)\s+(?:agents?|realtors?|brokers?|compan(?:y|ies)|offers?)",
        r"(?:interviewing|talking\s+to|comparing)\s+(?:agents|realtors|other)", r"open\s?door", r"offerpad",
        r"we\s+buy\s+houses", r"ibuyers?", r"flat[\s-]fee", r"discount\s+(?:broker|realtor|agent)", r"redfin\s+agent",
        r"(?:sell|selling|sale)\s+(?:it\s+)?(?:by\s+)?(?:myself|ourselves|on\s+(?:my|our)\s+own)", r"fsbo",
        r"for\s+sale\s+by\s+owner", r"otro\s+agente", r"otra\s+compania",
    ],
    Objection.TRUST: [
        r"scam\w*", r"spam\w*", r"(?:how|where)\s+did\s+you\s+get\s+(?:my|this)\s+(?:number|info|information|contact)",
        r"who\s+(?:is\s+this|are\s+you)", r"who'?s\s+this", r"who\s+is\s+(?:texting|messaging)",
        r"(?:is|are)\s+(?:this|you)\s+legit", r"(?:don'?t|do\s+not)\s+trust",
        r"sounds\s+(?:like\s+a\s+)?(?:scam|fishy|shady)", r"never\s+(?:gave|signed\s+up)",
        r"(?:how|why)\s+do\s+you\s+(?:know|have)\s+(?:my|this)", r"quien\s+(?:es|eres|habla)", r"estafa",
        r"de\s+donde\s+(?:saco|sacaron|obtuvo)\s+mi\s+numero",
    ],
    Objection.VALUE: [
        r"what'?s\s+in\s+it\s+for\s+me",
        r"why\s+(?:should|would)\s+(?:i|we)\s+(?:use|hire|pick|choose|go\s+with|need|work\s+with)\s+"
        r"(?:you|a\s+realtor|an\s+agent)",
        r"what\s+(?:do|can|would)\s+you\s+(?:do|offer|bring)\s+(?:differently|that|for\s+me|better)",
        r"(?:what'?s|what\s+is)\s+the\s+(?:benefit|point|catch)", r"not\s+worth\s+it",
        r"(?:don'?t|do\s+not)\s+see\s+the\s+(?:value|point)", r"why\s+pay\s+(?:a\s+)?(?:realtor|agent|commission)",
        r"(?:don'?t|do\s+not)\s+need\s+(?:a|an)\s+(?:realtor|agent)",
        r"por\s+que\s+(?:debo|deberia)\s+(?:usar|contratar)",
    ],
})

_ASKS_IF_BOT = (
    # "Are you a real estate agent?" is not a question about AI.
    r"(?:are|r)\s+(?:you|u)\s+(?:a\s+|an\s+)?(?:bot|robot|ai|a\.i\.?|machine|computer|real(?!\s+estate)|human|"
    r"(?:a\s+)?real\s+person|(?:a\s+)?person|automated|chat\s?bot|(?:an?\s+)?actual\s+person|chat\s?gpt)",
    r"(?:is|iss)\s+(?:this|it)\s+(?:a\s+|an\s+)?(?:bot|robot|ai|a\.i\.?|automated|machine|computer|"
    r"(?:a\s+)?real\s+person|human|chat\s?gpt|chatbot|(?:a\s+)?person|recording|"
    r"auto(?:mated)?\s+(?:message|text|reply))",
    r"am\s+i\s+(?:talking|texting|chatting|speaking)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:bot|robot|ai|machine|computer|"
    r"real\s+person|human|person|someone\s+real)",
    r"who\s+am\s+i\s+(?:talking|texting|chatting|speaking)\s+(?:to|with)",
    r"(?:is|are)\s+(?:this|these)\s+(?:texts?\s+|messages?\s+)?(?:automated|auto[\s-]?generated)",
    r"(?:eres|es)\s+(?:usted\s+|tu\s+)?(?:un\s+|una\s+)?(?:bot|robot|ia|maquina|persona\s+real|humano)",
    r"(?:estoy\s+)?(?:hablando|hablo)\s+con\s+(?:un\s+|una\s+)?(?:bot|robot|maquina|persona\s+real)",
)
_WANTS_HUMAN = (
    r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|some\s+)?(?:real\s+|actual\s+|live\s+)?(?:person|human|"
    r"agent|realtor|someone|somebody|people|rep|representative|team\s+member|broker)",
    r"(?:real|actual)\s+(?:person|human)", r"live\s+(?:agent|person)", r"human\s+being",
    r"call\s+me", r"give\s+me\s+a\s+(?:call|ring)",
    r"(?:can|could|would|will)\s+(?:you|someone|somebody)\s+(?:call|phone)\s+me",
    r"(?:have|get|can)\s+(?:someone|somebody|an\s+agent|a\s+person)\s+(?:call|contact|reach\s+out\s+to)\s+me",
    r"phone\s+call", r"(?:prefer|rather)\s+(?:to\s+)?(?:talk|call|speak)",
    r"(?:hablar|platicar)\s+con\s+(?:una\s+persona|alguien|un\s+agente)", r"llam(?:a|e|en)me",
    r"(?:me\s+)?(?:puede|pueden|puedes)\s+llamar",
    r"persona\s+real",
)


class _IntentPhrases:
    """Named buy or sell phrases, each compiled on its own, and one regex for any of them."""

    def __init__(self, phrases: tuple[tuple[str, str], ...]) -> None:
        self.each = tuple((name, _whole_words(pattern)) for name, pattern in phrases)
        self.any_of_them = _whole_words("|".join(f"(?:{pattern})" for _, pattern in phrases))


def _whole_words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])")


_SELL_PHRASES = _IntentPhrases((
    ("sell", r"sell(?:ing)?|vender|vendo|vendiendo"),
    ("want to sell",
     r"(?:want|wanting|wanna|need|needs|ready|looking|planning|plan|hoping|trying|thinking\s+(?:about|of)|"
     r"considering|would\s+like)\s+(?:to\s+)?(?:sell|list)(?:ing)?|"
     r"(?:quiero|queremos|necesito|necesitamos|quisiera|pensando\s+en)\s+vender"),
    ("sell my house",
     r"(?:sell|list)(?:ing)?\s+(?:my|our|the|this|mom'?s|dad'?s|a)\s+(?:house|home|property|place|condo|"
     r"townhouse|townhome)|vender\s+(?:mi|nuestra|la)\s+casa"),
    ("home value",
     r"(?:what'?s|what\s+is|how\s+much\s+is)\s+(?:my|our)\s+(?:house|home|place|property)\s+worth|"
     r"home\s+value|value\s+of\s+my\s+(?:house|home)|(?:cuanto|que)\s+vale\s+mi\s+casa"),
    ("how much could I get", r"how\s+much\s+(?:can|could|would)\s+(?:i|we)\s+get"),
    ("offer on my house",
     r"(?:cash\s+)?offer\s+(?:for|on)\s+(?:my|our)|(?:buy|buying|purchase)\s+(?:my|our)\s+"
     r"(?:house|home|property|place)|(?:would|will|can|could|do)\s+you\s+(?:buy|purchase)\s+(?:it|the\s+house)"),
    ("on the market",
     r"(?:put|list|putting|listing)\s+(?:it|the\s+house|my\s+house|our\s+house|the\s+home|our\s+home)"
     r"\s+on\s+the\s+market"),
    ("seller", r"seller"),
))
_BUY_PHRASES = _IntentPhrases((
    # "We buy houses" is a competitor's slogan; "buying my house" and "would you buy it?" come from a seller.
    ("buy",
     r"(?<!we\s)(?<!you\s)(?:buy(?:ing)?|purchas(?:e|ing))"
     r"(?!\s+(?:it\b|(?:my|our)\s+(?:house|home|property|place)))|comprar|compro|comprando"),
    ("want to buy",
     r"(?:want|wanting|wanna|need|ready|looking|planning|plan|hoping|trying|thinking\s+(?:about|of)|"
     r"considering|would\s+like)\s+(?:to\s+)?(?:buy|purchase)(?:ing)?|"
     r"(?:quiero|queremos|necesito|necesitamos|quisiera|buscamos|busco)\s+comprar"),
    ("looking for a home",
     r"(?:looking\s+for|find|finding|searching\s+for|shopping\s+for)\s+(?:a|an|our|my|the)\s+"
     r"(?:[\w-]+\s+){0,2}(?:house|home|place|condo|townhouse|property|bedroom|bed|br)|"
     r"(?:busco|buscamos|buscando)\s+(?:una\s+)?casa"),
    ("house hunting", r"house\s+hunting|home\s+search|home\s+shopping"),
    ("first-time buyer", r"first[\s-]time\s+(?:home\s*)?buyers?"),
    ("I'm a buyer",
     r"(?:i'?m|im|i\s+am)\s+an?\s+(?:[\w-]+\s+)?buyer|(?:we'?re|we\s+are)\s+(?:[\w-]+\s+)?buyers"),
    ("budget", r"budget|presupuesto"),
    ("pre-approved", r"pre[\s-]?approved|pre[\s-]?aprobad[oa]s?"),
    ("tour homes",
     r"(?:see|tour|view|visit|show\s+me)\s+(?:some\s+)?(?:homes|houses|listings|properties)"),
))
# The lead's own plan, said outright, crosses any handoff threshold by itself (BOTS.md "Handoff between bots"):
# one such statement outweighs several passing mentions.
_STRONG_SELL = _whole_words(
    r"(?:have|need|needs|got)\s+to\s+sell\s+(?:(?:our|my|the)\s+)?(?:current\s+|old\s+|own\s+)?"
    r"(?:house|home|place|condo|one|property)?\s*first|"
    r"contingent\s+(?:on|upon)\s+(?:selling|the\s+sale\s+of)|"
    # "once we sell we want to buy": selling comes first, so the seller bot answers and keeps the buyer's wishes.
    r"(?:after|once|when)\s+(?:we|i)\s+sell\b|"
    r"sell\s+(?:ours|our\s+(?:current\s+)?(?:house|home|place))\s+(?:first|before)|"
    r"(?:primero\s+)?(?:tenemos|tengo)\s+que\s+vender\s+(?:nuestra|mi)\s+casa(?:\s+primero)?"
)
_BOTH = re.compile(r"\b(?:both|ambos|ambas|los\s+dos|las\s+dos|buy\s+and\s+sell|sell\s+and\s+buy)\b")
_BARE_SELL = re.compile(r"^\W*(?:sell|selling|sale|vender|venta)\b")
_BARE_BUY = re.compile(r"^\W*(?:buy|buying|purchase|comprar|compra)\b")


def is_vague(text: str) -> bool:
    """A non-answer ("maybe", "idk", "we'll see"); the caller counts it only if nothing else was said."""
    return _VAGUE.search(text) is not None


def read_stall(text: str) -> Stall | None:
    hit = _STALLS.first(text)
    return hit.label if hit else None


def read_objection(text: str) -> Objection | None:
    hit = _OBJECTIONS.first(text)
    return hit.label if hit else None


class IntentReading(NamedTuple):
    buy: float
    sell: float
    buy_phrases: tuple[str, ...]
    sell_phrases: tuple[str, ...]
    intent: Intent


def read_intent(text: str, last_question: str | None) -> IntentReading:
    """Buy and sell intent scores with the phrases behind them, and the triage intent."""
    buy_phrases = _matched(_BUY_PHRASES, text)
    sell_phrases = _matched(_SELL_PHRASES, text)
    buy, sell = _score(buy_phrases), _score(sell_phrases)
    if _STRONG_SELL.search(text):
        sell, sell_phrases = INTENT_CAP, (*sell_phrases, "sell first")
    answering = last_question == INTENT_QUESTION
    if _BOTH.search(text) and (answering or buy or sell) or (buy and sell):
        intent = Intent.BOTH
    elif sell or (answering and _BARE_SELL.match(text)):
        intent = Intent.SELL
    elif buy or (answering and _BARE_BUY.match(text)):
        intent = Intent.BUY
    else:
        intent = Intent.UNCLEAR
    return IntentReading(buy, sell, buy_phrases, sell_phrases, intent)


def _matched(phrases: _IntentPhrases, text: str) -> tuple[str, ...]:
    # Each phrase is searched on its own, so overlapping phrases ("want to sell", "sell my house") both count;
    # one scan for any of them first keeps the common case (no intent words at all) to a single search.
    if not phrases.any_of_them.search(text):
        return ()
    return tuple(name for name, pattern in phrases.each
                 if any(not is_negated(text, match.start()) for match in pattern.finditer(text)))


def _score(phrases: tuple[str, ...]) -> float:
    return round(min(INTENT_CAP, INTENT_PER_PHRASE * len(phrases)), 2)


def read_asks_if_bot_and_wants_human(text: str, agent_names: tuple[str, ...]) -> tuple[bool, bool]:
    """(asks_if_bot, wants_human): "am I talking to a real person?" asks about AI, "I want a real person" for one."""
    asks_if_bot, wants_human = _human_tables(tuple(fold(name) for name in agent_names))
    bot_question = asks_if_bot.hits(text)
    # The words of the AI question ("real person") must not also count as a request for a human.
    rest = blank(text, ((hit.start, hit.end) for hit in bot_question))
    return bool(bot_question), bool(wants_human.hits(rest))


@lru_cache(maxsize=32)
def _human_tables(agent_names: tuple[str, ...]) -> tuple[PhraseTable[bool], PhraseTable[bool]]:
    """Compiled once per set of agent names (a per-location setting)."""
    names = "|".join(re.escape(name) for name in agent_names if name) or r"(?!)"
    # "Is this Jorge?" asks who is typing; "Is this Jorge Salas Realty?" asks which company texted.
    asks_if_bot = PhraseTable({True: [*_ASKS_IF_BOT, rf"is\s+this\s+(?:really\s+)?(?:{names})"
                                      r"(?:\s+(?!realty|team|group|office|company|brokerage|real\b)[a-z]+)?\s*(?:[?.!]|$)"]})
    wants_human = PhraseTable({True: [
        *_WANTS_HUMAN,
        rf"(?:talk|speak|chat|connect|text)\w*\s+(?:to|with|me\s+(?:to|with))\s+(?:{names})",
        rf"(?:{names})\s+(?:call|text|contact|reach)\s+me", rf"is\s+(?:{names})\s+(?:there|available|around|in)",
        rf"where'?s\s+(?:{names})",
        rf"(?:hablar|platicar)\s+con\s+(?:{names})",
    ]}, skip_negated=True)
    return asks_if_bot, wants_human
