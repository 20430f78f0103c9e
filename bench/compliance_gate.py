"""The compliance gate's cost per text, and how fast the beat's follow-up dispatcher and deferral release drain.

Runs in one process against a fresh database: 2,000 leads, each with a conversation, a few texts already sent
today and one text waiting. Times `check_before_send` plus `record_decision` per text (what the sender adds to
every SMS before its GHL call), then the dispatcher over 2,000 due follow-ups, then the release of 5,000 deferred
texts. Targets: gate p95 <= 10 ms; dispatcher >= 100 follow-ups/s (a minute's beat covers 6,000).

    python -m jorgebot.embedded -- python bench/compliance_gate.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, run_django  # noqa: E402

LEADS = 2000
DEFERRED = 5000

CODE = f"""
import datetime as dt, time
from zoneinfo import ZoneInfo
from django.utils import timezone
from bots import compliance, followups
from bots.config import BotConfig
from bots.models import FollowUp
from leads.models import Contact, Conversation, Location, OutboxMessage

# Noon on the leads' clock, so the texts pass (a night run would time the deferral path instead).
chicago = ZoneInfo("America/Chicago")
now = dt.datetime.combine(timezone.now().astimezone(chicago).date(), dt.time(12), tzinfo=chicago)
location = Location.objects.create(id="BenchGateLocation001", name="Bench", timezone="America/Chicago")
contacts = Contact.objects.bulk_create([
    Contact(location=location, ghl_id=f"bench{{i}}", phone=f"+1512555{{i:04d}}", postal_code="78701",
            tags=["Needs Qualifying"]) for i in range({LEADS})])
Conversation.objects.bulk_create([
    Conversation(contact=c, state={{"bot": "lead"}}, last_inbound_at=now - dt.timedelta(days=3)) for c in contacts])
OutboxMessage.objects.bulk_create([
    OutboxMessage(location=location, contact=c, kind="sms", body="Earlier text.", idempotency_key=f"s{{c.pk}}:{{n}}",
                  status="sent", sent_at=now - dt.timedelta(minutes=n)) for c in contacts for n in range(3)])
rows = OutboxMessage.objects.bulk_create([
    OutboxMessage(location=location, contact=c, kind="sms", idempotency_key=f"p{{c.pk}}:sms",
                  body="Checking back in on your home. Is selling still on your mind?") for c in contacts])
config = BotConfig()
timings = []
for contact, row in zip(contacts, rows):
    started = time.perf_counter()
    decision = compliance.check_before_send(location, contact, row, config, now)
    compliance.record_decision(row, decision, config, now)
    timings.append((time.perf_counter() - started) * 1000)
timings.sort()
p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95)]
print(f"gate: {{len(timings)}} texts, p50 {{p50:.2f}} ms, p95 {{p95:.2f}} ms")

FollowUp.objects.bulk_create([
    FollowUp(location=location, contact=c, cadence="lead", step=1, anchor_at=now - dt.timedelta(days=3),
             due_at=now - dt.timedelta(minutes=1)) for c in contacts])
started = time.perf_counter()
queued = 0
while FollowUp.objects.filter(status="scheduled", due_at__lte=now).exists():
    queued += len(followups.dispatch_due_follow_ups(now)[0])
dispatch_seconds = time.perf_counter() - started
print(f"dispatcher: {{queued}} follow-ups queued in {{dispatch_seconds:.2f}} s, {{queued / dispatch_seconds:.0f}}/s")

OutboxMessage.objects.bulk_create([
    OutboxMessage(location=location, contact=contacts[i % {LEADS}], kind="sms", body="Deferred.",
                  idempotency_key=f"d{{i}}:sms", status="deferred", send_after=now - dt.timedelta(seconds=1))
    for i in range({DEFERRED})])
started = time.perf_counter()
while compliance.release_deferred_texts(now):
    pass
seconds = time.perf_counter() - started
released = OutboxMessage.objects.filter(idempotency_key__startswith="d", status="pending").count()
print(f"release: {{released}} deferred texts in {{seconds:.2f}} s, {{released / seconds:.0f}}/s")
print(f"RESULT gate_p50_ms={{p50:.2f}} gate_p95_ms={{p95:.2f}} dispatch_per_s={{queued / dispatch_seconds:.0f}} "
      f"release_per_s={{released / seconds:.0f}}")
"""


def main() -> None:
    with bench_environment("compliance") as env:
        print(run_django(env, CODE), end="")


if __name__ == "__main__":
    main()
