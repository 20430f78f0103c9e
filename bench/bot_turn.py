"""One offline bot turn against PostgreSQL: load the state under the conversation's lock, understand, plan,
queue the outbox rows, save the state. Target: p95 <= 20 ms.

Runs in one process against a fresh database with the demo listings: 200 leads (seller, buyer, lead bot,
stalling seller, Spanish seller), each texting its script one message at a time; every text is one
`bots.services.take_turn` (the debounce window at 0, no GHL call: the leads are already synced). The first
round of five leads warms the process up and is not counted. Then the same scripts are played through the
engine and the planner alone (`understand` + `plan_turn`, the listings still read from PostgreSQL), which is
the bots' own share of a turn. Two figures say how fast this machine is right now, to compare runs: the CPU
time of a 100,000-step Python loop, and one `SELECT 1` round trip.

    python -m jorgebot.embedded -- python bench/bot_turn.py
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, run_django  # noqa: E402

TARGET_P95_MS = 20.0

CODE = """
import datetime as dt, os, random, time
from django.db import connection
from django.utils import timezone
from bots.config import BotConfig
from bots.engine import OFFLINE
from bots.matching import PropertyListings
from bots.services import take_turn
from bots.state import ConversationState
from bots.turns import LeadSnapshot, extraction_context, lead_zone, plan_turn
from leads.sample_listings import INLAND, RANCHO, listing_rows
from leads.listings import import_listings
from leads.models import Contact, Conversation, Location, Message

SCRIPTS = (
    ("Hi, I'm thinking about selling my house", "123 Main St, Rancho Cucamonga",
     "We're relocating for work, need to sell quickly", "Great condition, recently renovated kitchen",
     "Hoping for around $650,000"),
    ("Looking to buy a home", "Etiwanda", "4 bedrooms with a pool", "under 900k", "yes we're preapproved",
     "within 60 days"),
    ("Hello", "just curious about the market", "not sure yet", "maybe next year", "Upland"),
    ("I want to sell 20 Carnelian St", "I need to think about it", "we're downsizing", "the commission is too high",
     "maybe", "45 days works"),
    ("Hola, quiero vender mi casa", "1450 Calle Verde, Fontana", "Nos mudamos a Arizona por un trabajo nuevo",
     "Está en buen estado", "Quiero unos 600 mil"),
)
location = Location.objects.create(id="BenchTurnLocation001", name="Bench", api_token="bench-token",
                                   timezone="America/Chicago", sending_paused=True)
import_listings(listing_rows(random.Random(7), RANCHO) + listing_rows(random.Random(8), INLAND), location)
contacts = Contact.objects.bulk_create([
    Contact(location=location, ghl_id=f"BenchTurnLead{{n:07d}}", tags=["lead-bot"], synced_at=timezone.now())
    for n in range({leads})])
conversations = Conversation.objects.bulk_create([Conversation(contact=contact) for contact in contacts])

queries = [0]
def count(execute, sql, params, many, context):
    queries[0] += 1
    return execute(sql, params, many, context)

timings, cpu_timings, turns_queries = [], [], []
warm_up = len(SCRIPTS)
longest = max(len(script) for script in SCRIPTS)
for step in range(longest):
    for n, conversation in enumerate(conversations):
        script = SCRIPTS[n % len(SCRIPTS)]
        if step >= len(script):
            continue
        Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body=script[step],
                               sent_at=timezone.now() - dt.timedelta(seconds=5))
        queries[0] = 0
        with connection.execute_wrapper(count):
            started, cpu_started = time.perf_counter(), time.process_time()
            result = take_turn(conversation.pk)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
        if step == 0 and n < warm_up:
            continue
        timings.append(elapsed)
        cpu_timings.append(cpu)
        turns_queries.append(queries[0])

# What one database round trip costs on this machine right now: a busy machine shows here first.
round_trips = []
with connection.cursor() as cursor:
    for _ in range(500):
        started = time.perf_counter()
        cursor.execute("SELECT 1")
        cursor.fetchone()
        round_trips.append((time.perf_counter() - started) * 1000)
round_trips.sort()
cpu_timings.sort()

config, zone = BotConfig(), lead_zone(location.timezone)
listings = PropertyListings(location.id)
planning = []
for n in range({leads}):
    script, state, tags = SCRIPTS[n % len(SCRIPTS)], ConversationState(), ("lead-bot",)
    for text in script:
        now = timezone.now()
        started = time.perf_counter()
        understood = OFFLINE.understand(text, extraction_context(state, config, zone, now))
        plan = plan_turn(state, LeadSnapshot(tags, zone.key), understood, config, OFFLINE, listings, now)
        planning.append((time.perf_counter() - started) * 1000)
        tags = tuple(t for t in tags if t not in plan.tags_remove) + tuple(plan.tags_add)
planning.sort()

loop = 0
started = time.process_time()
for step in range(100_000):
    loop += step
loop_ms = (time.process_time() - started) * 1000

timings.sort()
def percentile(q, values=timings):
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]
p50, p95, p99 = percentile(50), percentile(95), percentile(99)
cpu_p50, cpu_p95 = percentile(50, cpu_timings), percentile(95, cpu_timings)
rtt_p50 = percentile(50, round_trips)
plan_p50, plan_p95 = percentile(50, planning), percentile(95, planning)
load = os.getloadavg()[0]
mean_queries = sum(turns_queries) / len(turns_queries)
print(f"turns: {{len(timings)}} over {{len(conversations)}} leads, p50 {{p50:.2f}} ms, p95 {{p95:.2f}} ms, "
      f"p99 {{p99:.2f}} ms, max {{timings[-1]:.2f}} ms; {{mean_queries:.1f}} queries a turn "
      f"(max {{max(turns_queries)}})")
print(f"this process's CPU a turn: p50 {{cpu_p50:.2f}} ms, p95 {{cpu_p95:.2f}} ms")
print(f"engine and planner alone: {{len(planning)}} messages, p50 {{plan_p50:.2f}} ms, p95 {{plan_p95:.2f}} ms")
print(f"this machine: a 100,000 step Python loop {{loop_ms:.1f}} ms of CPU, one SELECT 1 round trip "
      f"{{rtt_p50:.2f}} ms, load average {{load:.2f}} on {{os.cpu_count()}} cores")
print(f"RESULT turns={{len(timings)}} p50_ms={{p50:.2f}} p95_ms={{p95:.2f}} p99_ms={{p99:.2f}} "
      f"queries_per_turn={{mean_queries:.1f}} cpu_p50_ms={{cpu_p50:.2f}} plan_p50_ms={{plan_p50:.2f}} "
      f"plan_p95_ms={{plan_p95:.2f}} loop100k_cpu_ms={{loop_ms:.1f}} select1_p50_ms={{rtt_p50:.2f}} load={{load:.2f}} "
      f"target_p95_ms={target} ok={{str(p95 <= {target}).lower()}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200)
    args = parser.parse_args()
    with bench_environment("bot_turn", JORGEBOT_REPLY_DEBOUNCE_SECONDS="0", ANTHROPIC_API_KEY="") as env:
        print(run_django(env, CODE.format(leads=args.leads, target=TARGET_P95_MS)), end="")


if __name__ == "__main__":
    main()
