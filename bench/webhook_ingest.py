"""Webhook ingest throughput: signed InboundMessage posts to POST /webhooks/ghl/ under gunicorn.

Measures the webhook and a trivial view (/health/) on the same server in the same run, at 50
concurrent keep-alive clients, and prints both and their ratio. Targets (2 cores): webhook
>= 1,000 req/s, p95 <= 25 ms, and >= 40 % of the trivial view's throughput.

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
    args = parser.parse_args()

    key = ed25519.Ed25519PrivateKey.generate()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    # Enough distinct bodies for a generous 4,000 req/s over warm-up and the measured window.
    bodies = signed_bodies(int(4000 * (args.seconds + 3)), key)

    with bench_environment("webhook", GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem) as env:
        run_django(env, f"from leads.models import Location; Location.objects.create(id='{LOCATION_ID}', name='Bench')")
        with gunicorn(env, workers=args.workers, threads=args.threads) as url:
            def health(_: int) -> tuple[str, str, bytes, dict[str, str]]:
                return "GET", "/health/", b"", {}

            def webhook(n: int) -> tuple[str, str, bytes, dict[str, str]]:
                body, signature = bodies[n % len(bodies)]
                return "POST", "/webhooks/ghl/", body, {"Content-Type": "application/json", "x-ghl-signature": signature}

            drive(url, health, args.concurrency, 2.0)
            warm = drive(url, webhook, args.concurrency, 2.0)
            trivial = drive(url, health, args.concurrency, args.seconds)
            # Continue numbering after the warm-up so every measured post is a new event.
            offset = warm.requests + 1
            ingest = drive(url, lambda n: webhook(n + offset), args.concurrency, args.seconds)
        stored = run_django(env, "from leads.models import WebhookEvent; print(WebhookEvent.objects.count())").strip()

    ratio = ingest.rate / trivial.rate
    print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} clients, {args.seconds:.0f} s each")
    print(describe("trivial", trivial))
    print(describe("webhook", ingest))
    print(f"webhook / trivial throughput: {ratio:.2f}; events stored: {stored}")
    print(
        f"RESULT webhook_rps={ingest.rate:.0f} webhook_p50_ms={ingest.percentile(50):.2f} "
        f"webhook_p95_ms={ingest.percentile(95):.2f} trivial_rps={trivial.rate:.0f} "
        f"trivial_p95_ms={trivial.percentile(95):.2f} ratio={ratio:.2f} errors={ingest.errors + trivial.errors}"
    )
    return 0 if ingest.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
