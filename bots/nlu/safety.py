"""Compliance signals on the Extraction: opt-out and opt-in (TCPA), deletion requests (CCPA), Fair Housing, RESPA,
and prompt injection.

The first five are the inbound screen's decisions (bots.inbound_screen, phrase families in
bots/data/inbound_screen.toml), so a reading and a turn never disagree; injection is the understanding engine's own
guard, kept here.
"""
from __future__ import annotations

import re

# The module, not its names: bots.inbound_screen imports bots.nlu.text, which loads this package first.
from bots import inbound_screen

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
    return inbound_screen.screen(text).has(inbound_screen.ScreenClass.OPT_OUT)


def is_opt_in(text: str) -> bool:
    return inbound_screen.screen(text).has(inbound_screen.ScreenClass.OPT_IN)


def is_deletion_request(text: str) -> bool:
    return inbound_screen.screen(text).has(inbound_screen.ScreenClass.DELETION)


def is_fair_housing_request(text: str) -> bool:
    return inbound_screen.screen(text).has(inbound_screen.ScreenClass.FAIR_HOUSING)


def is_respa_question(text: str) -> bool:
    return inbound_screen.screen(text).has(inbound_screen.ScreenClass.RESPA)


def is_injection(text: str) -> bool:
    return _INJECTION.search(text) is not None
