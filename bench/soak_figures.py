"""The soak's figures (bench/soak.py): what it reads back from the database, the fake GHL's record of texts and
locust's ledger, and the report it prints, ending with its RESULT line."""
from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults import (  # noqa: E402
    Crash,
    FaultWindow,
    MemoryWatch,
)
from bench.harness import percentile  # noqa: E402
from tests.fakes.ghl import FakeGHL  # noqa: E402

OPT_OUT_CONFIRMATIONS = ("You are unsubscribed", "Ya no recibirá")
# Errors a load sees just after PostgreSQL is back (pools reconnecting) still belong to its restart.
FAULT_ERROR_GRACE_SECONDS = 10.0
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
