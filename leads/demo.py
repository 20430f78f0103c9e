"""Demo data for a fresh install: two brokerages with sending paused, 300 leads mid-conversation, 300 listings.

Everything comes from `random.Random(7)`, so every newcomer sees the same system. The texts follow the bots'
voice (BOTS.md): no emojis, no hyphens. Listings go through `leads.listings`, the path a real feed takes.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from bots.config import DEFAULT_TAGS
from bots.state import ConversationState
from bots.texts import DEFAULT_TEXTS
from leads.listings import ImportReport, import_listings
from leads.models import (
    BotKind,
    Contact,
    Conversation,
    Direction,
    LeadStatus,
    Location,
    Message,
    Sender,
    Temperature,
)

SEED = 7
DEMO_API_TOKEN = "demo-token-not-real"
CONTACTS_PER_BROKERAGE = 150
LISTINGS_PER_BROKERAGE = 150
# 555-0100 to 555-0199 are the numbers reserved for fiction: 100 per area code, so 400 demo leads at most
# (2 brokerages x CONTACTS_PER_BROKERAGE).
AREA_CODES = ("909", "951", "626", "562")
MAX_CONVERSATION_AGE = dt.timedelta(days=60)
PRICE_RANGE = (450_000, 1_600_000)  # what single family homes in these towns list for


@dataclass(frozen=True)
class Town:
    """A city of the demo market: its ZIP codes, neighbourhoods and a typical price per square foot."""

    city: str
    postal_codes: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    price_per_sqft: tuple[int, int]


@dataclass(frozen=True)
class Brokerage:
    """A demo GHL location and the towns it lists in. `feed` says how its MLS export names the RESO columns."""

    id: str
    name: str
    towns: tuple[Town, ...]
    listing_prefix: str
    feed: dict[str, str]


RANCHO = Brokerage(
    id="DemoRanchoLoc0000001",
    name="Rancho Cucamonga Realty",
    towns=(
        Town("Rancho Cucamonga", ("91730", "91739"), ("Terra Vista", "Victoria", "Caryn", "Day Creek"), (430, 560)),
        Town("Etiwanda", ("91739",), ("Etiwanda Heights", "Rancho Etiwanda Estates", "Windrows"), (470, 620)),
        Town("Alta Loma", ("91701", "91737"), ("Haven View Estates", "Deer Creek", "Alta Loma Heights"), (450, 600)),
    ),
    listing_prefix="DEMORC",
    feed={"neighbourhood": "SubdivisionName", "baths": "BathroomsTotalInteger"},
)
INLAND = Brokerage(
    id="DemoInlandLoc0000002",
    name="Inland Empire Homes",
    towns=(
        Town("Upland", ("91784", "91786"), ("San Antonio Heights", "The Colonies", "College Park"), (420, 580)),
        Town("Fontana", ("92335", "92336", "92337"), ("Sierra Lakes", "Summit Heights", "Hunters Ridge"), (330, 430)),
        Town("Ontario", ("91761", "91762", "91764"), ("Ontario Ranch", "New Haven", "Edenglen"), (340, 450)),
    ),
    listing_prefix="DEMOIE",
    # Another MLS, another export: the importer's alternative column names get used too.
    feed={"neighbourhood": "Neighborhood", "baths": "BathroomsTotalDecimal"},
)
BROKERAGES = (RANCHO, INLAND)

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
STREETS = (
    "Banyan St", "Haven Ave", "Base Line Rd", "Archibald Ave", "Milliken Ave", "Etiwanda Ave", "Wilson Ave",
    "Summit Ave", "Carnelian St", "Hillside Rd", "Euclid Ave", "Mountain Ave", "Foothill Blvd", "Sierra Ave",
    "Cherry Ave", "Vineyard Ave", "Day Creek Blvd", "Amethyst St", "Almond St", "Beryl St", "Sapphire St",
    "Lemon Ave", "Highland Ave", "Cypress Ave", "Mulberry Ave", "Victoria Park Ln", "Golden Oak Rd",
)
# (source, weight): where the brokerage's leads come from.
SOURCES = (("Zillow", 30), ("Facebook Ads", 25), ("Website", 20), ("Referral", 15), ("Open House", 10))
LISTING_FEATURES = (
    "Updated kitchen with quartz counters.", "Owned solar panels keep the power bill low.", "Pool and spa in back.",
    "RV parking on the side.", "Mountain views from the primary suite.", "Three car garage.", "Corner lot.",
    "Fresh interior paint and new flooring.", "Primary suite on the ground floor.", "Covered patio for shade.",
    "Walk to Victoria Gardens shops.", "Low maintenance yard with drip irrigation.", "Vaulted ceilings.",
    "Gated community with a clubhouse.", "Bonus loft upstairs.", "Dual pane windows throughout.",
)
LISTING_STATUSES = ("Active", "ActiveUnderContract", "Pending", "Closed")  # RESO StandardStatus values
SLOT_TIMES = ("Tuesday 10 AM", "Tuesday 2 PM", "Wednesday 11 AM", "Thursday 9 AM", "Thursday 4 PM", "Friday 1 PM")

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
DISTRESS_MOTIVATIONS = {"inherited", "divorce", "financial"}


@dataclass
class DemoReport:
    """What `seed_demo` did, for the command to print."""

    locations: list[Location]
    already_seeded: bool = False
    contacts: int = 0
    conversations: int = 0
    messages: int = 0
    listings: ImportReport = field(default_factory=ImportReport)


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
    status: str
    temperature: str
    score: int
    custom_fields: dict[str, Any] = field(default_factory=dict)
    opted_out: bool = False
    last_name: str = ""
    source: str = ""


def seed_demo(now: dt.datetime | None = None) -> DemoReport:
    """Create the demo brokerages, their leads with conversations, and their listings, unless already there.

    Demo locations always end up with sending paused and a fake token, even if someone changed them.
    """
    now = now or timezone.now()
    # One transaction: a seed that dies halfway must not leave contacts behind, or the next run would
    # see them, skip, and leave the demo half built forever.
    with transaction.atomic():
        locations = [_ensure_location(brokerage) for brokerage in BROKERAGES]
        report = DemoReport(locations=locations)
        if Contact.objects.filter(location__in=locations).exists():
            report.already_seeded = True
            return report
        rng = random.Random(SEED)
        # Its own sequence, so adding handoffs left every other demo lead as it was.
        handoff_rng = random.Random(SEED + 1)
        for brokerage, location in zip(BROKERAGES, locations, strict=True):
            rows = listing_rows(rng, brokerage)
            _add_counts(report.listings, import_listings(rows, location))
            leads = [_lead(rng, brokerage, rows) for _ in range(CONTACTS_PER_BROKERAGE)]
            _mark_handoffs(handoff_rng, leads)
            report.messages += _save_leads(rng, location, leads, first_index=report.contacts, now=now)
            report.contacts += len(leads)
            report.conversations += len(leads)
    return report


def _ensure_location(brokerage: Brokerage) -> Location:
    location, _ = Location.objects.update_or_create(
        id=brokerage.id,
        defaults={"name": brokerage.name, "api_token": DEMO_API_TOKEN, "sending_paused": True},
    )
    return location


def _add_counts(total: ImportReport, part: ImportReport) -> None:
    total.imported += part.imported
    total.updated += part.updated
    total.skipped.extend(part.skipped)


# -- listings ------------------------------------------------------------------------------------


def listing_rows(rng: random.Random, brokerage: Brokerage) -> list[dict[str, object]]:
    """A brokerage's listings as its MLS would export them: RESO Data Dictionary names, one dict per listing."""
    return [_listing_row(rng, brokerage, number) for number in range(1, LISTINGS_PER_BROKERAGE + 1)]


def _listing_row(rng: random.Random, brokerage: Brokerage, number: int) -> dict[str, object]:
    town = rng.choice(brokerage.towns)
    beds = rng.choices((2, 3, 4, 5, 6), weights=(10, 30, 35, 18, 7))[0]
    baths = max(1, beds - rng.choice((0, 1, 1, 2))) + rng.choice((0, 0, 0.5))
    living_area = round(beds * rng.uniform(380, 560) + rng.uniform(150, 500), -1)
    price = living_area * rng.uniform(*town.price_per_sqft)
    neighbourhood = rng.choice(town.neighbourhoods)
    features = rng.sample(LISTING_FEATURES, 3)
    stories = "Single story" if rng.random() < 0.4 else "Two story"
    return {
        "ListingId": f"{brokerage.listing_prefix}{number:06d}",
        "UnparsedAddress": _street_address(rng),
        "City": town.city,
        "StateOrProvince": "CA",
        "PostalCode": rng.choice(town.postal_codes),
        brokerage.feed["neighbourhood"]: neighbourhood,
        "ListPrice": _asking_price(rng, price),
        "BedroomsTotal": beds,
        brokerage.feed["baths"]: baths if brokerage.feed["baths"] == "BathroomsTotalDecimal" else int(baths),
        "LivingArea": int(living_area),
        "PropertyType": "Residential",
        "StandardStatus": rng.choices(LISTING_STATUSES, weights=(75, 10, 10, 5))[0],
        "PublicRemarks": f"{stories} home in {neighbourhood} with {beds} bedrooms. {' '.join(features)}",
    }


def _asking_price(rng: random.Random, value: float) -> int:
    # Asking prices end the way agents set them: 749,900 rather than 751,237.
    asking = int(round(value, -4)) - rng.choice((0, 100, 1000))
    return min(max(asking, PRICE_RANGE[0]), PRICE_RANGE[1])


def _street_address(rng: random.Random) -> str:
    return f"{rng.randint(5000, 14999)} {rng.choice(STREETS)}"


# -- leads ---------------------------------------------------------------------------------------

Scenario = Callable[[Thread, Brokerage, Sequence[dict[str, object]]], Lead]
# For each question: the lead's answer, and how that answer fills the bot's state.
Answers = dict[str, tuple[str, Callable[[ConversationState], None]]]


def _lead(rng: random.Random, brokerage: Brokerage, listings: Sequence[dict[str, object]]) -> Lead:
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
    temperature = _temperature_of_score(score)
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
    address = f"{_street_address(rng)}, {rng.choice(brokerage.towns).city}"
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
    answered = sum(value is not None for value in (
        seller.motivation, seller.timeline_acceptable, seller.property_condition, seller.price_low,
    ))
    hot = answered == 4 and seller.timeline_acceptable == "yes"
    temperature = Temperature.HOT if hot else Temperature.WARM if answered >= 3 else Temperature.COLD
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
    if seller.property_condition and seller.motivation:
        wholesale = seller.property_condition == "needs_work" or seller.motivation in DISTRESS_MOTIVATIONS
        fields["offer_type"] = "wholesale" if wholesale else "listing"
    return Lead(thread, BotKind.SELLER, tags, status, temperature, _score(rng, temperature), fields)


def _offer_slots(thread: Thread) -> str:
    slots = sorted(thread.rng.sample(range(len(SLOT_TIMES)), 3))
    thread.bot("offer_slots", **{f"slot{n}": SLOT_TIMES[slot] for n, slot in enumerate(slots, start=1)})
    thread.state.extra["offered_slots"] = [SLOT_TIMES[slot] for slot in slots]
    thread.state.last_question = "slot_choice"
    return LeadStatus.QUALIFIED


def _offer_and_book(thread: Thread, tags: list[str]) -> str:
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


def _mark_handoffs(rng: random.Random, leads: Sequence[Lead]) -> None:
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


def _temperature_of_score(score: int) -> str:
    # BOTS.md lead bot: hot at 80 and above, warm at 40 and above.
    return Temperature.HOT if score >= 80 else Temperature.WARM if score >= 40 else Temperature.COLD


def _score(rng: random.Random, temperature: str) -> int:
    low, high = {Temperature.HOT: (80, 98), Temperature.WARM: (40, 79), Temperature.COLD: (5, 39)}[temperature]
    return rng.randint(low, high)


# -- saving --------------------------------------------------------------------------------------


def _save_leads(
    rng: random.Random, location: Location, leads: Sequence[Lead], *, first_index: int, now: dt.datetime
) -> int:
    """Write the leads with their conversations and texts in a handful of bulk INSERTs; returns the texts written."""
    timelines = [_timeline(rng, lead.thread.texts, now) for lead in leads]
    contacts = [
        _contact(location, lead, times, first_index + offset)
        for offset, (lead, times) in enumerate(zip(leads, timelines, strict=True))
    ]
    Contact.objects.bulk_create(contacts)
    conversations = [
        _conversation(contact, lead, times)
        for contact, lead, times in zip(contacts, leads, timelines, strict=True)
    ]
    Conversation.objects.bulk_create(conversations)
    messages = [
        message
        for conversation, lead, times in zip(conversations, leads, timelines, strict=True)
        for message in _messages(conversation, lead.thread.texts, times)
    ]
    Message.objects.bulk_create(messages, batch_size=1000)
    _date_by_first_and_last_text(location)
    return len(messages)


def _date_by_first_and_last_text(location: Location) -> None:
    """Give contacts and conversations the age of their texts instead of this second.

    auto_now_add stamps every row "now", and a lead list where everyone arrived at once looks dead.
    Done in the database: `bulk_update` builds a CASE per row and took longer than all the INSERTs together.
    """
    texts = Message.objects.values("conversation")
    first = texts.annotate(at=Min("sent_at")).values("at")
    last = texts.annotate(at=Max("sent_at")).values("at")
    Conversation.objects.filter(contact__location=location).update(
        created_at=Subquery(first.filter(conversation=OuterRef("pk"))),
        updated_at=Subquery(last.filter(conversation=OuterRef("pk"))),
    )
    Contact.objects.filter(location=location).update(
        created_at=Subquery(first.filter(conversation__contact=OuterRef("pk"))),
        updated_at=Subquery(last.filter(conversation__contact=OuterRef("pk"))),
    )


def _timeline(rng: random.Random, texts: Sequence[tuple[Sender, str]], now: dt.datetime) -> list[dt.datetime]:
    """When each text was sent: the bot answers in seconds, leads and agents take minutes to hours."""
    gaps = [dt.timedelta(0)]
    for sender, _ in texts[1:]:
        if sender == Sender.BOT:
            gaps.append(dt.timedelta(seconds=rng.uniform(4, 40)))
        elif sender == Sender.HUMAN:
            gaps.append(dt.timedelta(minutes=rng.uniform(10, 120)))
        else:
            gaps.append(dt.timedelta(minutes=rng.uniform(2, 300)))
    duration = sum(gaps, dt.timedelta(0))
    # Squared, so most threads are recent and the dashboard has something from today.
    age = duration + dt.timedelta(minutes=5) + (MAX_CONVERSATION_AGE - duration) * rng.random() ** 2
    moment, times = now - age, []
    for gap in gaps:
        moment += gap
        times.append(moment)
    return times


def _contact(location: Location, lead: Lead, times: Sequence[dt.datetime], index: int) -> Contact:
    first, last = lead.thread.first_name, lead.last_name
    senders = [sender for sender, _ in lead.thread.texts]
    human_at = next((at for sender, at in zip(senders, times, strict=True) if sender == Sender.HUMAN), None)
    return Contact(
        location=location,
        ghl_id=f"DemoContact{index:09d}",
        first_name=first,
        last_name=last,
        phone=_phone(index),
        email=f"{first}.{last}{index}@example.com".lower(),
        source=lead.source,
        tags=lead.tags,
        custom_fields=lead.custom_fields,
        timezone="America/Los_Angeles",
        opted_out_at=times[-2] if lead.opted_out else None,
        active_bot=lead.bot,
        # bots.config's default: a human's text puts the bot to sleep for 24 hours.
        bot_paused_until=human_at + dt.timedelta(hours=24) if human_at else None,
        temperature=lead.temperature,
        score=lead.score,
        status=lead.status,
        synced_at=times[-1],
    )


def _phone(index: int) -> str:
    area_code, line = AREA_CODES[index // 100], 100 + index % 100
    return f"+1{area_code}555{line:04d}"


def _conversation(contact: Contact, lead: Lead, times: Sequence[dt.datetime]) -> Conversation:
    senders = [sender for sender, _ in lead.thread.texts]
    inbound = [at for sender, at in zip(senders, times, strict=True) if sender == Sender.LEAD]
    outbound = [at for sender, at in zip(senders, times, strict=True) if sender != Sender.LEAD]
    return Conversation(
        contact=contact,
        ghl_conversation_id="DemoConvo" + contact.ghl_id.removeprefix("DemoContact"),
        state=lead.thread.state.to_dict(),
        turn_count=senders.count(Sender.BOT),
        last_inbound_at=max(inbound, default=None),
        last_outbound_at=max(outbound, default=None),
    )


def _messages(
    conversation: Conversation, texts: Sequence[tuple[Sender, str]], times: Sequence[dt.datetime]
) -> list[Message]:
    messages = []
    for position, ((sender, body), sent_at) in enumerate(zip(texts, times, strict=True)):
        following = texts[position + 1][0] if position + 1 < len(texts) else None
        inbound = sender == Sender.LEAD
        messages.append(Message(
            conversation=conversation,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            sender=sender,
            body=body,
            sent_at=sent_at,
            # The bot turn that took an inbound text is the bot text right after it.
            answered_at=times[position + 1] if inbound and following == Sender.BOT else None,
        ))
    return messages
