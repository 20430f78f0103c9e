"""Reply latency: from GHL posting an InboundMessage to the fake GHL receiving the bot's SMS.

The whole path runs for real: gunicorn, PostgreSQL, Redis, a Celery worker and the fake GHL (a
real HTTP server) with the debounce window at 0. Leads text at a steady rate (default 20/s), each
a known contact starting a conversation. Target: p95 <= 300 ms at 20 inbound/s.

    python -m jorgebot.embedded -- python bench/reply_latency.py
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import sys
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, celery_worker, gunicorn, percentile, run_django  # noqa: E402
from tests.fakes.ghl import FakeGHL  # noqa: E402

LOCATION_ID = "BenchLocation0000001"


def seed(env: dict[str, str], contacts: int) -> None:
    run_django(env, f"""
from django.utils import timezone
from leads.models import Contact, Location
location = Location.objects.create(id="{LOCATION_ID}", name="Bench", api_token="bench-token")
Contact.objects.bulk_create(
    Contact(location=location, ghl_id=f"BenchLead{{n:011d}}", first_name="Lead", synced_at=timezone.now())
    for n in range({contacts})
)
""")


def inbound(n: int) -> dict[str, object]:
    return {
        "type": "InboundMessage",
        "locationId": LOCATION_ID,
        "webhookId": str(uuid.uuid4()),
        "contactId": f"BenchLead{n:011d}",
        "conversationId": f"BenchConvo{n:010d}",
        "messageId": f"BenchMsg{n:012d}",
        "messageType": "SMS",
        "direction": "inbound",
        "body": "Hi, I want to sell my house",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="inbound texts per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()
    count = int(args.rate * args.seconds)

    key = ed25519.Ed25519PrivateKey.generate()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    with FakeGHL() as fake, bench_environment(
        "reply",
        GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem,
        GHL_API_BASE_URL=fake.url,
        JORGEBOT_REPLY_DEBOUNCE_SECONDS="0",
    ) as env:
        seed(env, count)
        with gunicorn(env, workers=2, threads=4) as url, celery_worker(env, args.worker_concurrency):
            host_port = url.removeprefix("http://")
            connection = http.client.HTTPConnection(host_port, timeout=10)
            sent_at: dict[str, float] = {}
            started = time.perf_counter()
            for n in range(count):
                # A steady arrival rate, not a burst: each text waits for its slot.
                slot = started + n / args.rate
                time.sleep(max(0.0, slot - time.perf_counter()))
                body = json.dumps(inbound(n), separators=(",", ":")).encode()
                signature = base64.b64encode(key.sign(body)).decode()
                contact_id = f"BenchLead{n:011d}"
                sent_at[contact_id] = time.time()
                connection.request("POST", "/webhooks/ghl/", body, {"Content-Type": "application/json",
                                                                  "x-ghl-signature": signature})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")
            deadline = time.time() + 30
            while time.time() < deadline and len(fake.calls_to("POST", "/conversations/messages")) < count:
                time.sleep(0.1)

    replied = {call.json["contactId"]: call.received_at for call in fake.calls_to("POST", "/conversations/messages")}
    latencies = [(replied[c] - sent_at[c]) * 1000 for c in sent_at if c in replied]
    missing = count - len(latencies)
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    print(f"{count} inbound texts at {args.rate:.0f}/s, worker concurrency {args.worker_concurrency}, debounce 0")
    print(f"webhook received -> SMS at GHL: p50 {p50:.0f} ms  p95 {p95:.0f} ms  p99 {p99:.0f} ms  "
          f"max {max(latencies):.0f} ms  missing {missing}")
    print(f"RESULT mode=offline rate={args.rate:.0f} p50_ms={p50:.0f} p95_ms={p95:.0f} p99_ms={p99:.0f} missing={missing}")
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
