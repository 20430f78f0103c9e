"""The soak (bench/soak.py): its counting of lost webhooks, duplicate texts and texts to opted-out leads, the fakes'
timed outages it relies on, and the whole machinery run for a few seconds with one quick fault, so it cannot rot.

The run takes about 45 s on a quiet two-core machine (85 s with others busy on it); JORGEBOT_SKIP_SOAK=1 skips it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bench.faults import FaultWindow
from bench.soak_figures import (
    Database,
    Figures,
    Text,
    error_figures,
    server_errors_outside_postgres,
    text_figures,
    webhook_figures,
)
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.ghl import FakeGHL

ROOT = Path(__file__).resolve().parent.parent
CONFIRMATION = "You are unsubscribed and will get no more texts from us. Reply START to opt back in."


def database(**fields: object) -> Database:
    defaults: dict[str, object] = {"webhook_ids": set(), "message_ids": set(), "sms_rows": Counter(),
                                   "unapplied_events": 0, "waiting_outbox": 0, "stale_names": 0, "stages": {},
                                   "sms_detail": {}, "handled": set()}
    return Database(**{**defaults, **fields})  # type: ignore[arg-type]


def webhook(webhook_id: str, status: int, *, purpose: str = "first", contact: str = "Lead1", t: float = 100.0,
            message: str = "") -> dict[str, object]:
    return {"k": "webhook", "id": webhook_id, "type": "InboundMessage", "purpose": purpose, "contact": contact,
            "location": "Loc", "message": message, "t": t, "status": status, "delivery": 1}


def test_a_webhook_answered_200_and_not_in_the_database_is_lost() -> None:
    ledger = [webhook("kept", 200), webhook("gone", 200), webhook("refused", 429), webhook("by-message", 200,
                                                                                          message="Msg1")]
    figures = Figures()

    webhook_figures(figures, ledger, database(webhook_ids={"kept"}, message_ids={"Msg1"}))

    assert (figures.answered, figures.stored, figures.lost) == (3, 2, ["gone"])
    assert figures.refused == Counter({429: 1})


def test_a_text_accepted_twice_for_one_outbox_row_is_a_duplicate() -> None:
    texts = [Text("Lead1", "What is the address?", 101.0), Text("Lead1", "What is the address?", 102.0),
             Text("Lead2", "When would you move?", 101.0), Text("Lead2", "When would you move?", 150.0)]
    # Lead2's bot asked the same question in two turns: two outbox rows, no duplicate.
    rows = Counter({("Lead1", "What is the address?"): 1, ("Lead2", "When would you move?"): 2})
    figures = Figures()

    text_figures(figures, [webhook("a", 200)], texts, database(sms_rows=rows), [])

    assert figures.duplicates == 1


def test_a_text_after_the_opt_out_confirmation_is_counted() -> None:
    ledger = [webhook("first", 200, t=100.0), webhook("stop", 200, purpose="stop", t=110.0),
              webhook("stop2", 200, purpose="stop", contact="Lead2", t=110.0)]
    texts = [Text("Lead1", "Thinking of selling?", 101.0), Text("Lead1", CONFIRMATION, 111.0),
             Text("Lead1", "Still there?", 130.0), Text("Lead2", CONFIRMATION, 111.0)]
    figures = Figures()

    text_figures(figures, ledger, texts, database(), [])

    assert (figures.opt_outs, figures.opt_outs_confirmed, figures.to_opted_out) == (2, 2, 1)


def test_latency_is_reported_by_the_fault_a_text_arrived_in_and_recovery_from_its_end() -> None:
    ledger = [webhook("before", 200, contact="A", t=10.0), webhook("during", 200, contact="B", t=55.0),
              webhook("after", 200, contact="C", t=70.0)]
    texts = [Text("A", "Hi", 10.5), Text("B", "Hi", 80.0), Text("C", "Hi", 72.0)]
    figures = Figures()

    text_figures(figures, ledger, texts, database(), [FaultWindow("ghl-5xx", 50.0, 60.0)])

    assert figures.latency_ms["steady"] == [500.0]
    assert figures.latency_ms["ghl-5xx"] == [25_000.0]
    assert figures.latency_ms["recovering"] == [2_000.0]
    assert figures.recovery_s["ghl-5xx"] == 12.0
    assert figures.backlog_s["ghl-5xx"] == 20.0


def test_server_errors_count_against_the_app_outside_the_postgresql_restart_only() -> None:
    timeline = [FaultWindow("postgres-restart", 50.0, 60.0), FaultWindow("redis-restart", 100.0, 110.0)]
    ledger = [{"k": "request", "t": 55.0, "name": "api leads", "status": 500, "error": ""},
              {"k": "request", "t": 65.0, "name": "webhook InboundMessage", "status": 429, "error": ""},
              {"k": "request", "t": 105.0, "name": "api leads", "status": 500, "error": ""},
              {"k": "request", "t": 200.0, "name": "admin leads", "status": 0, "error": "ConnectionError"}]
    figures = Figures()

    error_figures(figures, ledger, timeline)

    assert figures.errors["postgres-restart"] == Counter({"api 500": 1, "webhook 429": 1})
    assert server_errors_outside_postgres(figures) == 2


def test_the_fake_ghl_fails_for_the_time_given_then_answers_again() -> None:
    with FakeGHL() as fake:
        fake.fail_for(503, 0.5)
        headers = {"Authorization": "Bearer token", "Version": "2021-04-15"}
        body = {"type": "SMS", "contactId": "Lead1", "message": "Hi"}
        during = httpx.post(f"{fake.url}/conversations/messages", json=body, headers=headers).status_code
        time.sleep(0.6)
        after = httpx.post(f"{fake.url}/conversations/messages", json=body, headers=headers).status_code

    assert (during, after) == (503, 201)


def test_the_fake_anthropic_is_overloaded_for_the_time_given_then_answers_again() -> None:
    with FakeAnthropic() as fake:
        fake.fail_for(529, 0.5)
        headers = {"x-api-key": "key", "anthropic-version": "2023-06-01"}
        body = {"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}
        during = httpx.post(f"{fake.url}/v1/messages", json=body, headers=headers).status_code
        time.sleep(0.6)
        after = httpx.post(f"{fake.url}/v1/messages", json=body, headers=headers).status_code

    assert (during, after) == (529, 200)


# The soak starts its own Celery workers (and gunicorn, PostgreSQL, Redis).
@pytest.mark.worker
@pytest.mark.skipif(os.environ.get("JORGEBOT_SKIP_SOAK") == "1", reason="JORGEBOT_SKIP_SOAK=1")
def test_a_short_soak_with_a_ghl_outage_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    soak = subprocess.Popen(
        [sys.executable, "bench/soak.py", "--minutes", "0.25", "--faults", "ghl-5xx", "--drain-seconds", "60",
         "--out", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        stdout, stderr = soak.communicate(timeout=250)
    except subprocess.TimeoutExpired:
        soak.terminate()  # the soak stops its servers and processes on SIGTERM
        stdout, stderr = soak.communicate(timeout=60)

    assert stdout.strip(), stderr[-3000:]
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), stdout[-3000:] + stderr[-3000:]
    figures = dict(pair.split("=", 1) for pair in last.split()[1:])
    assert (figures["lost"], figures["duplicate_sms"], figures["to_opted_out"]) == ("0", "0", "0")
    assert int(figures["answered"]) > 20 and int(figures["replied"]) > 10
    assert figures["stored"] == figures["answered"]
    assert "fault ghl-5xx: " in stdout
    assert (tmp_path / "locust_stats.csv").exists()
    assert soak.returncode == 0
