"""Webhook ingest throughput: signed InboundMessage posts to POST /webhooks/ghl/ under gunicorn.

Measures the webhook and a trivial view (/health/) on the same server in the same run over 50
concurrent keep-alive connections: first closed loop (each connection sends again as soon as it
is answered) for the saturation throughput of both and their ratio; then open loop, a steady
1,000 webhooks/s offered over the same 50 connections, for the latency a lead's webhook sees at
that rate. (Closed loop, 50 clients at 1,000 req/s would mean 50 ms mean latency by Little's law
whatever the server does, so the latency target can only be read at an offered rate.)
Targets (2 cores): webhook >= 1,000 req/s, p95 <= 25 ms at 1,000/s, >= 40 % of the trivial view.
Each phase also prints the CPU that gunicorn, PostgreSQL, Redis, the load client and the kernel's
network processing spent per request, and what the rest of the machine took meanwhile: on a shared
machine the throughput moves with the neighbours, the CPU per request much less.

    python -m jorgebot.embedded -- python bench/webhook_ingest.py      (or with DATABASE_URL/REDIS_URL set)
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    LoadResult,
    bench_environment,
    describe,
    drive,
    gunicorn,
    production_gunicorn,
    run_django,
    running_processes,
)

LOCATION_ID = "BenchLocation0000001"
# PostgreSQL's own background processes, which every database on the server shares (the WAL writer among them).
POSTGRES_SHARED = ("checkpointer", "background writer", "walwriter", "autovacuum launcher", "archiver",
                   "logical replication launcher")


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


def _kind_of(command: str, gunicorn_port: int, database: str, redis_port: int) -> str | None:
    if "gunicorn" in command and f"127.0.0.1:{gunicorn_port}" in command:
        return "gunicorn"
    if command.startswith("postgres:") and f" {database} " in command:
        return "postgres backends"
    if command.startswith("postgres:") and command.split(": ")[-1].strip() in POSTGRES_SHARED:
        return "postgres shared"
    if command.startswith("redis-server") and command.strip().endswith(f":{redis_port}"):
        return "redis"
    return None


def cpu_seconds_by_kind(gunicorn_port: int, database: str, redis_port: int) -> dict[str, float]:
    """CPU time (user + system, all threads) so far of each part of the system under test, from /proc.

    On a shared two-core machine the throughput moves with the neighbours' load; CPU per request says
    where the cost is, and "machine, others" says how much of the machine someone else took meanwhile.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(("gunicorn", "postgres backends", "postgres shared", "redis"), 0.0)
    for process in running_processes():
        kind = _kind_of(process.command, gunicorn_port, database, redis_port)
        if kind is not None:
            totals[kind] += process.cpu_seconds
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["load client"] = usage.ru_utime + usage.ru_stime
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    # Loopback TCP is mostly processed in softirq, which no process's own CPU time counts.
    totals["kernel softirq"] = softirq / ticks
    totals["machine"] = (user + nice + system + irq + softirq + steal) / ticks
    return totals


def server_cpu_ms(before: dict[str, float], after: dict[str, float], result: LoadResult) -> float:
    """What the server side (gunicorn, PostgreSQL, Redis) spent per request."""
    kinds = ("gunicorn", "postgres backends", "postgres shared", "redis")
    return 1000 * sum(after[kind] - before[kind] for kind in kinds) / max(result.requests, 1)


def describe_cpu(label: str, before: dict[str, float], after: dict[str, float], result: LoadResult) -> str:
    spent = {kind: after[kind] - before[kind] for kind in before}
    spent["machine, others"] = spent["machine"] - sum(v for k, v in spent.items() if k != "machine")
    per_request = ", ".join(
        f"{kind} {1000 * seconds / max(result.requests, 1):.3f}" for kind, seconds in spent.items() if kind != "machine"
    )
    return (f"{label:<10} CPU ms per request: {per_request}; machine busy "
            f"{spent['machine'] / result.seconds:.2f} of {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=50)
    # Production's process and thread counts unless asked for others.
    workers, threads = production_gunicorn()
    parser.add_argument("--workers", type=int, default=workers)
    parser.add_argument("--threads", type=int, default=threads)
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
        database = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
        redis_port = urlsplit(env["REDIS_URL"]).port or 6379
        with gunicorn(env, workers=args.workers, threads=args.threads) as url:
            def cpu() -> dict[str, float]:
                return cpu_seconds_by_kind(int(url.rsplit(":", 1)[1]), database, redis_port)

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
            cpu_trivial = cpu()
            trivial = drive(url, health, args.concurrency, args.seconds)
            cpu_ingest = cpu()
            ingest = drive(url, fresh_webhook, args.concurrency, args.seconds)
            cpu_steady = cpu()
            sent += ingest.requests + 1
            steady = drive(url, fresh_webhook, args.concurrency, args.seconds, rate=args.rate)
            cpu_end = cpu()
        stored = run_django(env, "from leads.models import WebhookEvent; print(WebhookEvent.objects.count())").strip()

    ratio = ingest.rate / trivial.rate
    errors = ingest.errors + trivial.errors + steady.errors
    print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} connections, "
          f"{args.seconds:.0f} s per phase")
    print("closed loop (saturation):")
    print("  " + describe("trivial", trivial))
    print("  " + describe("webhook", ingest))
    print(f"  webhook / trivial throughput: {ratio:.2f}")
    print("  " + describe_cpu("trivial", cpu_trivial, cpu_ingest, trivial))
    print("  " + describe_cpu("webhook", cpu_ingest, cpu_steady, ingest))
    print(f"open loop at {args.rate:.0f} webhooks/s offered:")
    print("  " + describe("webhook", steady))
    print("  " + describe_cpu("webhook", cpu_steady, cpu_end, steady))
    print(f"events stored: {stored}")
    print(
        f"RESULT webhook_rps={ingest.rate:.0f} trivial_rps={trivial.rate:.0f} ratio={ratio:.2f} "
        f"offered_rps={args.rate:.0f} achieved_rps={steady.rate:.0f} p50_ms={steady.percentile(50):.2f} "
        f"p95_ms={steady.percentile(95):.2f} server_cpu_ms={server_cpu_ms(cpu_ingest, cpu_steady, ingest):.3f} "
        f"errors={errors}"
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
