"""The soak: mixed traffic (locustfile.py) against the whole app for `--minutes`, while faults happen one at a time.

One command (`make soak`, or `python bench/soak.py`) starts everything of its own: a PostgreSQL cluster (initdb,
on a free port) and a redis-server on a free port (never the machine's servers), migrates, seeds `--locations`
GHL locations (Claude on for `--claude-locations` of them, against the fake Anthropic; the others at a Claude
budget of 0), a broker, then gunicorn with gunicorn.conf.py, a turns worker (webhooks, bots), a bulk worker
(llm, analytics), beat, the fake GHL and the fake Anthropic, and runs locust headless with `--csv`. Meanwhile
bench/faults.py does, after a fault-free minute: SIGKILL of the turns worker while a Claude call is in flight
(then starts it again), a Redis restart, a PostgreSQL restart, the fake GHL answering 503 for two minutes then
429 for two minutes, the fake Anthropic answering 529. Durations scale with `--minutes` (given for 10).
After the load it waits for the backlog to drain (`--drain-seconds`), then counts, from the ledger locust wrote,
the fake GHL's record and the database:

- webhooks sent / answered 200 / stored; lost = answered 200 but not in the database (must be 0);
- duplicate SMS: texts GHL accepted beyond the outbox rows with that text for that lead (must be 0);
- texts GHL accepted for a lead after the opt-out confirmation it sent them (must be 0);
- reply latency (lead's text posted -> the fake GHL accepting the next text to that lead) p50/p95/p99 outside
  faults and during each; recovery after each fault (its end -> the first reply to a text sent after it);
- peak resident memory of each process; errors by kind seen by locust, by fault window.

It exits 1 when lost, duplicate or to-opted-out is not 0.

    .venv/bin/python bench/soak.py                  # 10 minutes, every fault
    .venv/bin/python bench/soak.py --minutes 0.5 --faults kill-worker
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults import (  # noqa: E402
    AppProcess,
    Crash,
    Fault,
    FaultPlan,
    FaultWindow,
    MemoryWatch,
    PrivatePostgres,
    PrivateRedis,
    Supervisor,
    beat_process,
    celery_process,
    gunicorn_process,
)
from bench.harness import ROOT, bench_environment, percentile, production_gunicorn, run_django  # noqa: E402
from tests.fakes import ghl_events  # noqa: E402
from tests.fakes.anthropic import FakeAnthropic  # noqa: E402
from tests.fakes.ghl import FakeGHL  # noqa: E402

FAULT_NAMES = ("kill-worker", "redis-restart", "postgres-restart", "ghl-5xx", "ghl-429", "anthropic-529")
BASELINE_SECONDS = 60.0  # fault-free, on a 10-minute soak
CLAUDE_LATENCY_SECONDS = 0.3
OPT_OUT_CONFIRMATIONS = ("You are unsubscribed", "Ya no recibirá")
# Errors a load sees just after PostgreSQL is back (pools reconnecting) still belong to its restart.
FAULT_ERROR_GRACE_SECONDS = 10.0
BROKER = ("soak-broker", "soak-broker-password")

SEED = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from leads.models import Location, LocationMembership
broker = get_user_model().objects.create_user(username={username!r}, password={password!r})
for n in range({locations}):
    # Claude on for the first {claude} locations; a Claude budget of 0 keeps the others offline.
    settings = {{}} if n < {claude} else {{"llm_daily_spend_limit_usd": 0}}
    location = Location.objects.create(id=f"SoakLocation{{n:08d}}", name=f"Soak Realty {{n}}",
                                       api_token=f"soak-token:SoakLocation{{n:08d}}",
                                       timezone="America/Chicago", bot_settings=settings)
    LocationMembership.objects.create(user=broker, location=location, role="broker")
print(json.dumps({{"token": Token.objects.create(user=broker).key}}))
"""

PENDING = """
SELECT (SELECT count(*) FROM leads_webhookevent WHERE processed_at IS NULL)
     + (SELECT count(*) FROM leads_outboxmessage WHERE status IN ('pending', 'sending'))
"""


@dataclass
class Stack:
    """What the soak started: the servers, the app's processes and the fakes."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    ghl: FakeGHL
    anthropic: FakeAnthropic
    web: AppProcess
    turns: AppProcess
    bulk: AppProcess
    beat: AppProcess

    @property
    def processes(self) -> list[AppProcess]:
        return [self.web, self.turns, self.bulk, self.beat]


def plan_faults(stack: Stack, names: list[str]) -> list[Fault]:
    def mid_turn() -> None:
        # A Claude call in flight means a pool process of the turns worker is inside a turn.
        deadline = time.time() + 20
        while stack.anthropic.in_flight == 0 and time.time() < deadline:
            time.sleep(0.01)

    def kill_worker(seconds: float) -> str:
        in_flight = stack.anthropic.in_flight
        stack.turns.kill()
        time.sleep(seconds)
        stack.turns.start()
        return f"SIGKILL with {in_flight} Claude call(s) in flight; started again after {seconds:.0f} s"

    def restart_redis(seconds: float) -> str:
        stack.redis.stop()
        time.sleep(seconds)
        stack.redis.start()
        return f"redis-server stopped (SIGTERM) for {seconds:.0f} s"

    def restart_postgres(seconds: float) -> str:
        stack.postgres.stop("fast")
        time.sleep(seconds)
        stack.postgres.start()
        return f"PostgreSQL stopped (fast) for {seconds:.0f} s"

    def ghl_failing(status: int) -> Callable[[float], str]:
        def inflict(seconds: float) -> str:
            stack.ghl.fail_for(status, seconds)
            time.sleep(seconds)
            return f"fake GHL answered {status} to every call for {seconds:.0f} s"
        return inflict

    def anthropic_overloaded(seconds: float) -> str:
        stack.anthropic.fail_for(529, seconds)
        time.sleep(seconds)
        return f"fake Anthropic answered 529 to every message request for {seconds:.0f} s"

    # Outage length and recovery after it, on a 10-minute soak (the GHL outage is 5xx then 429, back to back).
    faults = {
        "kill-worker": Fault("kill-worker", 3, 37, kill_worker, ready=mid_turn),
        "redis-restart": Fault("redis-restart", 10, 45, restart_redis),
        "postgres-restart": Fault("postgres-restart", 10, 45, restart_postgres),
        "ghl-5xx": Fault("ghl-5xx", 120, 0, ghl_failing(503)),
        "ghl-429": Fault("ghl-429", 120, 40, ghl_failing(429)),
        "anthropic-529": Fault("anthropic-529", 50, 40, anthropic_overloaded),
    }
    return [faults[name] for name in names]


def start_stack(logs: Path, env: dict[str, str], postgres: PrivatePostgres, redis: PrivateRedis,
                ghl: FakeGHL, anthropic: FakeAnthropic, stack: ExitStack) -> Stack:
    workers, threads = production_gunicorn()
    app = Stack(
        postgres, redis, ghl, anthropic,
        web=gunicorn_process(env, logs, workers, threads),
        turns=celery_process("worker-turns", env, logs, "webhooks,bots", 4),
        # Claude's bulk work waits on I/O: threads, as docs/operations.md deploys it.
        bulk=celery_process("worker-bulk", env, logs, "llm,analytics", 4, pool="threads"),
        beat=beat_process(env, logs),
    )
    # The workers boot while gunicorn does (only gunicorn is waited for: its port).
    for process in [app.turns, app.bulk, app.beat, app.web]:
        process.start()
        stack.callback(process.stop)
    return app


def warm_up(base_url: str, key: ed25519.Ed25519PrivateKey, ghl: FakeGHL, location_id: str) -> float:
    """One lead answered end to end before the load, as after a deploy; returns its seconds."""
    import httpx

    started = time.time()
    contact_id = "SoakWarmUpLead000001"
    payload = ghl_events.inbound_message(body="Hi, thinking about selling", contact_id=contact_id,
                                         location_id=location_id)
    body = ghl_events.encode(payload)
    headers = {"Content-Type": "application/json", "x-ghl-signature": _sign(key, body)}
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.post(f"{base_url}/webhooks/ghl/", content=body, headers=headers, timeout=10).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    while not ghl.sms_sent(contact_id):
        if time.time() > deadline:
            raise RuntimeError("the warm-up lead got no reply in 180 s (see the logs directory)")
        time.sleep(0.2)
    return time.time() - started


def _sign(key: ed25519.Ed25519PrivateKey, body: bytes) -> str:
    import base64

    return base64.b64encode(key.sign(body)).decode()


class GHLEcho:
    """GHL's echo: every text sent through the API comes back as a signed OutboundMessage webhook, which is how the
    app learns that a text whose answer it lost (a timeout, a worker killed mid-send) did go out."""

    def __init__(self, base_url: str, key: ed25519.Ed25519PrivateKey, ghl: FakeGHL) -> None:
        self.base_url = base_url
        self.key = key
        self.ghl = ghl
        self.entries: list[dict[str, Any]] = []  # ledger entries, as locust writes them
        self._waiting: list[tuple[bytes, dict[str, Any]]] = []
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ghl-echo", daemon=True)

    def __enter__(self) -> GHLEcho:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            while not self._stop.wait(0.5) or self._waiting:
                self._collect()
                self._waiting = [(body, facts) for body, facts in self._waiting if not self._post(client, body, facts)]
                if self._stop.is_set() and self._waiting:
                    time.sleep(1)  # the app is down (a 429): GHL keeps redelivering

    def _collect(self) -> None:
        accepted = self.ghl.texts_accepted(self._seen)
        self._seen += len(accepted)
        for call, message_id in accepted:
            # Each location has its own token (see SEED), as GHL knows the location from it.
            location_id = call.headers.get("authorization", "").rsplit(":", 1)[-1]
            contact_id = call.json["contactId"]
            payload = ghl_events.outbound_message(body=call.json["message"], contact_id=contact_id,
                                                  conversation_id=f"conv_{contact_id}", message_id=message_id,
                                                  location_id=location_id, source="api")
            facts = {"k": "webhook", "id": payload["webhookId"], "type": "OutboundMessage", "purpose": "echo",
                     "contact": contact_id, "location": location_id, "message": message_id}
            self._waiting.append((ghl_events.encode(payload), facts))

    def _post(self, client: Any, body: bytes, facts: dict[str, Any]) -> bool:
        """True once the app answered anything but 429 (GHL redelivers on 429 only)."""
        import httpx

        sent = time.time()
        try:
            status = client.post("/webhooks/ghl/", content=body, headers={
                "Content-Type": "application/json", "x-ghl-signature": _sign(self.key, body)}).status_code
        except httpx.HTTPError:
            status = 0
        self.entries.append({**facts, "t": sent, "status": status})
        return status not in (0, 429)


def run_locust(directory: Path, base_url: str, seconds: float, users: int, extra_env: dict[str, str]) -> int:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
    command = [locust, "-f", str(ROOT / "locustfile.py"), "--headless", "-u", str(users), "-r", str(users),
               "--run-time", f"{seconds:.0f}s", "--host", base_url, "--csv", str(directory / "locust"),
               "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    with (directory / "logs" / "locust.log").open("ab") as log:
        return subprocess.run(command, cwd=ROOT, env={**os.environ, **extra_env}, stdout=log,
                              stderr=subprocess.STDOUT).returncode


def drain(database_url: str, seconds: float) -> float:
    """Wait until no stored webhook is unapplied and no outbox row waits to go out; returns the seconds waited."""
    started = time.time()
    while time.time() - started < seconds:
        try:
            with psycopg.connect(database_url, connect_timeout=5) as connection:
                row = connection.execute(PENDING).fetchone()
            if row is not None and row[0] == 0:
                break
        except psycopg.Error:
            pass
        time.sleep(2)
    return time.time() - started


# -- the figures --------------------------------------------------------------------------------------------------


_P50_P95 = "percentile_cont(0.5) WITHIN GROUP (ORDER BY {0}), percentile_cont(0.95) WITHIN GROUP (ORDER BY {0})"
STAGES = {
    "text stored -> applied": f"SELECT {_P50_P95.format('extract(epoch FROM processed_at - received_at)')} "
                              "FROM leads_webhookevent WHERE event_type = 'InboundMessage'",
    "reply queued -> sent": f"SELECT {_P50_P95.format('extract(epoch FROM sent_at - created_at)')} "
                            "FROM leads_outboxmessage WHERE kind = 'sms' AND status = 'sent'",
}


@dataclass
class Database:
    """What the database holds at the end."""

    webhook_ids: set[str]
    message_ids: set[str]
    # (GHL contact id, text) -> outbox SMS rows that may have reached GHL (not blocked or cancelled)
    sms_rows: Counter[tuple[str, str]]
    # (GHL contact id, text) -> "status/attempts/reason" of every outbox SMS row, blocked and cancelled too: evidence
    sms_detail: dict[tuple[str, str], list[str]]
    handled: set[str]  # GHL message ids of the lead texts a turn took (answered_at set), replied to or not
    unapplied_events: int
    waiting_outbox: int
    # Where a reply's time went: stored -> applied (lead texts), queued -> sent (texts); seconds, p50 and p95.
    stages: dict[str, tuple[float, float]]
    stale_names: int  # contacts whose name is the stale update's: an out-of-order update applied


def read_database(database_url: str) -> Database:
    with psycopg.connect(database_url) as connection:
        events = connection.execute("SELECT webhook_id, message_id FROM leads_webhookevent").fetchall()
        rows = connection.execute(
            "SELECT c.ghl_id, o.body, o.status, o.attempts, o.status_reason FROM leads_outboxmessage o "
            "JOIN leads_contact c ON c.id = o.contact_id WHERE o.kind = 'sms'"
        ).fetchall()
        handled = connection.execute(
            "SELECT ghl_message_id FROM leads_message WHERE direction = 'inbound' AND answered_at IS NOT NULL"
        ).fetchall()
        unapplied = connection.execute("SELECT count(*) FROM leads_webhookevent WHERE processed_at IS NULL").fetchone()
        waiting = connection.execute(
            "SELECT count(*) FROM leads_outboxmessage WHERE status IN ('pending', 'sending', 'deferred', 'parked')"
        ).fetchone()
        stale = connection.execute("SELECT count(*) FROM leads_contact WHERE first_name = 'Stale'").fetchone()
        stages = {name: connection.execute(query).fetchone() for name, query in STAGES.items()}
    return Database(
        webhook_ids={webhook_id for webhook_id, _ in events},
        message_ids={message_id for _, message_id in events if message_id},
        sms_rows=Counter((contact, body) for contact, body, status, _, _ in rows
                         if status not in ("blocked", "cancelled")),
        sms_detail=_details(rows),
        handled={message_id for (message_id,) in handled},
        unapplied_events=unapplied[0] if unapplied else 0,
        waiting_outbox=waiting[0] if waiting else 0,
        stale_names=stale[0] if stale else 0,
        stages={name: (row[0] or 0.0, row[1] or 0.0) for name, row in stages.items() if row is not None},
    )


def _details(rows: list[tuple[str, str, str, int, str]]) -> dict[tuple[str, str], list[str]]:
    details: dict[tuple[str, str], list[str]] = defaultdict(list)
    for contact, body, status, attempts, reason in rows:
        details[(contact, body)].append(f"{status}/{attempts} attempt(s)/{reason or '-'}")
    return details


@dataclass
class Text:
    """A text the fake GHL accepted."""

    contact: str
    body: str
    at: float


@dataclass
class Figures:
    deliveries: int = 0
    webhooks: int = 0
    echoes: int = 0  # of the webhooks, GHL's echoes of the texts it accepted
    answered: int = 0
    refused: Counter[int] = field(default_factory=Counter)  # final non-200 statuses of webhooks never answered 200
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    texts_in: int = 0
    replied: int = 0
    duplicates: int = 0
    duplicate_examples: list[str] = field(default_factory=list)
    unanswered: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    opt_outs: int = 0
    opt_outs_confirmed: int = 0
    to_opted_out: int = 0
    latency_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    recovery_s: dict[str, float | None] = field(default_factory=dict)
    backlog_s: dict[str, float | None] = field(default_factory=dict)
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def read_ledger(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def accepted_texts(ghl: FakeGHL) -> list[Text]:
    return [Text(call.json["contactId"], call.json["message"], call.received_at)
            for call in ghl.calls_to("POST", "/conversations/messages")
            if call.status < 300 and isinstance(call.json, dict) and call.json.get("type") == "SMS"]


def window_of(moment: float, timeline: list[FaultWindow], grace: float = 0.0) -> str:
    """The fault under way at `moment`, else one that ended less than `grace` seconds before, else steady."""
    for extra in (0.0, grace):
        for window in timeline:
            if window.started <= moment <= window.ended + extra:
                return window.name
    return "steady"


def webhook_figures(figures: Figures, ledger: list[dict[str, Any]], database: Database) -> None:
    deliveries = [entry for entry in ledger if entry["k"] == "webhook"]
    figures.deliveries = len(deliveries)
    statuses: dict[str, list[int]] = defaultdict(list)
    message_of: dict[str, str] = {}
    for entry in deliveries:
        statuses[entry["id"]].append(entry["status"])
        message_of[entry["id"]] = entry["message"]
    figures.webhooks = len(statuses)
    figures.echoes = len({entry["id"] for entry in deliveries if entry["purpose"] == "echo"})
    answered = [webhook_id for webhook_id, seen in statuses.items() if 200 in seen]
    figures.answered = len(answered)
    figures.refused = Counter(seen[-1] for seen in statuses.values() if 200 not in seen)
    # Stored under its webhookId, or (a message) under GHL's message id: a redelivery with a new webhookId.
    stored = [webhook_id for webhook_id in answered
              if webhook_id in database.webhook_ids or (message_of[webhook_id] in database.message_ids)]
    figures.stored = len(stored)
    figures.lost = sorted(set(answered) - set(stored))


@dataclass(frozen=True)
class LeadText:
    """A lead's text that is due a reply: when it was first posted, and when the next text to that lead went out."""

    sent: float
    reply: float | None
    message: str  # GHL's message id


def due_replies(ledger: list[dict[str, Any]], texts: list[Text]) -> list[LeadText]:
    to_lead: dict[str, list[float]] = defaultdict(list)
    for text in sorted(texts, key=lambda text: text.at):
        to_lead[text.contact].append(text.at)
    answered = {entry["id"] for entry in ledger if entry["k"] == "webhook" and entry["status"] == 200}
    first_delivery: dict[str, dict[str, Any]] = {}
    for entry in ledger:
        if entry["k"] == "webhook" and entry["purpose"] in ("first", "reply"):
            first_delivery.setdefault(entry["id"], entry)
    # One turn answers every text the lead sent before it: the next text out answers each of them.
    return [LeadText(entry["t"], next((at for at in to_lead.get(entry["contact"], []) if at > entry["t"]), None),
                     entry["message"])
            for webhook_id, entry in first_delivery.items() if webhook_id in answered]


def text_figures(figures: Figures, ledger: list[dict[str, Any]], texts: list[Text], database: Database,
                 timeline: list[FaultWindow]) -> None:
    due = due_replies(ledger, texts)
    figures.texts_in = len(due)
    figures.replied = sum(1 for text in due if text.reply is not None)
    recovering: list[tuple[float, float]] = []
    for number, window in enumerate(timeline):
        after = [text.reply for text in due if text.sent >= window.ended and text.reply is not None]
        figures.recovery_s[window.name] = (min(after) - window.ended) if after else None
        during = [text.reply for text in due if window.started <= text.sent <= window.ended]
        replies = [reply for reply in during if reply is not None]
        cleared = max(0.0, max(replies) - window.ended) if replies and len(replies) == len(during) else None
        figures.backlog_s[window.name] = cleared
        # Until the texts of the fault are answered (or the next fault), the app is still recovering.
        next_start = timeline[number + 1].started if number + 1 < len(timeline) else float("inf")
        recovering.append((window.ended, min(window.ended + cleared, next_start) if cleared is not None
                           else next_start))
    for text in due:
        name = window_of(text.sent, timeline)
        if name == "steady" and any(start < text.sent <= end for start, end in recovering):
            name = "recovering"
        if text.reply is not None:
            figures.latency_ms[name].append((text.reply - text.sent) * 1000)
        else:
            # A turn may rightly stay silent (a lead handed to a person); a text no turn took is work left undone.
            why = "taken by a turn, no reply" if text.message in database.handled else "never taken by a turn"
            figures.unanswered[name][why] += 1
    _duplicates(figures, texts, database, timeline)
    _opted_out(figures, ledger, texts)


def _duplicates(figures: Figures, texts: list[Text], database: Database, timeline: list[FaultWindow]) -> None:
    at_ghl: dict[tuple[str, str], list[float]] = defaultdict(list)
    for text in texts:
        at_ghl[(text.contact, text.body)].append(text.at)
    for (contact, body), times in at_ghl.items():
        extra = len(times) - database.sms_rows.get((contact, body), 0)
        if extra > 0:
            figures.duplicates += extra
            accepted = ", ".join(f"{time.strftime('%H:%M:%S', time.gmtime(at))} ({window_of(at, timeline)})"
                                 for at in sorted(times))
            rows = "; ".join(database.sms_detail.get((contact, body), [])) or "none"
            figures.duplicate_examples.append(f"contact {contact}: GHL accepted a {len(body)}-character text "
                                              f"{len(times)} x at {accepted}; its outbox rows: {rows}")


def _opted_out(figures: Figures, ledger: list[dict[str, Any]], texts: list[Text]) -> None:
    stopped = {entry["contact"] for entry in ledger if entry["k"] == "webhook" and entry["purpose"] == "stop"}
    figures.opt_outs = len(stopped)
    for contact in stopped:
        theirs = sorted((text for text in texts if text.contact == contact), key=lambda text: text.at)
        confirmed = next((text.at for text in theirs if text.body.startswith(OPT_OUT_CONFIRMATIONS)), None)
        if confirmed is not None:
            figures.opt_outs_confirmed += 1
            figures.to_opted_out += sum(1 for text in theirs if text.at > confirmed)


def error_figures(figures: Figures, ledger: list[dict[str, Any]], timeline: list[FaultWindow]) -> None:
    for entry in ledger:
        if entry["k"] != "request" or 200 <= entry["status"] < 400:
            continue
        kind = str(entry["status"]) if entry["status"] else entry["error"] or "no answer"
        window = window_of(entry["t"], timeline, FAULT_ERROR_GRACE_SECONDS)
        figures.errors[window][f"{entry['name'].split(' ')[0]} {kind}"] += 1


def server_errors_outside_postgres(figures: Figures) -> int:
    return sum(count for window, kinds in figures.errors.items() if window != "postgres-restart"
               for kind, count in kinds.items() if not kind.split(" ")[-1].startswith("4"))


# -- the report ---------------------------------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q):.0f}" if values else "-"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def unhandled(figures: Figures) -> int:
    """Lead texts stored and acknowledged that no turn ever took, even after the drain: as good as lost."""
    return sum(reasons["never taken by a turn"] for reasons in figures.unanswered.values())


def report(figures: Figures, database: Database, timeline: list[FaultWindow], memory: MemoryWatch,
           load: tuple[float, float], minutes: float, drained_s: float, crashes: list[Crash]) -> str:
    lines = [
        f"webhooks: {figures.webhooks} sent ({figures.echoes} of them GHL's echoes of our texts) in "
        f"{figures.deliveries} deliveries, {figures.answered} answered 200, "
        f"{figures.stored} stored, {len(figures.lost)} lost; never answered 200: {dict(figures.refused) or 0}",
        f"lead texts due a reply: {figures.texts_in}, replied {figures.replied}; duplicate SMS {figures.duplicates}; "
        f"opt-outs {figures.opt_outs} ({figures.opt_outs_confirmed} confirmed), texts after the confirmation "
        f"{figures.to_opted_out}; out-of-order updates applied stale {database.stale_names}",
        f"after the load: drained in {drained_s:.0f} s; stored events not applied {database.unapplied_events}, "
        f"outbox rows still waiting {database.waiting_outbox}; "
        + "; ".join(f"{name} p50 {p50:.2f} s, p95 {p95:.2f} s" for name, (p50, p95) in database.stages.items()),
    ]
    lines += [f"  lost webhook {webhook_id}" for webhook_id in figures.lost[:10]]
    lines += [f"  duplicate: {example}" for example in figures.duplicate_examples[:10]]
    for name, reasons in figures.unanswered.items():
        lines.append(f"  unanswered texts sent in {name}: " + ", ".join(f"{why} {n}" for why, n in reasons.items()))
    lines.append("reply latency (ms) by when the lead texted:   n   p50   p95   p99   recovered after (s)  backlog (s)")
    for name in ["steady", *[window.name for window in timeline], "recovering"]:
        values = figures.latency_ms.get(name, [])
        lines.append(f"  {name:<18} {len(values):>6} {_ms(values, 50):>5} {_ms(values, 95):>5} {_ms(values, 99):>5}"
                     f"   {_s(figures.recovery_s.get(name)) if name in figures.recovery_s else '':>18} "
                     f"{_s(figures.backlog_s.get(name)) if name in figures.backlog_s else '':>12}")
    for window in timeline:
        lines.append(f"  {window.name}: {window.note}")
    for crash in crashes:
        lines.append(f"{crash.name} exited on its own (code {crash.exit_code}) at "
                     f"{time.strftime('%H:%M:%S', time.gmtime(crash.at))} ({window_of(crash.at, timeline, 10)}); "
                     "the soak started it again, as compose's restart policy would")
    lines.append(f"peak RSS (MB) of any one process: {memory.describe()}")
    peaks = memory.peak_by_name()
    lines.append("errors seen by the load, by window (a fault's window runs to 10 s after its end):")
    for window, kinds in sorted(figures.errors.items()):
        lines.append(f"  {window}: " + ", ".join(f"{kind} x{count}" for kind, count in sorted(kinds.items())))
    steady = figures.latency_ms.get("steady", [])
    result = {
        "minutes": f"{minutes:g}", "load_before": f"{load[0]:.2f}", "load_after": f"{load[1]:.2f}",
        "webhooks_sent": figures.webhooks, "deliveries": figures.deliveries, "answered": figures.answered,
        "stored": figures.stored, "lost": len(figures.lost), "texts": figures.texts_in, "replied": figures.replied,
        "unhandled": unhandled(figures), "crashes": len(crashes),
        "duplicate_sms": figures.duplicates, "opt_outs": figures.opt_outs, "to_opted_out": figures.to_opted_out,
        "p50_ms": _ms(steady, 50), "p95_ms": _ms(steady, 95), "p99_ms": _ms(steady, 99),
    }
    for window in timeline:
        values = figures.latency_ms.get(window.name, [])
        result[f"{window.name}_p95_ms"] = _ms(values, 95)
        result[f"{window.name}_recover_s"] = _s(figures.recovery_s.get(window.name))
    result["rss_web_mb"] = f"{peaks.get('web', 0):.0f}"
    result["rss_worker_mb"] = f"{max((rss for name, rss in peaks.items() if name.startswith('worker')), default=0):.0f}"
    result["rss_beat_mb"] = f"{peaks.get('beat', 0):.0f}"
    result["errors_5xx_outside_pg"] = server_errors_outside_postgres(figures)
    result["errors"] = sum(sum(kinds.values()) for kinds in figures.errors.values())
    lines.append("RESULT " + " ".join(f"{key}={value}" for key, value in result.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--faults", default=",".join(FAULT_NAMES), help=f"comma-separated, of {FAULT_NAMES}; or none")
    parser.add_argument("--users", type=int, default=10, help="locust users: 6 GHL, 3 API, 1 admin in 10")
    parser.add_argument("--locations", type=int, default=6)
    parser.add_argument("--claude-locations", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=180.0, help="longest wait for the backlog after")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "soak",
                        help="where the logs, locust's CSV files and the ledger go (emptied first)")
    args = parser.parse_args(argv)
    names = [name for name in args.faults.split(",") if name and name != "none"]
    unknown = set(names) - set(FAULT_NAMES)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}")

    # SIGTERM (a test's timeout, a supervisor) unwinds like Ctrl-C, so the servers are stopped, not orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    load_before = os.getloadavg()[0]
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    # The servers' data in a throwaway directory; what a person reads afterwards in --out.
    directory = Path(tempfile.mkdtemp(prefix="jorgebot-soak-"))
    directory.chmod(0o755)  # PostgreSQL runs as another user when we are root
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "logs").mkdir(parents=True)
    key = ed25519.Ed25519PrivateKey.generate()
    key_file = directory / "ghl-webhook-key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    ledger = args.out / "ledger.jsonl"
    try:
        with ExitStack() as stack:
            postgres = PrivatePostgres(directory / "postgres")
            postgres.start()
            stack.callback(postgres.stop, "immediate", True)
            redis = PrivateRedis(directory / "redis")
            redis.start()
            stack.callback(redis.stop)
            ghl = stack.enter_context(FakeGHL())
            anthropic = stack.enter_context(FakeAnthropic(latency_seconds=CLAUDE_LATENCY_SECONDS))
            # bench_environment makes its database on the server DATABASE_URL names: ours.
            os.environ["DATABASE_URL"] = postgres.url
            os.environ["JORGEBOT_BENCH_REDIS_URL"] = redis.url
            env = stack.enter_context(bench_environment(
                "soak", GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem, GHL_API_BASE_URL=ghl.url,
                JORGEBOT_REPLY_DEBOUNCE_SECONDS="0", ANTHROPIC_API_KEY="soak-key", ANTHROPIC_BASE_URL=anthropic.url,
                JORGEBOT_API_THROTTLE="1000000/min",
            ))
            seeded = json.loads(run_django(env, SEED.format(username=BROKER[0], password=BROKER[1],
                                                            locations=args.locations, claude=args.claude_locations)))
            locations = [f"SoakLocation{n:08d}" for n in range(args.locations)]
            app = start_stack(args.out / "logs", env, postgres, redis, ghl, anthropic, stack)
            base_url = f"http://127.0.0.1:{app.web.port}"
            print(f"warm-up lead answered in {warm_up(base_url, key, ghl, locations[0]):.1f} s; "
                  f"{args.minutes:g} minutes of load, faults: {', '.join(names) or 'none'}", flush=True)
            plan = FaultPlan(plan_faults(app, names), BASELINE_SECONDS, args.minutes / 10)
            with MemoryWatch(app.processes) as memory, GHLEcho(base_url, key, ghl) as echo, \
                    Supervisor(app.processes) as supervisor:
                thread = plan.start()
                locust_exit = run_locust(args.out, base_url, args.minutes * 60, args.users, {
                    "JORGEBOT_SOAK_KEY": str(key_file), "JORGEBOT_SOAK_LOCATIONS": ",".join(locations),
                    "JORGEBOT_SOAK_API_TOKEN": seeded["token"], "JORGEBOT_SOAK_BROKER": ":".join(BROKER),
                    "JORGEBOT_SOAK_LEDGER": str(ledger),
                })
                plan.stop()
                thread.join(timeout=300)
                drained_s = drain(env["DATABASE_URL"], args.drain_seconds)
            # GHL's last echoes went out as the echo stopped: let the worker apply them too.
            drained_s += drain(env["DATABASE_URL"], 30)
            if plan.error is not None:
                raise RuntimeError(f"the fault plan failed: {plan.error!r}") from plan.error
            database = read_database(env["DATABASE_URL"])
            texts = accepted_texts(ghl)
        load_after = os.getloadavg()[0]
        print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; locust exited "
              f"{locust_exit} (1 when any request failed); logs, CSV and ledger in {args.out}", flush=True)
        (args.out / "texts.jsonl").write_text("".join(json.dumps(text.__dict__) + "\n" for text in texts))
        entries = read_ledger(ledger) + echo.entries
        figures = Figures()
        webhook_figures(figures, entries, database)
        text_figures(figures, entries, texts, database, plan.timeline)
        error_figures(figures, entries, plan.timeline)
        print(report(figures, database, plan.timeline, memory, (load_before, load_after),
                     args.minutes, drained_s, supervisor.crashes))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 1 if figures.lost or figures.duplicates or figures.to_opted_out or unhandled(figures) else 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
