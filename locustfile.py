"""Mixed traffic for the soak (bench/soak.py, `make soak`): GHL's signed webhooks from many leads in several
locations, a broker reading the API by token, and a broker signed in to the admin.

Leads: new leads (ContactCreate, then their first text), replies through a seller's answers, duplicate
deliveries (the same bytes again), contact updates delivered out of order (the newer, then a stale one), opt-outs
("STOP") and texts after an opt-out. A webhook answered 429 is delivered again after its Retry-After, as GHL does;
no other answer is. Every webhook delivery and every request's status go to a ledger (JSON lines) that
bench/soak.py reads for the figures, with the fake GHL's record of the texts sent.

bench/soak.py sets the environment: JORGEBOT_SOAK_KEY (the Ed25519 private key the app trusts, PEM file),
JORGEBOT_SOAK_LOCATIONS (comma-separated GHL location ids), JORGEBOT_SOAK_API_TOKEN, JORGEBOT_SOAK_BROKER
(username:password) and JORGEBOT_SOAK_LEDGER (the file to append to).
"""
from __future__ import annotations

import base64
import json
import os
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from locust import HttpUser, between, events, task

from tests.fakes import ghl_events

# A seller's answers to the lead bot's questions, in order, after the first text.
SELLER_ANSWERS = ("I want to sell my house", "It's 412 Maple Ave", "Within 3 months", "It needs some work",
                  "Around 450k")
FIRST_TEXT = "Hi, I got your letter. Thinking about selling my place"
AFTER_OPT_OUT = "Hello? Is anyone there?"
# GHL redelivers a webhook answered 429; a cap keeps a stuck server from holding a simulated lead forever.
MAX_DELIVERIES = 30
MAX_RETRY_WAIT_SECONDS = 5.0
OPT_OUT_QUIET_SECONDS = 15.0


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the soak with `python bench/soak.py` (or `make soak`)")
    return value


def _private_key() -> ed25519.Ed25519PrivateKey:
    key = load_pem_private_key(Path(_setting("JORGEBOT_SOAK_KEY")).read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise RuntimeError("JORGEBOT_SOAK_KEY must be an Ed25519 private key")
    return key


KEY = _private_key()
LOCATIONS = _setting("JORGEBOT_SOAK_LOCATIONS").split(",")
# Line-buffered: one process, gevent's greenlets never interleave inside a write.
LEDGER = open(_setting("JORGEBOT_SOAK_LEDGER"), "a", buffering=1)  # noqa: SIM115 - open for the whole run


def record(entry: dict[str, Any]) -> None:
    LEDGER.write(json.dumps(entry, separators=(",", ":")) + "\n")


@events.request.add_listener
def _record_request(request_type: str, name: str, response_time: float, response_length: int,
                    response: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    record({"k": "request", "t": time.time(), "name": name, "status": status,
            "error": type(exception).__name__ if exception is not None and not status else ""})


@dataclass
class Lead:
    contact_id: str
    conversation_id: str
    location_id: str
    phone: str
    answered: int = 0  # seller answers sent so far
    opted_out_at: float | None = None


def _new_lead() -> Lead:
    return Lead(ghl_events.ghl_id(), ghl_events.ghl_id(), random.choice(LOCATIONS),
                f"+1512{random.randint(2000000, 9999999)}")


class GHLWebhooks(HttpUser):
    """GHL posting signed webhooks for the leads of several locations."""

    weight = 6
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.leads: list[Lead] = []
        # (body, its headers, what it was, the lead) of recent deliveries, for duplicates.
        self.recent: deque[tuple[bytes, dict[str, str], dict[str, Any]]] = deque(maxlen=20)

    def deliver(self, payload: dict[str, Any], purpose: str, lead: Lead) -> int:
        body = ghl_events.encode(payload)
        headers = {"Content-Type": "application/json",
                   "x-ghl-signature": base64.b64encode(KEY.sign(body)).decode()}
        facts = {"k": "webhook", "id": payload["webhookId"], "type": payload["type"], "purpose": purpose,
                 "contact": lead.contact_id, "location": lead.location_id, "message": payload.get("messageId", "")}
        status = self._post(body, headers, facts)
        self.recent.append((body, headers, facts))
        return status

    def _post(self, body: bytes, headers: dict[str, str], facts: dict[str, Any]) -> int:
        status = 0
        for delivery in range(1, MAX_DELIVERIES + 1):
            sent = time.time()
            response = self.client.post("/webhooks/ghl/", data=body, headers=headers, name=f"webhook {facts['type']}")
            status = response.status_code or 0
            record({**facts, "t": sent, "status": status, "delivery": delivery})
            if status != 429:
                return status
            time.sleep(min(float(response.headers.get("Retry-After") or 1), MAX_RETRY_WAIT_SECONDS))
        return status

    def _text(self, lead: Lead, body: str, purpose: str) -> None:
        payload = ghl_events.inbound_message(body=body, contact_id=lead.contact_id,
                                             conversation_id=lead.conversation_id, location_id=lead.location_id,
                                             phone=lead.phone)
        self.deliver(payload, purpose, lead)

    def _talking(self) -> list[Lead]:
        return [lead for lead in self.leads if lead.opted_out_at is None]

    @task(3)
    def new_lead(self) -> None:
        lead = _new_lead()
        created = ghl_events.contact_create(contact_id=lead.contact_id, location_id=lead.location_id,
                                            phone=lead.phone, first_name="Soak", last_name=lead.contact_id[:6],
                                            email=f"{lead.contact_id.lower()}@example.com")
        self.deliver(created, "contact_create", lead)
        self._text(lead, FIRST_TEXT, "first")
        self.leads.append(lead)

    @task(5)
    def reply(self) -> None:
        waiting = [lead for lead in self._talking() if lead.answered < len(SELLER_ANSWERS)]
        if not waiting:
            self.new_lead()
            return
        lead = random.choice(waiting)
        self._text(lead, SELLER_ANSWERS[lead.answered], "reply")
        lead.answered += 1

    @task(1)
    def duplicate_delivery(self) -> None:
        if self.recent:
            body, headers, facts = random.choice(self.recent)
            self._post(body, headers, {**facts, "purpose": "duplicate"})

    @task(1)
    def out_of_order_update(self) -> None:
        talking = self._talking()
        if not talking:
            return
        lead = random.choice(talking)
        now = datetime.now(UTC)
        for first_name, moment, purpose in (("Current", now, "update_newer"),
                                            ("Stale", now - timedelta(minutes=2), "update_stale")):
            update = ghl_events.contact_update(contact_id=lead.contact_id, location_id=lead.location_id,
                                               phone=lead.phone, first_name=first_name, last_name="Lead",
                                               timestamp=ghl_events.iso(moment))
            self.deliver(update, purpose, lead)

    @task(1)
    def opt_out(self) -> None:
        talking = [lead for lead in self._talking() if lead.answered]
        if talking:
            lead = random.choice(talking)
            self._text(lead, "STOP", "stop")
            lead.opted_out_at = time.time()

    @task(1)
    def text_after_opt_out(self) -> None:
        quiet = [lead for lead in self.leads
                 if lead.opted_out_at is not None and time.time() - lead.opted_out_at > OPT_OUT_QUIET_SECONDS]
        if quiet:
            self._text(random.choice(quiet), AFTER_OPT_OUT, "after_stop")


class BrokerAPI(HttpUser):
    """Another system reading the REST API with a broker's token."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {_setting('JORGEBOT_SOAK_API_TOKEN')}"
        self.lead_ids: list[int] = []

    @task(3)
    def leads(self) -> None:
        response = self.client.get("/api/v1/leads/?page_size=50", name="api leads")
        if response.status_code == 200:
            self.lead_ids = [row["id"] for row in response.json().get("results", [])][:20]

    @task(1)
    def opted_out_leads(self) -> None:
        self.client.get("/api/v1/leads/?opted_out=true&page_size=50", name="api leads opted out")

    @task(2)
    def texts_sent(self) -> None:
        self.client.get("/api/v1/messages/?direction=outbound&page_size=50", name="api messages")

    @task(1)
    def conversations(self) -> None:
        self.client.get("/api/v1/conversations/?page_size=50", name="api conversations")

    @task(2)
    def one_lead(self) -> None:
        if self.lead_ids:
            self.client.get(f"/api/v1/leads/{random.choice(self.lead_ids)}/", name="api lead")


class BrokerAdmin(HttpUser):
    """A broker signed in to the admin: the dashboard, the lead list, a search."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.signed_in = False

    def sign_in(self) -> None:
        username, password = _setting("JORGEBOT_SOAK_BROKER").split(":", 1)
        self.client.get("/admin/login/", name="admin login")
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/admin/login/?next=/admin/", name="admin login",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"},
            headers={"Referer": f"{self.host}/admin/login/"},
        )
        self.signed_in = response.status_code == 200 and "/admin/login/" not in response.url

    def page(self, path: str, name: str) -> None:
        if not self.signed_in:
            self.sign_in()
        if self.signed_in:
            response = self.client.get(path, name=name)
            # A session lost to a restart sends the broker back to the login page: sign in again next time.
            self.signed_in = "/admin/login/" not in response.url

    @task(2)
    def dashboard(self) -> None:
        self.page("/admin/", "admin dashboard")

    @task(3)
    def lead_list(self) -> None:
        self.page("/admin/leads/contact/", "admin leads")

    @task(1)
    def search(self) -> None:
        self.page("/admin/leads/contact/?q=Soak", "admin lead search")

    @task(1)
    def outbox(self) -> None:
        self.page("/admin/leads/outboxmessage/", "admin outbox")
