"""Webhook ingest throughput: signed InboundMessage posts to POST /webhooks/ghl/ under gunicorn.

Measures the webhook and a trivial view (/health/) on the same server in the same run over 50
concurrent keep-alive connections: first closed loop (each connection sends again as soon as it
is answered) for the saturation throughput of both and their ratio; then open loop, a steady
1,000 webhooks/s offered over the same 50 connections, for the latency a lead's webhook sees at
that rate. (Closed loop, 50 clients at 1,000 req/s would mean 50 ms mean latency by Little's law
whatever the server does, so the latency target can only be read at an offered rate.)
Targets (2 cores): webhook >= 1,000 req/s, p95 <= 25 ms at 1,000/s, >= 40 % of the trivial view.

    python -m jorgebot.embedded -- python bench/webhook_ingest.py      (or with DATABASE_URL/REDIS_URL set)
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, describe, drive, gunicorn, run_django  # noqa: E402

LOCATION_ID = "BenchLocation0000001"


def signed_bodies(count: int, key: ed25519.Ed25519PrivateKey) -> list[tuple[bytes, str]]:
    """Distinct InboundMessages (each a new row), signed ahead so the client spends no CPU on it."""
    bodies = []
    for n in range(count):
        payload = {
            "type": "InboundMessage",
            "locationId": LOCATION_ID,
            "webhookId": str(uuid.uuid4()),
            "contactId": f"BenchContact{n % 5000:08d}",
            "conversationId": f"BenchConvo{n % 5000:010d}",
            "messageId": f"BenchMsg{n:012d}",
            "messageType": "SMS",
            "direction": "inbound",
            "body": "Hi, I'm thinking about selling my house on Maple Ave",
            "dateAdded": "2026-11-22T10:00:00.000Z",
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        bodies.append((body, base64.b64encode(key.sign(body)).decode()))
    return bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1000.0, help="offered webhooks/s for the latency phase")
    args = parser.parse_args()

    key = ed25519.Ed25519PrivateKey.generate()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    # Enough distinct bodies for a generous 3,000 req/s over warm-up and both measured phases.
    bodies = signed_bodies(int(3000 * (2 * args.seconds + 2)), key)

    with bench_environment("webhook", GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem) as env:
        run_django(env, f"from leads.models import Location; Location.objects.create(id='{LOCATION_ID}', name='Bench')")
        with gunicorn(env, workers=args.workers, threads=args.threads) as url:
            def health(_: int) -> tuple[str, str, bytes, dict[str, str]]:
                return "GET", "/health/", b"", {}

            def webhook(n: int) -> tuple[str, str, bytes, dict[str, str]]:
                body, signature = bodies[n % len(bodies)]
                headers = {"Content-Type": "application/json", "x-ghl-signature": signature}
                return "POST", "/webhooks/ghl/", body, headers

            sent = 0

            def fresh_webhook(n: int) -> tuple[str, str, bytes, dict[str, str]]:
                # Numbered after every earlier phase, so each measured post is a new event.
                return webhook(sent + n)

            drive(url, health, args.concurrency, 2.0)
            sent += drive(url, fresh_webhook, args.concurrency, 2.0).requests + 1
            trivial = drive(url, health, args.concurrency, args.seconds)
            ingest = drive(url, fresh_webhook, args.concurrency, args.seconds)
            sent += ingest.requests + 1
            steady = drive(url, fresh_webhook, args.concurrency, args.seconds, rate=args.rate)
        stored = run_django(env, "from leads.models import WebhookEvent; print(WebhookEvent.objects.count())").strip()

    ratio = ingest.rate / trivial.rate
    errors = ingest.errors + trivial.errors + steady.errors
    print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} connections, "
          f"{args.seconds:.0f} s per phase")
    print("closed loop (saturation):")
    print("  " + describe("trivial", trivial))
    print("  " + describe("webhook", ingest))
    print(f"  webhook / trivial throughput: {ratio:.2f}")
    print(f"open loop at {args.rate:.0f} webhooks/s offered:")
    print("  " + describe("webhook", steady))
    print(f"events stored: {stored}")
    print(
        f"RESULT webhook_rps={ingest.rate:.0f} trivial_rps={trivial.rate:.0f} ratio={ratio:.2f} "
        f"offered_rps={args.rate:.0f} achieved_rps={steady.rate:.0f} p50_ms={steady.percentile(50):.2f} "
        f"p95_ms={steady.percentile(95):.2f} errors={errors}"
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
