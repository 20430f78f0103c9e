"""Compliance signals: opt-out and opt-in (TCPA), deletion requests (CCPA), Fair Housing, prompt injection.

An opt-out missed is a TCPA violation, so a message that is only or mostly an opt-out keyword counts,
however it is spelled or whatever insults surround it; a keyword inside a sentence about something
else ("bus stop", "the end of the street", "cancel the showing?") does not.
"""
from __future__ import annotations

import re
from functools import lru_cache

from bots.nlu.text import PhraseTable

_OPT_OUT_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "unsub", "end", "quit", "cancel", "revoke", "optout",
                               "remove", "cancelar", "alto", "nomas", "baja", "desuscribir", "detener"})
# Misspelled opt-out keywords still count ("stpo", "unsubscibe"), except these, which are real words.
_FUZZY_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "cancelar", "revoke", "remove", "quit"})
_REAL_WORDS_NEAR_KEYWORDS = frozenset({"step", "shop", "atop", "stow", "slop", "stomp", "store", "stole", "stone",
                                       "stove", "top", "sop", "quiet", "quite", "suit", "quilt", "quiz", "quid",
                                       "cancer", "candle", "remote", "revote", "stock", "spot", "snap"})
_OPT_IN_KEYWORDS = frozenset({"start", "unstop", "subscribe", "resubscribe", "resume"})
# Words that may surround a keyword without making it part of another sentence: politeness, emphasis, insults.
_FILLER = frozenset("""
please pls plz now it this me all already ok okay yes just right immediately thanks thank thx you u ya yall y'all
seriously omg god man dude bro lol ugh i said told again for real fr jesus christ sir maam bye goodbye texting texts
text messages messaging damn dammit hell fuck fucking fuckin f freaking frickin shit idiot idiots stupid moron dumb
asshole jerk loser bitch bot robot spam spammer scammer scam crap wtf stfu go away hey hi yo ffs smh pendejo idiota
estupido mierda cabron guey wey porfa por favor gracias oye ahora ahorita
""".split())
_TWO_WORD_KEYWORDS = ((re.compile(r"\bno\s+mas\b"), "nomas"), (re.compile(r"\bopt\s*-?\s*out\b"), "optout"),
                      # "s t o p", "S.T.O.P": spelled out to get past a filter, still a STOP
                      (re.compile(r"\bs[\s.]+t[\s.]+o[\s.]+p\b"), "stop"),
                      (re.compile(r"\bstop\s+all\b"), "stopall"), (re.compile(r"\bun\s?-\s?stop\b"), "unstop"),
                      (re.compile(r"\bre\s?-\s?subscribe\b"), "resubscribe"))
# "STOP STOP" is two keywords; a clause with more words than this is a sentence, not a keyword.
_MOST_KEYWORDS_IN_A_CLAUSE = 3
_CLAUSES = re.compile(r"[.!?;,\n:]+|\s-\s")
_TOKEN = re.compile(r"[a-z0-9']+")

_OPT_OUT_PHRASES: PhraseTable[bool] = PhraseTable({True: [
    r"why\s+don'?t\s+you\s+(?:just\s+)?stop",
    r"stop\s+(?:\w+\s+)?(?:texting|txting|texing|messaging|msging|contacting|sending|bothering|spamming|harass\w*|"
    r"emailing|writing)",
    # "Don't text me after 9" is a quiet-hours wish and "don't call me, text me" a channel choice, not an opt-out.
    r"(?:don'?t|do\s+not)\s+(?:ever\s+)?(?:text|txt|message|contact)\s+(?:me|us|this\s+number)"
    r"(?:\s+(?:again|anymore|any\s?more|ever))?"
    r"(?!\s+(?:after|before|at|until|till|on|during|between|so\s+(?:early|late)|this\s+(?:early|late)|late))",
    r"remove\s+(?:me|my\s+(?:number|info|name))", r"take\s+me\s+off", r"unsubscribe\s+me", r"opt\s*(?:me\s+)?out",
    r"leave\s+me\s+(?:the\s+\w+\s+)?alone", r"knock\s+it\s+off",
    r"never\s+(?:text|txt|message|contact)\s+(?:me|us|this\s+number)", r"(?:f|fuck|eff)\s+off", r"piss\s+off",
    r"go\s+away", r"get\s+lost",
    r"lose\s+my\s+number", r"delete\s+my\s+number", r"wrong\s+(?:number|person|#)",
    r"(?:no|not)\s+(?:more|any\s?more)\s+(?:texts|messages|txts|msgs)", r"stop\s+all",
    r"no\s+(?:me\s+)?(?:escriba|escriban|escribas|mande|manden|mandes|envie|envien|envies|contacte|contacten|"
    r"molest\w*)",
    r"dej(?:a|an|en|e)\s+de\s+(?:escribir|mandar|molestar|enviar)\w*", r"dejame\s+en\s+paz",
    r"no\s+mas\s+(?:mensajes|textos)", r"ya\s+no\s+(?:me\s+)?(?:escrib|mand|envi)\w*",
    r"no\s+(?:me\s+)?(?:vuelva|vuelvan|vuelvas)\s+a\s+(?:escribir|mandar|contactar|llamar|molestar)",
    r"numero\s+equivocado", r"sacame\s+de", r"borra(?:me|r)?\s+de\s+(?:tu|su|la)\s+lista",
    r"(?:se\s+)?equivoca\w*\s+de\s+(?:numero|persona)", r"no\s+soy\s+(?:esa|la)\s+persona",
    r"quita(?:me|rme)\s+de\s+(?:tu|su|la)\s+lista",
    r"no\s+quiero\s+(?:recibir\s+)?(?:mas\s+)?(?:mensajes|textos)",
]}, skip_negated=True)
_OPT_IN_PHRASES: PhraseTable[bool] = PhraseTable({True: [
    r"(?:subscribe|opt\s*(?:me\s+)?(?:back\s+)?in|sign\s+me\s+(?:back\s+)?up)(?:\s+again)?", r"resubscribe",
    r"(?:you\s+can|ok\s+to|okay\s+to|go\s+ahead\s+and)\s+(?:text|message|contact)\s+me\s+again",
    r"start\s+(?:texting|messaging|sending)\s+(?:me\s+)?again", r"unstop",
    r"(?:puedes|pueden|puede)\s+(?:volver\s+a\s+)?escribirme",
]}, skip_negated=True)

_DELETION: PhraseTable[bool] = PhraseTable({True: [
    r"(?:delete|erase|remove|wipe|purge|destroy|scrub)\s+(?:all\s+)?(?:of\s+)?(?:my|our)\s+(?:personal\s+)?"
    r"(?:data|info|information|details|records?|account|profile|contact\s+info|number|phone\s+number|file)",
    r"(?:delete|erase)\s+me\s+from", r"right\s+to\s+(?:be\s+forgotten|delete|deletion|erasure)", r"ccpa", r"cpra",
    r"gdpr", r"do\s+not\s+sell\s+my\s+(?:personal\s+)?(?:info|information|data)",
    r"(?:borra|borrar|borren|eliminar|elimina|eliminen)\s+(?:todos\s+)?(?:mis|mi)\s+(?:datos|informacion|numero|info)",
]})

# Fair Housing: curated phrases that ask to choose people or places by a protected trait (race, colour,
# religion, national origin, sex, familial status, disability; source of income in California), or ask the
# team to characterise a neighbourhood by who lives there, its safety or its schools. Single words are
# never enough: "single-family home", "kids' rooms" and "family room" are ordinary requests.
_GROUP_ADJECTIVE = (r"(?:white|black|african[\s-]american|hispanic|latino|latina|latinx|mexican|asian|chinese|indian|"
                    r"arab|middle[\s-]eastern|muslim|jewish|christian|catholic|mormon|hindu|immigrant|foreign|"
                    r"ethnic|minority|gay|lgbt\w*|english[\s-]speaking|spanish[\s-]speaking)")
_GROUP_PEOPLE = (r"(?:immigrants|foreigners|illegals|illegal\s+aliens|blacks|whites|mexicans|hispanics|latinos|asians|"
                 r"chinese\s+people|indians|arabs|muslims|jews|christians|gays|minorities|section\s+(?:8|eight)"
                 r"(?:\s+\w+)?|welfare\s+\w+|disabled\s+people|handicapped\s+people|wheelchairs?|mentally\s+ill|"
                 r"group\s+homes?)")
_PLACE = r"(?:neighbou?rhoods?|areas?|communit(?:y|ies)|part\s+of\s+town|side\s+of\s+town|streets?|blocks?)"
_PEOPLE = r"(?:families|people|folks|residents|neighbou?rs|buyers|tenants|couples?|family)"
_HOW_MANY = (r"(?:no|not|without|avoid|away\s+from|keep\s+out|only|just|mostly|majority|predominantly|all|lots\s+of|"
             r"a\s+lot\s+of|many|few|fewer|less|more|too\s+many|not\s+(?:too|that|so)\s+many|not\s+many|"
             r"not\s+a\s+lot\s+of|mainly|primarily|heavily)")
_FAIR_HOUSING: PhraseTable[bool] = PhraseTable({True: [
    rf"{_GROUP_ADJECTIVE}\s+{_PLACE}",
    rf"(?:mostly|predominantly|majority|mainly|primarily)\s+{_GROUP_ADJECTIVE}"
    r"(?!\s+(?:cabinets|walls|paint|interior|exterior|kitchen|trim|tile|floors?|house|home))",
    rf"{_HOW_MANY}\s+{_GROUP_ADJECTIVE}\s+{_PEOPLE}",
    rf"{_HOW_MANY}\s+(?:\w+\s+)?{_GROUP_PEOPLE}",
    rf"(?:don'?t|do\s+not|won'?t|will\s+not|wouldn'?t|refuse\s+to|never)\s+(?:want\s+to\s+)?(?:sell|rent)\s+to\s+"
    rf"(?:an?\s+)?(?:{_GROUP_ADJECTIVE}\s+{_PEOPLE}|{_GROUP_PEOPLE}|families\s+with\s+(?:kids|children))",
    rf"(?:only|just)\s+(?:sell|rent)\s+to\s+(?:an?\s+)?(?:{_GROUP_ADJECTIVE}|american)\s+{_PEOPLE}",
    # familial status
    r"(?:without|no|fewer|less|not\s+many|away\s+from|not\s+a\s+lot\s+of)\s+(?:\w+\s+)?(?:kids|children|families)\s+"
    r"(?:around|nearby|in\s+the\s+(?:neighbou?rhood|area)|on\s+the\s+street)",
    rf"{_PLACE}\s+(?:with(?:out)?|that\s+has\s+no|with\s+no|with\s+few)\s+(?:\w+\s+)?(?:kids|children|families)",
    rf"{_PLACE}\s+(?:without|with\s+no|with\s+few|with\s+(?:lots\s+of|a\s+lot\s+of|many))\s+(?:\w+\s+)?{_GROUP_PEOPLE}",
    r"adults?\s+only", r"no\s+(?:kids|children)\s+allowed",
    rf"(?:good|great|best|safe|nice)\s+(?:{_PLACE}|place)\s+for\s+(?:kids|children|families|a\s+family)",
    r"family[\s-](?:friendly|oriented)\s+(?:neighbou?rhood|area|community|street)",
    r"(?:lots\s+of|a\s+lot\s+of|many|other)\s+(?:young\s+)?(?:families|kids)\s+"
    r"(?:around|nearby|in\s+the\s+(?:neighbou?rhood|area)|on\s+the\s+street)",
    # sex
    r"(?:only|no)\s+(?:men|women|males|females)", r"(?:single\s+)?(?:women|men)\s+only",
    r"no\s+(?:gays|lesbians|lgbt\w*|trans\w*)",
    # who lives there
    r"(?:what|which)\s+(?:kind|type|sort)\s+of\s+(?:people|neighbou?rs|families|folks|crowd)",
    r"who\s+lives\s+(?:there|in\s+(?:that|the|this)\s+(?:area|neighbou?rhood))",
    r"(?:racial|ethnic)\s+(?:makeup|mix|composition|breakdown)",
    r"demographics?",
    r"(?:is|are)\s+(?:it|the\s+area|the\s+neighbou?rhood|that\s+area|this\s+area)\s+(?:diverse|integrated|mixed)",
    r"what\s+(?:race|ethnicity|religion)",
    # safety and crime
    r"is\s+(?:it|the\s+area|the\s+neighbou?rhood|that\s+area|that\s+neighbou?rhood|this\s+area|this\s+neighbou?rhood|"
    r"[a-z]+)\s+(?:a\s+)?safe(?!\s+to\b)(?:\s+(?:area|neighbou?rhood|place))?",
    rf"safe\s+(?:{_PLACE}|place\s+to\s+live)", r"crime(?:\s+rate)?", r"(?:low|high)[\s-]crime",
    rf"(?:bad|rough|sketchy|dangerous|shady)\s+{_PLACE}", r"ghetto", r"the\s+hood", r"gangs?",
    r"zona\s+segura", r"barrio\s+seguro", r"(?:es|son)\s+segur[oa]s?", r"crimen", r"delincuencia",
    # school quality
    r"(?:good|great|best|top|top[\s-]rated|highly[\s-]rated|decent|bad|better)\s+schools?(?:\s+districts?)?",
    r"schools?\s+(?:are\s+)?(?:good|great|bad|any\s+good|decent|ok|rated)",
    r"school\s+(?:ratings?|rankings?|scores?|quality)", r"test\s+scores", r"buenas\s+escuelas",
    r"escuelas\s+(?:son\s+)?buenas",
]})

# RESPA bait: a lead asking about referral fees or kickbacks, or whether they must use our lender or title company.
_PROVIDER = (r"(?:lender|loan\s+officer|mortgage\s+(?:guy|person|broker|company)|title\s+(?:company|insurance)|"
             r"escrow(?:\s+company)?|inspector|home\s+warranty)")
_RESPA_QUESTION: PhraseTable[bool] = PhraseTable({True: [
    r"referral\s+(?:fee|bonus|payment|reward|money)s?", r"finder'?s\s+fees?", r"kick\s?backs?",
    r"(?:pay|give)\s+(?:me|us)\s+(?:a\s+|some\s+)?(?:cash\s+)?(?:fee|bonus|cash|money|cut|commission|gift\s+card|"
    r"reward)s?\s+(?:for|if|to)\s+(?:\w+\s+)?(?:referring|refer|send|sending|use|using|bring|bringing)\w*",
    r"(?:do|must|have\s+to|need\s+to|got\s+to|required\s+to)\s+(?:i\s+|we\s+)?(?:have\s+to\s+|need\s+to\s+)?"
    rf"use\s+(?:your|his|jorge'?s|the\s+team'?s|a\s+specific)\s+{_PROVIDER}",
    rf"(?:is|are)\s+(?:your|his|jorge'?s)\s+{_PROVIDER}\s+(?:required|mandatory)",
    rf"(?:get|gets|getting)\s+(?:paid|a\s+cut|money|a\s+fee|something)\s+(?:from|by)\s+(?:the|your|that)\s+{_PROVIDER}",
    rf"(?:split|share)\s+(?:the|your)\s+commission\s+with\s+(?:the|my|a)\s+{_PROVIDER}",
]})

_INJECTION = re.compile("|".join((
    r"\bignore\s+(?:all\s+|any\s+)?(?:(?:the|your|my|previous|prior|above|earlier|preceding|system|these|those|all)"
    r"\s+)*(?:instructions?|prompts?|rules?|directions?|guidelines?|programming|commands?)",
    r"\bdisregard\s+(?:all\s+|any\s+)?(?:(?:the|your|previous|prior|above|earlier|system)\s+)*"
    r"(?:instructions?|prompts?|rules?|messages?)",
    r"\bforget\s+(?:all\s+|everything\s+)?(?:(?:your|previous|prior|the|above)\s+)*"
    r"(?:instructions?|prompts?|rules?|training)",
    r"\b(?:print|reveal|repeat|output|display|dump)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?"
    r"(?:prompt|instructions|rules|guidelines|configuration|initial\s+prompt)",
    # "What are your instructions for the showing?" is a lead's question; "what are your instructions?" is not.
    r"\b(?:show\s+me|tell\s+me|give\s+me|what\s+(?:is|are))\s+(?:your|the)\s+(?:initial\s+)?"
    r"(?:prompt|instructions|rules|guidelines|configuration)\s*(?:[?.!]|$)",
    r"\bsystem\s+prompt", r"\bdeveloper\s+(?:mode|message|instructions)", r"\bjailbreak", r"\bdan\s+mode",
    r"\bdo\s+anything\s+now", r"\byou\s+are\s+now\s+(?:a|an|my|in)\b",
    r"\bfrom\s+now\s+on\s+(?:you|respond|reply|answer|act)", r"\bpretend\s+(?:to\s+be|you\s+are|you'?re)",
    r"\brole\s?play\s+as", r"\bnew\s+instructions?", r"\boverride\s+(?:your|the|all)", r"\brespond\s+only\s+with",
    r"\b(?:act|behave)\s+as\s+(?:if\s+you\s+(?:are|were)|an?\s+(?:ai|assistant|language\s+model|unrestricted))",
    r"(?:^|\n)\s*(?:system|assistant|user|human)\s*:", r"</?\s*(?:system|assistant|user|instructions?|prompt)\s*>",
    r"\[/?inst\]", r"<\|[a-z_]+\|>", r"```",
    # A JSON object ('{"price_expectation": 999999}') is a payload, never a lead's answer.
    r"\{\s*[\"'][^\"']{1,40}[\"']\s*:",
    r"\b(?:price_expectation|seller_temperature|buyer_temperature|lead_score|timeline_acceptable|timeline_urgency|"
    r"property_condition|property_address|relocation_destination|must_haves|buyer_timeline_days|opt_out|sell_intent|"
    r"buy_intent|fair_housing|last_question)\b",
    # Commands to the CRM ("set my price to 5 million", "mark me as hot"); "my budget is 700k" is an answer.
    r"\b(?:set|mark|tag|flag|classify|label)\s+(?:me|this\s+(?:lead|contact)|my\s+(?:lead|status|score|"
    r"temperature|tags?))\s+(?:as|to)\b",
    r"\bset\s+(?:my|the)\s+(?:price|budget|temperature|score|lead\s+score|status|timeline|address|motivation|"
    r"condition|tags?|fields?)\s+(?:to|=|as)\b",
    r"\b(?:ignora|olvida)\s+(?:tus|las|todas\s+las)\s+instrucciones",
)))


def is_opt_out(text: str) -> bool:
    return bool(_OPT_OUT_PHRASES.hits(text)) or _any_clause_is_only(text, _OPT_OUT_KEYWORDS, fuzzy=True)


def is_opt_in(text: str) -> bool:
    return bool(_OPT_IN_PHRASES.hits(text)) or _any_clause_is_only(text, _OPT_IN_KEYWORDS, fuzzy=False)


def is_deletion_request(text: str) -> bool:
    return bool(_DELETION.hits(text))


def is_fair_housing_request(text: str) -> bool:
    return bool(_FAIR_HOUSING.hits(text))


def is_respa_question(text: str) -> bool:
    return bool(_RESPA_QUESTION.hits(text))


def is_injection(text: str) -> bool:
    return _INJECTION.search(text) is not None


def _any_clause_is_only(text: str, keywords: frozenset[str], *, fuzzy: bool) -> bool:
    """True when some clause is a keyword with nothing but filler around it: "STOP!!", "stop it you idiot"."""
    for pattern, joined in _TWO_WORD_KEYWORDS:
        text = pattern.sub(joined, text)
    for clause in _CLAUSES.split(text):
        words = [word for word in _TOKEN.findall(clause) if word not in _FILLER]
        if 0 < len(words) <= _MOST_KEYWORDS_IN_A_CLAUSE and all(_is_keyword(word, keywords, fuzzy) for word in words):
            return True
    return False


def _is_keyword(word: str, keywords: frozenset[str], fuzzy: bool) -> bool:
    return word in keywords or (fuzzy and _is_misspelled_opt_out(word))


@lru_cache(maxsize=4096)
def _is_misspelled_opt_out(word: str) -> bool:
    if word in _REAL_WORDS_NEAR_KEYWORDS:
        return False
    for keyword in _FUZZY_KEYWORDS:
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
