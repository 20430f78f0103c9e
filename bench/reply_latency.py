"""Reply latency: from GHL posting an InboundMessage to the fake GHL receiving the bot's SMS.

The whole path runs for real: gunicorn, PostgreSQL, Redis, a Celery worker and the fake GHL (a
real HTTP server) with the debounce window at 0. Leads text at a steady rate (default 20/s), each
a known contact starting a conversation, after one warm-up lead (not counted). Target: p95 <= 300 ms
at 20 inbound/s.

The leads belong to `--locations` GHL locations (default 10), in turn. GHL allows 100 API calls per
10 s per location (our token bucket keeps to it) and a reply costs two (the text, the tags), so one
location can answer at most 5 texts a second, whatever we do: `--locations 1` at 20/s measures that
limit, not the pipeline. 20 texts a second is a busy install of many teams, not one team's number.

`--engine claude` turns Claude on against the fake Anthropic answering every call in 800 ms (through
the real SDK): each lead's text is its own, so no answer comes from the response cache, and the
offline engine reads it fully, so Claude's one call on the reply's path is the phrasing. `--texts
messy` sends texts only Claude can read: two calls, the reading and then the phrasing. Two workers
run thread pools (a turn now waits on Claude's I/O). Target: p95 <= 1.2 s at 800 ms per call.

    python -m jorgebot.embedded -- python bench/reply_latency.py
    python -m jorgebot.embedded -- python bench/reply_latency.py --engine claude
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    bench_environment,
    celery_worker,
    cpu_seconds_of_tree,
    gunicorn,
    percentile,
    production_gunicorn,
    run_django,
)
from tests.fakes.anthropic import FakeAnthropic  # noqa: E402
from tests.fakes.ghl import FakeGHL  # noqa: E402

SPENT = """
from django.db.models import Count, Sum
from bots.llm.models import LLMCall
print(LLMCall.objects.aggregate(calls=Count("id"), usd=Sum("cost_usd")))
"""


def location_of(n: int, locations: int) -> str:
    return f"BenchLocation{n % locations:07d}"


def seed(env: dict[str, str], contacts: int, locations: int) -> None:
    run_django(env, f"""
from django.utils import timezone
from leads.models import Contact, Location
places = [Location.objects.create(id=f"BenchLocation{{n:07d}}", name=f"Bench {{n}}", api_token="bench-token")
          for n in range({locations})]
Contact.objects.bulk_create(
    Contact(location=places[n % {locations}], ghl_id=f"BenchLead{{n:011d}}", first_name="Lead",
            synced_at=timezone.now())
    for n in range({contacts})
)
""")


def text_of(n: int, engine: str, texts: str) -> str:
    if engine == "offline":
        return "Hi, I want to sell my house"
    if texts == "messy":
        return f"ya so my wife got a job out in denver and we gotta move, place is kinda a fixer tbh (lead {n})"
    # Its own words per lead (the number), so the response cache answers nothing.
    return f"Hi, I want to sell my house, lead {n} here"


def inbound(n: int, body: str, locations: int) -> dict[str, object]:
    return {
        "type": "InboundMessage",
        "locationId": location_of(n, locations),
        "webhookId": str(uuid.uuid4()),
        "contactId": f"BenchLead{n:011d}",
        "conversationId": f"BenchConvo{n:010d}",
        "messageId": f"BenchMsg{n:012d}",
        "messageType": "SMS",
        "direction": "inbound",
        "body": body,
    }


def post(connection: http.client.HTTPConnection, key: ed25519.Ed25519PrivateKey, payload: dict[str, object]) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    signature = base64.b64encode(key.sign(body)).decode()
    headers = {"Content-Type": "application/json", "x-ghl-signature": signature}
    connection.request("POST", "/webhooks/ghl/", body, headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"webhook answered {response.status}")


def warm_up(host_port: str, key: ed25519.Ed25519PrivateKey, fake: FakeGHL, n: int, body: str, locations: int) -> None:
    post(http.client.HTTPConnection(host_port, timeout=120), key, inbound(n, body, locations))
    deadline = time.time() + 120
    while not fake.sms_sent(f"BenchLead{n:011d}"):
        if time.time() > deadline:
            raise RuntimeError("the warm-up lead got no reply")
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="inbound texts per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--worker-concurrency", type=int, default=None, help="2 offline, 12 threads with Claude")
    parser.add_argument("--workers", type=int, default=None, help="worker processes: 1 offline, 2 with Claude")
    parser.add_argument("--pool", choices=["prefork", "threads"], default=None, help="prefork offline, else threads")
    parser.add_argument("--engine", choices=["offline", "claude"], default="offline")
    parser.add_argument("--texts", choices=["plain", "messy"], default="plain", help="with --engine claude")
    parser.add_argument("--claude-latency", type=float, default=0.8, help="seconds the fake Anthropic takes per call")
    parser.add_argument("--locations", type=int, default=10, help="GHL locations the leads belong to, in turn")
    args = parser.parse_args()
    count = int(args.rate * args.seconds)
    claude = args.engine == "claude"
    concurrency = args.worker_concurrency or (12 if claude else 2)
    workers = args.workers or (2 if claude else 1)

    key = ed25519.Ed25519PrivateKey.generate()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    anthropic = FakeAnthropic(latency_seconds=args.claude_latency)
    claude_env = {"ANTHROPIC_API_KEY": "bench-key", "ANTHROPIC_BASE_URL": anthropic.url} if claude else {}
    # A worker thread keeps its database connection across its Claude call: one per thread, for the worker only.
    worker_pool = {"DATABASE_POOL_MAX_SIZE": str(concurrency + 2)} if claude else {}
    with anthropic, FakeGHL() as fake, bench_environment(
        "reply",
        GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem,
        GHL_API_BASE_URL=fake.url,
        JORGEBOT_REPLY_DEBOUNCE_SECONDS="0",
        **claude_env,
    ) as env:
        # One more lead: the warm-up.
        seed(env, count + 1, args.locations)
        pool = args.pool or ("threads" if claude else "prefork")
        with gunicorn(env, *production_gunicorn()) as url, ExitStack() as running:
            worker_pids = [running.enter_context(celery_worker({**env, **worker_pool}, concurrency, pool=pool)).pid
                           for _ in range(workers)]
            host_port = url.removeprefix("http://")
            # Processes take longer to start than the harness waits for a worker (more so with a key: they load
            # the Anthropic SDK): one lead is answered end to end first, not counted, as after a deploy.
            warm_up(host_port, key, fake, count, text_of(count, args.engine, args.texts), args.locations)
            connection = http.client.HTTPConnection(host_port, timeout=10)
            worker_cpu = -sum(cpu_seconds_of_tree(pid) for pid in worker_pids)
            sent_at: dict[str, float] = {}
            started = time.perf_counter()
            for n in range(count):
                # A steady arrival rate, not a burst: each text waits for its slot.
                slot = started + n / args.rate
                time.sleep(max(0.0, slot - time.perf_counter()))
                sent_at[f"BenchLead{n:011d}"] = time.time()
                post(connection, key, inbound(n, text_of(n, args.engine, args.texts), args.locations))
            deadline = time.time() + 30
            while time.time() < deadline and len(fake.calls_to("POST", "/conversations/messages")) < count + 1:
                time.sleep(0.1)
            worker_cpu += sum(cpu_seconds_of_tree(pid) for pid in worker_pids)
            spent = run_django(env, SPENT) if claude else ""

    replied = {call.json["contactId"]: call.received_at for call in fake.calls_to("POST", "/conversations/messages")}
    latencies = [(replied[c] - sent_at[c]) * 1000 for c in sent_at if c in replied]
    missing = count - len(latencies)
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    print(f"{count} inbound texts at {args.rate:.0f}/s over {args.locations} location(s) "
          f"({args.rate / args.locations:.1f}/s each; GHL's limit allows 5), {workers} worker(s) x {concurrency} "
          f"({pool}), debounce 0, engine {args.engine}")
    if claude:
        phrased = sum(1 for call in fake.calls_to("POST", "/conversations/messages")
                      if call.json["contactId"] in sent_at and call.json["message"].startswith("Thanks, that helps."))
        print(f"Claude at {args.claude_latency * 1000:.0f} ms per call, {args.texts} texts: "
              f"{len(anthropic.answered('reading'))} readings and {len(anthropic.answered('phrasing'))} phrasings "
              f"answered, {phrased} replies sent as Claude phrased them; recorded calls {spent.strip()}")
    print(f"webhook received -> SMS at GHL: p50 {p50:.0f} ms  p95 {p95:.0f} ms  p99 {p99:.0f} ms  "
          f"max {max(latencies):.0f} ms  missing {missing}")
    # What a text costs the workers, which a busy machine inflates far less than it does latency.
    worker_cpu_ms = worker_cpu * 1000 / count
    print(f"worker CPU per text: {worker_cpu_ms:.1f} ms")
    print(f"RESULT mode={args.engine} texts={args.texts if claude else 'plain'} rate={args.rate:.0f} "
          f"locations={args.locations} "
          f"p50_ms={p50:.0f} p95_ms={p95:.0f} p99_ms={p99:.0f} missing={missing} worker_cpu_ms={worker_cpu_ms:.1f}")
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
