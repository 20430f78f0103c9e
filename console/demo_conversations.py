"""The demo's leads and their SMS threads: scenarios a real brokerage sees (sellers, buyers, stalled and Spanish
sellers, opt-outs, people who want a person), written in the bots' voice (BOTS.md: no emojis, no hyphens)."""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bots.config import DEFAULT_TAGS, BotConfig
from bots.state import ConversationState
from bots.texts import DEFAULT_TEXTS
from bots.workflows.lead import temperature_of
from bots.workflows.seller import offer_type, seller_temperature
from leads.models import (
    BotKind,
    LeadStatus,
    Sender,
    Temperature,
)
from leads.sample_listings import STREETS, Brokerage, street_address

FIRST_NAMES = (
    "James", "Maria", "Jose", "Michael", "David", "Jennifer", "Daniel", "Jessica", "Carlos", "Ashley", "Christopher",
    "Sarah", "Luis", "Elizabeth", "Anthony", "Michelle", "Juan", "Amanda", "Kevin", "Stephanie", "Brian", "Nicole",
    "Jason", "Melissa", "Miguel", "Laura", "Eric", "Andrea", "Ryan", "Vanessa", "Steven", "Angela", "Richard",
    "Patricia", "Thomas", "Linda", "Robert", "Karen", "Mark", "Lisa", "Diana", "Francisco", "Alejandra", "Ricardo",
    "Gabriela", "Victor", "Monica", "Tyler", "Brandon", "Rachel", "Priya", "Raj", "Wei", "Mei", "Minh", "Linh",
    "Grace", "Samuel", "Olivia", "Ethan", "Sophia", "Noah", "Emma", "Isaac", "Hannah", "Omar", "Fatima", "Andre",
)
LAST_NAMES = (
    "Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez", "Ramirez", "Torres",
    "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Cruz", "Ortiz", "Gutierrez", "Chavez", "Smith",
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Nguyen", "Tran", "Pham", "Kim", "Park", "Chen", "Wang", "Patel", "Shah",
    "Singh", "Nakamura", "Tanaka", "Okafor", "Mensah", "Cohen", "Murphy", "Sullivan",
)
# (source, weight): where the brokerage's leads come from.
SOURCES = (("Zillow", 30), ("Facebook Ads", 25), ("Website", 20), ("Referral", 15), ("Open House", 10))
SLOT_TIMES = ("Tuesday 10 AM", "Tuesday 2 PM", "Wednesday 11 AM", "Thursday 9 AM", "Thursday 4 PM", "Friday 1 PM")

# The demo's brokerages keep the bots' defaults (score bands, tags).
DEFAULT_CONFIG = BotConfig.from_overrides({})

# What the bots say in the demo. Texts the bots already have come from `bots.texts`, so the demo reads like them.
BOT_TEXTS: dict[str, list[str]] = {
    **DEFAULT_TEXTS,
    "ask_motivation": [
        "Thanks. What has you thinking about selling, and where would you move next?",
        "Got it. What is making you think about selling, and where would you go?",
    ],
    "ask_timeline_acceptable": [
        "Makes sense. Would a sale within 30 to 45 days work for you?",
        "Thanks for sharing that. Could a sale in the next 30 to 45 days work?",
    ],
    "ask_property_condition": [
        "Good to know. Is the home move in ready, or does it need some work?",
        "Got it. Would you call the home move in ready, or does it need work?",
    ],
    "ask_price_expectation": [
        "Thanks. What price would make you feel good about selling?",
        "Last question. What number would make the sale worth it for you?",
    ],
    "ask_again_motivation": [
        "No problem. Is it a new job, more space, or something else that has you thinking about it?",
    ],
    "move_on_to_timeline": [
        "No worries, we can come back to that. Would a sale within 30 to 45 days work for you?",
    ],
    "seller_wrap_up": [
        "Thanks, that gives Jorge a clear picture. He will text you when the timing fits better.",
        "Got it, no rush on our side. Jorge will check in closer to your timeline.",
    ],
    "ask_bedrooms": [
        "Good choice. How many bedrooms do you need, and what are your must haves?",
        "Great area. How many bedrooms, and anything you cannot live without?",
    ],
    "ask_budget": [
        "Got it. What price range feels comfortable?",
        "Thanks. What budget are you working with?",
    ],
    "ask_financing": [
        "Are you preapproved with a lender yet, or paying cash?",
        "Good to know. Do you have a preapproval, or is this a cash purchase?",
    ],
    "ask_timeline_days": [
        "Thanks. When are you hoping to move?",
        "Great. How soon would you like to be in the new place?",
    ],
    "buyer_matches": [
        "I found {count} homes in {area} with {beds} bedrooms as you wanted, near your budget. "
        "Want me to text them over?",
    ],
    "buyer_no_matches": [
        "Nothing matches all of that in {area} today. Want me to text you as soon as something does?",
    ],
    "offer_slots": [
        "Thanks, that gives Jorge a clear picture. He can call you {slot1}, {slot2} or {slot3}. Reply 1, 2 or 3.",
        "Jorge would like to talk next steps. Reply 1 for {slot1}, 2 for {slot2} or 3 for {slot3}.",
    ],
    "confirm_booking": [
        "You are booked for {slot}. Jorge will call you then.",
        "Done. Jorge will call you {slot}.",
    ],
    "lead_nurture": [
        "Understood. Is buying or selling more likely for you in the next year?",
        "No problem. Would you be more likely to buy or to sell when the time comes?",
    ],
    "handoff_human": [
        "Of course. Jorge will reach out to you shortly.",
        "Sure thing. I let Jorge know and he will text you soon.",
    ],
    "ask_property_address_es": ["Con gusto le ayudo con la venta. ¿Cuál es la dirección de la casa?"],
    "ask_motivation_es": ["Gracias. ¿Por qué está pensando en vender, y a dónde se mudaría?"],
}

# The bots' text keys that are not simply "ask_" + the state field the question fills.
TEXT_OF_QUESTION = {"areas": "ask_area"}

LEAD_OPENERS = (
    "Is the house on {street} still available?", "Hi, got your number from Zillow", "Just curious about the market",
    "Hello, saw your ad", "Who is this? You texted me about a home",
)
LEAD_BROWSING = ("Just looking for now", "Not sure yet, maybe next year", "Still figuring it out")
SELLER_OPENERS = (
    "Hi, I'm thinking about selling my house", "Hello, what could my home sell for right now?",
    "We might sell this year, can you help?", "Thinking about listing our place",
)
SELLER_OPENERS_WITH_ADDRESS = ("Hi, I want to sell my house at {address}", "Thinking about selling {address}")
MOTIVATIONS = (  # (text, motivation, where they would move)
    ("My job is moving me to Phoenix", "relocation", "Phoenix"),
    ("We're relocating to Texas for work", "relocation", "Texas"),
    ("Kids are grown, we want something smaller near the beach", "downsizing", "the coast"),
    ("Retiring and moving closer to family in Arizona", "downsizing", "Arizona"),
    ("We inherited my dad's place and nobody wants to live there", "inherited", None),
    ("Going through a divorce and need to sell", "divorce", None),
    ("Baby number three is coming, we need more room", "upgrading", None),
    ("Payments got too high for us", "financial", None),
)
TIMELINES = (  # (text, acceptable, urgency)
    ("Yes that works", "yes", "high"), ("The sooner the better", "yes", "high"), ("asap honestly", "yes", "high"),
    ("No rush, probably next year", "no", "low"), ("That's fast. Maybe in 6 months", "no", "medium"),
)
CONDITIONS = (
    ("Great shape, we redid the kitchen last year", "move_in_ready"),
    ("New roof and fresh paint, it's turnkey", "move_in_ready"),
    ("It needs work, the bathrooms are dated", "needs_work"),
    ("Honestly it's a fixer", "needs_work"),
)
VAGUE_ANSWERS = ("idk yet", "maybe", "we'll see")
BUYER_OPENERS = (
    "Looking to buy a home", "We want to start looking for a house", "Saw a listing on Zillow, we want to buy",
)
BUYER_OPENERS_WITH_AREA = ("We want to buy in {area}", "Looking for a home in {area}")
MUST_HAVES = (
    ("{beds} bedrooms, a pool would be nice", "pool"),
    ("At least {beds} beds and a big yard", "big yard"),
    ("{beds} bedrooms and a 3 car garage", "three car garage"),
    ("{beds} beds, single story if possible", "single story"),
)
FINANCING = (
    ("Yes, preapproved with our credit union", "pre_approved"), ("We're paying cash", "cash"),
    ("Talking to a lender this week", "talking_to_lender"), ("Not yet", "none"),
)
MOVE_TIMELINES = (
    ("Within 60 days, our lease ends soon", 60), ("In about 3 months", 90),
    ("As soon as we find the right one", 30), ("Sometime next year", 365),
)
OPT_OUTS = ("STOP", "Stop texting me", "Remove me from your list", "UNSUBSCRIBE")
HUMAN_REQUESTS = ("Can I just talk to Jorge?", "Call me instead", "Is there a real person I can talk to?")
HUMAN_TEXTS = (
    "Hi {first}, this is Jorge. Is 4 today a good time for a quick call?",
    "Hi {first}, Jorge here. I can call you tomorrow morning, does that work?",
)
SELLER_QUESTIONS = ("property_address", "motivation", "timeline_acceptable", "property_condition", "price_expectation")
BUYER_QUESTIONS = ("areas", "bedrooms", "budget", "financing", "timeline_days")



@dataclass
class Thread:
    """One lead's SMS thread as the generator writes it: who said what, and the bot's state at the end."""

    rng: random.Random
    first_name: str
    state: ConversationState = field(default_factory=ConversationState)
    texts: list[tuple[Sender, str]] = field(default_factory=list)

    def lead(self, text: str) -> None:
        self.texts.append((Sender.LEAD, text))

    def bot(self, key: str, **values: object) -> None:
        variants = BOT_TEXTS[key]
        index = self.rng.randrange(len(variants))
        text = variants[index].format(**values)
        self.state.last_variant[key] = index
        self.state.last_reply = text
        self.texts.append((Sender.BOT, text))

    def ask(self, question: str) -> None:
        self.bot(TEXT_OF_QUESTION.get(question, f"ask_{question}"))
        self.state.last_question = question

    def human(self, text: str) -> None:
        self.texts.append((Sender.HUMAN, text))


@dataclass
class Lead:
    """Where one demo lead stands: the contact's CRM fields, plus the thread that got them there."""

    thread: Thread
    bot: str
    tags: list[str]
    status: LeadStatus
    temperature: str
    score: int
    custom_fields: dict[str, Any] = field(default_factory=dict)
    opted_out: bool = False
    last_name: str = ""
    source: str = ""



Scenario = Callable[[Thread, Brokerage, Sequence[dict[str, object]]], Lead]
# For each question: the lead's answer, and how that answer fills the bot's state.
Answers = dict[str, tuple[str, Callable[[ConversationState], None]]]


def demo_lead(rng: random.Random, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    scenarios: tuple[tuple[Scenario, int], ...] = (
        (_new_lead, 15), (_seller, 33), (_buyer, 30), (_stalled_seller, 5), (_spanish_seller, 2),
        (_opted_out, 7), (_asked_for_a_human, 8),
    )
    scenario = rng.choices([s for s, _ in scenarios], weights=[w for _, w in scenarios])[0]
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    lead = scenario(Thread(rng, first_name), brokerage, listings)
    lead.last_name = last_name
    lead.source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    return lead


def _new_lead(thread: Thread, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    """A lead the lead bot is still triaging: asked whether they want to buy, sell or both."""
    rng = thread.rng
    thread.state.bot = "lead"
    thread.lead(rng.choice(LEAD_OPENERS).format(street=rng.choice(STREETS)))
    thread.ask("intent")
    if rng.random() < 0.5:
        thread.lead(rng.choice(LEAD_BROWSING))
        thread.state.intent = "unclear"
        thread.bot("lead_nurture")
    score = rng.randint(5, 70)
    temperature = Temperature(temperature_of(score, DEFAULT_CONFIG))
    # A lead with no bot tag gets the lead bot too; GHL workflows do not always add `lead-bot`.
    tags = [DEFAULT_TAGS["lead_bot"]] if rng.random() < 0.7 else []
    tags.append(DEFAULT_TAGS[f"{temperature}_lead"])
    return Lead(thread, BotKind.LEAD, tags, LeadStatus.CONTACTED, temperature, score)


def _seller(
    thread: Thread,
    brokerage: Brokerage,
    listings: Sequence[dict[str, object]],
    *,
    max_answers: int = len(SELLER_QUESTIONS),
) -> Lead:
    """A seller somewhere between the first text and a booked call, answering the questions in order."""
    rng = thread.rng
    thread.state.bot, thread.state.intent = "seller", "sell"
    answers = _seller_answers(rng, brokerage)
    questions = list(SELLER_QUESTIONS)
    # Only a seller who gave the address up front has room for a booking within 12 texts.
    address_first = rng.random() < 0.35
    if address_first:
        text, record = answers[questions.pop(0)]
        thread.lead(rng.choice(SELLER_OPENERS_WITH_ADDRESS).format(address=text))
        record(thread.state)
    else:
        thread.lead(rng.choice(SELLER_OPENERS))
    answered = _how_far(rng, len(questions), max_answers)
    _answer_in_order(thread, questions, answers, answered)
    return _finish_seller(thread, finished=answered == len(questions), may_book=address_first)


def _seller_answers(rng: random.Random, brokerage: Brokerage) -> Answers:
    """What this seller will say to each question, and what each answer fills in the bot's state."""
    address = f"{street_address(rng)}, {rng.choice(brokerage.towns).city}"
    motivation_text, motivation, destination = rng.choice(MOTIVATIONS)
    timeline_text, acceptable, urgency = rng.choice(TIMELINES)
    condition_text, condition = rng.choice(CONDITIONS)
    price = rng.randrange(550, 1250, 25) * 1000
    price_text, low, high = rng.choice((
        (f"Hoping for around ${price:,}", price, price),
        (f"Somewhere between {_spoken(price)} and {_spoken(price + 50_000)}", price, price + 50_000),
        (f"At least {_spoken(price)}", price, None),
    ))

    def set_address(state: ConversationState) -> None:
        state.seller.property_address = address

    def set_motivation(state: ConversationState) -> None:
        state.seller.motivation, state.seller.relocation_destination = motivation, destination

    def set_timeline(state: ConversationState) -> None:
        state.seller.timeline_acceptable, state.seller.timeline_urgency = acceptable, urgency

    def set_condition(state: ConversationState) -> None:
        state.seller.property_condition = condition

    def set_price(state: ConversationState) -> None:
        state.seller.price_low, state.seller.price_high = low, high

    return {
        "property_address": (address, set_address),
        "motivation": (motivation_text, set_motivation),
        "timeline_acceptable": (timeline_text, set_timeline),
        "property_condition": (condition_text, set_condition),
        "price_expectation": (price_text, set_price),
    }


def _finish_seller(thread: Thread, *, finished: bool, may_book: bool) -> Lead:
    """Temperature and tags as BOTS.md defines them; a hot seller is offered call slots, and maybe books one."""
    rng, seller = thread.rng, thread.state.seller
    # The seller bot's own rules (bots.workflows.seller), so the demo cannot drift from them.
    temperature = Temperature(seller_temperature(thread.state, vague=False))
    hot = temperature == Temperature.HOT
    activation = DEFAULT_TAGS["seller_activation"] if rng.random() < 0.7 else DEFAULT_TAGS["seller_lead"]
    tags = [DEFAULT_TAGS[f"{temperature}_seller"]]
    status = LeadStatus.CONTACTED
    if finished and hot:
        tags.append(DEFAULT_TAGS["seller_qualified"])
        status = _offer_and_book(thread, tags) if may_book else _offer_slots(thread)
    elif finished:
        thread.bot("seller_wrap_up")
        thread.state.last_question = None
        tags.insert(0, activation)
        status = LeadStatus.QUALIFIED
    else:
        tags.insert(0, activation)
    fields = {"seller_temperature": str(temperature)}
    kind = offer_type(seller.property_condition, seller.motivation)
    if kind:
        fields["offer_type"] = kind
    return Lead(thread, BotKind.SELLER, tags, status, temperature, _score(rng, temperature), fields)


def _offer_slots(thread: Thread) -> LeadStatus:
    slots = sorted(thread.rng.sample(range(len(SLOT_TIMES)), 3))
    thread.bot("offer_slots", **{f"slot{n}": SLOT_TIMES[slot] for n, slot in enumerate(slots, start=1)})
    thread.state.extra["offered_slots"] = [SLOT_TIMES[slot] for slot in slots]
    thread.state.last_question = "slot_choice"
    return LeadStatus.QUALIFIED


def _offer_and_book(thread: Thread, tags: list[str]) -> LeadStatus:
    """Offer three slots, the lead picks one, the bot confirms and steps aside for the agent."""
    _offer_slots(thread)
    pick = thread.rng.randint(1, 3)
    thread.lead(thread.rng.choice((str(pick), f"{pick} works", f"Number {pick} please")))
    slot = thread.state.extra["offered_slots"][pick - 1]
    thread.bot("confirm_booking", slot=slot)
    thread.state.extra["booked_slot"] = slot
    thread.state.last_question = None
    tags += [DEFAULT_TAGS["human_follow_up"], DEFAULT_TAGS["ai_off"]]
    # Most booked calls are still ahead; a few already turned into a signed listing or a closing.
    return thread.rng.choices(
        (LeadStatus.APPOINTMENT, LeadStatus.UNDER_CONTRACT, LeadStatus.WON), weights=(6, 2, 1)
    )[0]


def _stalled_seller(thread: Thread, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    """A seller who gave the address, then stalled on the motivation twice; the bot moved on, as BOTS.md says."""
    rng = thread.rng
    thread.state.bot, thread.state.intent = "seller", "sell"
    address, record_address = _seller_answers(rng, brokerage)["property_address"]
    thread.lead(rng.choice(SELLER_OPENERS))
    thread.ask("property_address")
    thread.lead(address)
    record_address(thread.state)
    thread.ask("motivation")
    first, second = rng.sample(VAGUE_ANSWERS, 2)
    thread.lead(first)
    thread.bot("ask_again_motivation")
    thread.lead(second)
    thread.bot("move_on_to_timeline")
    thread.state.last_question = "timeline_acceptable"
    thread.state.vague_streak = 2
    tags = [DEFAULT_TAGS["seller_activation"], DEFAULT_TAGS["cold_seller"]]
    return Lead(thread, BotKind.SELLER, tags, LeadStatus.CONTACTED, Temperature.COLD, _score(rng, Temperature.COLD))


def _spanish_seller(thread: Thread, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    """A seller who writes in Spanish and gets Spanish back."""
    rng = thread.rng
    thread.state.bot, thread.state.intent = "seller", "sell"
    address, record_address = _seller_answers(rng, brokerage)["property_address"]
    thread.lead("Hola, quiero vender mi casa")
    thread.bot("ask_property_address_es")
    thread.state.last_question = "property_address"
    thread.lead(address)
    record_address(thread.state)
    thread.bot("ask_motivation_es")
    thread.state.last_question = "motivation"
    tags = [DEFAULT_TAGS["seller_activation"], DEFAULT_TAGS["cold_seller"]]
    return Lead(thread, BotKind.SELLER, tags, LeadStatus.CONTACTED, Temperature.COLD, _score(rng, Temperature.COLD))


def _buyer(
    thread: Thread,
    brokerage: Brokerage,
    listings: Sequence[dict[str, object]],
    *,
    max_answers: int = len(BUYER_QUESTIONS),
) -> Lead:
    """A buyer somewhere between the first text and a booked call: needs first, then money."""
    rng = thread.rng
    thread.state.bot, thread.state.intent = "buyer", "buy"
    answers = _buyer_answers(rng, brokerage)
    questions = list(BUYER_QUESTIONS)
    area_first = rng.random() < 0.4
    if area_first:
        text, record = answers[questions.pop(0)]
        thread.lead(rng.choice(BUYER_OPENERS_WITH_AREA).format(area=text))
        record(thread.state)
    else:
        thread.lead(rng.choice(BUYER_OPENERS))
    answered = _how_far(rng, len(questions), max_answers)
    _answer_in_order(thread, questions, answers, answered)
    return _finish_buyer(thread, listings, finished=answered == len(questions), may_book=area_first)


def _buyer_answers(rng: random.Random, brokerage: Brokerage) -> Answers:
    """What this buyer will say to each question, and what each answer fills in the bot's state."""
    town = rng.choice(brokerage.towns)
    area = rng.choice((town.city, rng.choice(town.neighbourhoods)))
    beds = rng.choice((3, 3, 4, 4, 5))
    must_have_text, must_have = rng.choice(MUST_HAVES)
    top = rng.randrange(500, 1300, 50) * 1000
    budget_text, low, high = rng.choice((
        (f"Under {_spoken(top)}", int(top * 0.8), top),
        (f"Between {_spoken(top - 100_000)} and {_spoken(top)}", top - 100_000, top),
        (f"{_spoken(top)} max", int(top * 0.8), top),
    ))
    financing_text, financing = rng.choice(FINANCING)
    timeline_text, days = rng.choice(MOVE_TIMELINES)

    def set_areas(state: ConversationState) -> None:
        state.buyer.areas = [area]

    def set_bedrooms(state: ConversationState) -> None:
        state.buyer.bedrooms, state.buyer.must_haves = beds, [must_have]

    def set_budget(state: ConversationState) -> None:
        state.buyer.budget_low, state.buyer.budget_high = low, high

    def set_financing(state: ConversationState) -> None:
        state.buyer.financing = financing

    def set_timeline(state: ConversationState) -> None:
        state.buyer.timeline_days = days

    return {
        "areas": (area, set_areas),
        "bedrooms": (must_have_text.format(beds=beds), set_bedrooms),
        "budget": (budget_text, set_budget),
        "financing": (financing_text, set_financing),
        "timeline_days": (timeline_text, set_timeline),
    }


def _finish_buyer(thread: Thread, listings: Sequence[dict[str, object]], *, finished: bool, may_book: bool) -> Lead:
    """Temperature and tags as BOTS.md defines them; a finished buyer hears about real matches from the listings."""
    rng, buyer = thread.rng, thread.state.buyer
    ready = buyer.financing in ("pre_approved", "cash")
    hot = ready and buyer.budget_high is not None and buyer.timeline_days is not None and buyer.timeline_days <= 90
    temperature = Temperature.HOT if hot else Temperature.WARM if ready or buyer.budget_high else Temperature.COLD
    tags = [DEFAULT_TAGS["buyer_lead"], DEFAULT_TAGS[f"{temperature}_buyer"]]
    if temperature != Temperature.COLD:
        tags.append(DEFAULT_TAGS["buyer_qualified"])
    status = LeadStatus.QUALIFIED if temperature != Temperature.COLD else LeadStatus.CONTACTED
    if finished and hot:
        status = _offer_and_book(thread, tags) if may_book else _offer_slots(thread)
    elif finished:
        _tell_matches(thread, listings)
    fields = {"buyer_temperature": str(temperature)}
    return Lead(thread, BotKind.BUYER, tags, status, temperature, _score(rng, temperature), fields)


def _tell_matches(thread: Thread, listings: Sequence[dict[str, object]]) -> None:
    """Count the listings BOTS.md would match (price within 20 % of the budget top, enough bedrooms, in the area)."""
    buyer = thread.state.buyer
    area, beds, top = buyer.areas[0], buyer.bedrooms or 0, buyer.budget_high or 0
    count = sum(
        1 for row in listings
        if area in (row["City"], row.get("SubdivisionName"), row.get("Neighborhood"))
        and int(str(row["BedroomsTotal"])) >= beds
        and abs(int(str(row["ListPrice"])) - top) <= 0.2 * top
    )
    if count:
        thread.bot("buyer_matches", count=min(count, 5), area=area, beds=beds)
    else:
        thread.bot("buyer_no_matches", area=area)
    thread.state.last_question = None


def _opted_out(thread: Thread, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    """A lead who texted STOP partway: one confirmation, then silence, tagged so no bot ever answers."""
    rng = thread.rng
    # Three answers at most: the thread stays within 12 texts and never reaches a booking.
    if rng.random() < 0.3:
        lead = _new_lead(thread, brokerage, listings)
    else:
        lead = rng.choice((_seller, _buyer))(thread, brokerage, listings, max_answers=3)
    thread.lead(rng.choice(OPT_OUTS))
    thread.bot("opt_out_confirmation")
    thread.state.opt_out_confirmations = 1
    thread.state.last_question = None
    lead.tags += [DEFAULT_TAGS["opt_out"], DEFAULT_TAGS["ai_off"]]
    lead.status, lead.temperature, lead.score = LeadStatus.LOST, Temperature.COLD, rng.randint(0, 15)
    lead.opted_out = True
    return lead


def _asked_for_a_human(thread: Thread, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
    """A lead who asked for a person partway through; the bot handed off and Jorge texted them himself."""
    rng = thread.rng
    lead = rng.choice((_seller, _buyer))(thread, brokerage, listings, max_answers=3)
    thread.lead(rng.choice(HUMAN_REQUESTS))
    thread.bot("handoff_human")
    thread.state.last_question = None
    thread.human(rng.choice(HUMAN_TEXTS).format(first=thread.first_name))
    lead.tags.append(DEFAULT_TAGS["human_follow_up"])
    return lead


def mark_handoffs(rng: random.Random, leads: Sequence[Lead]) -> None:
    """Some sellers and buyers first wrote to the lead bot, which handed them over (BOTS.md "Handoff between
    bots"); a few buyers turned out to be sellers. The tags say so, as the bots write them."""
    for lead in leads:
        if lead.bot not in (BotKind.SELLER, BotKind.BUYER) or rng.random() >= 0.3:
            continue
        target = "seller" if lead.bot == BotKind.SELLER else "buyer"
        source = "buyer" if target == "seller" and rng.random() < 0.15 else "lead"
        lead.tags.append(DEFAULT_TAGS[f"handoff_{source}_to_{target}"])


def _answer_in_order(thread: Thread, questions: Sequence[str], answers: Answers, answered: int) -> None:
    """The bot asks the first question; the lead answers `answered` of them, each answer met by the next question."""
    thread.ask(questions[0])
    for position, question in enumerate(questions[:answered]):
        text, record = answers[question]
        thread.lead(text)
        record(thread.state)
        if position + 1 < len(questions):
            thread.ask(questions[position + 1])


def _spoken(dollars: int) -> str:
    """A price the way people text it: "650k", "1.15 million"."""
    if dollars < 1_000_000:
        return f"{dollars // 1000}k"
    return f"{dollars / 1_000_000:.2f}".rstrip("0").rstrip(".") + " million"


def _how_far(rng: random.Random, questions: int, max_answers: int) -> int:
    """How many questions a lead answered: any number, but a finished qualification twice as often as each
    other stage, so the demo has hot leads and booked calls to look at."""
    weights = [1] * questions + [2]
    return min(rng.choices(range(questions + 1), weights=weights)[0], max_answers)


def _score(rng: random.Random, temperature: str) -> int:
    """A score in the temperature's band (BotConfig's defaults: hot from 80, warm from 40)."""
    hot, warm = DEFAULT_CONFIG.hot_lead_score, DEFAULT_CONFIG.warm_lead_score
    bands = {Temperature.HOT: (hot, 98), Temperature.WARM: (warm, hot - 1), Temperature.COLD: (5, warm - 1)}
    low, high = bands[Temperature(temperature)]
    return rng.randint(low, high)
