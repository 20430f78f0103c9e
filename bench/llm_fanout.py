"""Fan-out: 1,000 re-readings by Claude through Celery, within the concurrency limit every worker shares.

Two Celery workers (thread pools, 32 threads between them) re-read 1,000 conversations against the fake
Anthropic answering each call in 800 ms, with JORGEBOT_LLM_MAX_CONCURRENCY=20 (the Redis semaphore, not the
thread count, is what limits). The ideal is 1,000 x 0.8 s / 20 = 40 s. Target: wall time <= 1.15 x ideal,
and never more than 20 calls in flight at the fake.

Wall time runs from publishing the Celery group to the last item's result stored; creating the job (one
query per conversation) is timed and printed apart.

    python -m jorgebot.embedded -- python bench/llm_fanout.py
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, celery_worker, run_django  # noqa: E402
from tests.fakes.anthropic import FakeAnthropic  # noqa: E402

LOCATION_ID = "BenchLocation0000001"
# Varied, so no two readings are the same request and the response cache answers none of them.
MESSY = "ya so my wife got a job out in denver and we gotta move, place is kinda a fixer tbh (lead {n})"




def seed(env: dict[str, str], conversations: int) -> None:
    run_django(env, f"""
from django.utils import timezone
from leads.models import Contact, Conversation, Location, Message
location = Location.objects.create(id="{LOCATION_ID}", name="Bench", api_token="bench-token")
contacts = Contact.objects.bulk_create(
    Contact(location=location, ghl_id=f"BenchLead{{n:011d}}", synced_at=timezone.now()) for n in range({conversations})
)
talks = Conversation.objects.bulk_create(Conversation(contact=contact) for contact in contacts)
Message.objects.bulk_create(
    Message(conversation=talk, direction="inbound", sender="lead", body={MESSY!r}.format(n=n))
    for n, talk in enumerate(talks)
)
""")


def start_fan_out(env: dict[str, str]) -> dict[str, float]:
    output = run_django(env, """
import json, time
from bots.llm import jobs
from bots.llm.models import JobMode
from bots.llm.tasks import fan_out
from leads.models import Conversation
started = time.time()
job = jobs.create_job(Conversation.objects.values_list("pk", flat=True), JobMode.FAN_OUT)
item_ids = list(job.items.values_list("pk", flat=True))
published = time.time()
fan_out(item_ids)
print(json.dumps({"job": job.pk, "items": len(item_ids), "setup_s": published - started, "published": published}))
""")
    return json.loads(output.strip().splitlines()[-1])


def wait_until_done(database_url: str, job_id: int, timeout: float) -> tuple[float, int, int]:
    """(epoch of the last result stored, items done, items failed)."""
    deadline = time.time() + timeout
    with psycopg.connect(database_url, autocommit=True) as db:
        while True:
            pending, done, failed, last = db.execute(
                "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'done'), "
                "count(*) FILTER (WHERE status = 'failed'), extract(epoch FROM max(updated_at)) "
                "FROM llm_llmjobitem WHERE job_id = %s", [job_id]).fetchone()
            if pending == 0 or time.time() > deadline:
                return float(last or 0.0), int(done), int(failed)
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.8, help="seconds the fake takes per call")
    parser.add_argument("--limit", type=int, default=20, help="JORGEBOT_LLM_MAX_CONCURRENCY")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="threads per worker")
    args = parser.parse_args()
    ideal = args.calls * args.latency / args.limit

    with FakeAnthropic(latency_seconds=args.latency) as fake, bench_environment(
        "llm_fanout",
        ANTHROPIC_API_KEY="bench-key",
        ANTHROPIC_BASE_URL=fake.url,
        JORGEBOT_LLM_MAX_CONCURRENCY=str(args.limit),
        # Each thread keeps its database connection across its Claude call: one per thread, plus room.
        DATABASE_POOL_MAX_SIZE=str(args.threads + 2),
    ) as env:
        seed(env, args.calls)
        with ExitStack() as workers:
            # Bulk readings have workers of their own (README: `-Q llm`); the GHL field writes the readings queue
            # go to the bots workers, which this benchmark does not run.
            for _ in range(args.workers):
                workers.enter_context(celery_worker(env, args.threads, pool="threads", queues="llm"))
            started = start_fan_out(env)
            last, done, failed = wait_until_done(env["DATABASE_URL"], int(started["job"]), timeout=ideal * 3)
            with psycopg.connect(env["DATABASE_URL"]) as db:
                field_writes = db.execute("SELECT count(*) FROM leads_outboxmessage WHERE kind = 'update_fields'"
                                          ).fetchone()[0]
        answered = len(fake.answered("reading"))
        max_in_flight = fake.max_in_flight

    wall = last - started["published"]
    ratio = wall / ideal
    print(f"{args.calls} readings, fake latency {args.latency * 1000:.0f} ms, limit {args.limit}, "
          f"{args.workers} workers x {args.threads} threads")
    print(f"job setup {started['setup_s']:.1f} s (not counted); fan-out wall {wall:.1f} s, ideal {ideal:.1f} s, "
          f"ratio {ratio:.3f}; answered by the fake {answered}, done {done}, failed {failed}, "
          f"most in flight at once {max_in_flight}; GHL field writes queued from what Claude read {field_writes}")
    print(f"RESULT calls={args.calls} latency_ms={args.latency * 1000:.0f} limit={args.limit} wall_s={wall:.1f} "
          f"ideal_s={ideal:.1f} ratio={ratio:.3f} max_in_flight={max_in_flight} done={done} failed={failed}")
    return 0 if done == args.calls and ratio <= 1.15 and max_in_flight <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
