"""A broker's morning in the real admin, in headless Chromium: sign in, read the dashboard, filter the leads,
open one, pause its bot, approve a draft. Screenshots land in tests/screenshots/."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from analytics.models import ChurnPrediction, RevenueForecast
from bots.drafts import save_draft
from bots.models import Draft
from leads.models import Contact, Conversation, Location, Message, OutboxMessage
from tests.browser.conftest import Console


def seed(location: Location) -> Contact:
    """A dozen leads across the pipeline, handoffs and temperatures; Maria has a conversation and a draft, and so
    does a buyer."""
    now = timezone.now()
    shapes = [
        ("hot", "appointment", ["Hot-Seller", "Human-Follow-Up-Needed"]),
        ("hot", "qualified", ["Hot-Buyer", "Handoff-Lead-to-Buyer", "Human-Follow-Up-Needed"]),
        ("warm", "contacted", ["Warm-Seller", "Handoff-Lead-to-Seller"]),
        ("warm", "qualified", ["Warm-Buyer"]),
        ("cold", "contacted", ["Cold-Lead"]),
        ("cold", "new", ["lead-bot"]),
        ("cold", "lost", ["TCPA-Opt-Out", "AI-Off"]),
        ("warm", "won", ["Handoff-Buyer-to-Seller"]),
    ]
    for n, (temperature, status, tags) in enumerate(shapes):
        Contact.objects.create(location=location, ghl_id=f"Browser{n:04d}", first_name=f"Lead{n}", last_name="Demo",
                               temperature=temperature, status=status, tags=tags, score=30 + 8 * n,
                               opted_out_at=now if "TCPA-Opt-Out" in tags else None)
    maria = Contact.objects.create(location=location, ghl_id="BrowserMaria", first_name="Maria", last_name="Lopez",
                                   phone="+15125550143", temperature="hot", score=92, status="qualified",
                                   active_bot="seller", tags=["Needs Qualifying", "Hot-Seller"])
    conversation = Conversation.objects.create(
        contact=maria, state={"bot": "seller", "intent": "sell", "last_question": "price_expectation",
                              "seller": {"property_address": "123 Main St", "motivation": "relocation"}}
    )
    for minutes, sender, body in [(50, "lead", "Hi, I'm thinking about selling my house"),
                                  (49, "bot", "Great. What is the address of the home?"),
                                  (40, "lead", "123 Main St, Rancho Cucamonga"),
                                  (39, "bot", "Thanks. What has you thinking about selling?"),
                                  (30, "lead", "We're relocating for work")]:
        Message.objects.create(conversation=conversation, sender=sender, body=body,
                               direction="inbound" if sender == "lead" else "outbound",
                               sent_at=now - dt.timedelta(minutes=minutes))
    Conversation.objects.filter(pk=conversation.pk).update(created_at=now - dt.timedelta(minutes=50),
                                                            last_inbound_at=now - dt.timedelta(minutes=30))
    OutboxMessage.objects.create(location=location, contact=maria, kind="sms", idempotency_key="browser:1",
                                 body="Thanks. What has you thinking about selling?", status="sent",
                                 status_reason="answer to the lead's text")
    save_draft(maria, "Got it. What price would make you feel good about selling?", "browser:maria", bot="seller")
    buyer = Contact.objects.get(location=location, ghl_id="Browser0003")
    save_draft(buyer, "Which neighbourhoods are you looking in?", "browser:buyer", bot="buyer")
    seed_analytics(location, buyer, now)
    return maria


def seed_analytics(location: Location, buyer: Contact, now: dt.datetime) -> None:
    """What the nightly analytics would have written: a buyer going cold, and four months of commission."""
    ChurnPrediction.objects.create(contact=buyer, location=location, probability=0.83, tier="critical",
                                   horizon_days=14, reasons=["silent 11 days"], recommended_action="Call today")
    this_month = timezone.localdate(now).replace(day=1)
    months = [(this_month - dt.timedelta(days=1)).replace(day=1), this_month,
              (this_month + dt.timedelta(days=32)).replace(day=1), (this_month + dt.timedelta(days=63)).replace(day=1)]
    for month, expected, closed in zip(months, (40_000, 45_000, 50_000, 52_000), (38_500, 12_000, 0, 0), strict=True):
        RevenueForecast.objects.create(
            location=location, month=month, expected=Decimal(expected), low=Decimal(expected - 12_000),
            high=Decimal(expected + 15_000), interval_level=0.8, closed=Decimal(closed), commit=Decimal(0),
            best_case=Decimal(0), pipeline=Decimal(0), method="pipeline+trend", history_months=8,
        )


@pytest.mark.django_db(transaction=True)
def test_a_broker_works_the_admin_in_chromium(
    live_server: Any, page: Any, console: Console, screenshot: Any, alpha_broker: Any, alpha_realty: Location
) -> None:
    maria = seed(alpha_realty)
    base = live_server.url

    # given: the broker signs in
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-password")
    page.click("input[type=submit]")

    # then: the dashboard drew every chart from its data
    page.wait_for_selector("canvas[data-series]")
    canvases = page.locator("canvas[data-series]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-series]')].every(c => c.dataset.drawn === 'true')"
    )
    assert canvases.count() == 5, "new leads, pipeline, temperature, handoffs, commission forecast"
    for index in range(canvases.count()):
        assert canvases.nth(index).bounding_box()["height"] > 100
    assert page.inner_text("#tile-hot-waiting .jb-figure") == "2"
    assert "Lead1 Demo" in page.inner_text("#hot-leads")
    assert "Lead3 Demo" in page.inner_text("#churn-risks") and "Call today" in page.inner_text("#churn-risks")
    assert "$45,000" in page.inner_text("#tile-forecast")
    screenshot("1-dashboard")

    # when: they list the hot leads
    page.click("text=Contacts")
    page.click("#changelist-filter >> text=Hot")
    page.wait_for_url("**temperature__exact=hot**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    screenshot("2-hot-leads")

    # and open Maria, whose texts read as a chat
    page.click("#result_list >> text=Maria Lopez")
    page.wait_for_selector("#transcript .jb-bubble")
    assert page.locator("#transcript .jb-bubble").count() == 5
    assert "123 Main St" in page.inner_text("#qualification")
    assert "answer to the lead's text" in page.inner_text("#outbox")
    screenshot("3-lead-page")

    # and pause her bot
    page.click("#pause-bot")
    page.wait_for_selector("#resume-bot")
    maria.refresh_from_db()
    assert maria.bot_paused_until is not None and maria.bot_paused_until > timezone.now() + dt.timedelta(days=365)
    assert Draft.objects.get(contact=maria).status == "superseded", "a person took over: her draft is withdrawn"
    screenshot("4-bot-paused")

    # and try the bot as a pretend seller
    page.goto(f"{base}/admin/")
    page.click("#try-the-bot")
    page.fill("#try-message", "Hi, I'm thinking about selling my house")
    page.click("#try-send")
    page.wait_for_selector("#try-chat .jb-bubble[data-sender=bot]")
    assert "address" in page.inner_text("#try-chat .jb-bubble[data-sender=bot]").lower()
    assert "seller" in page.inner_text("#try-decision")
    page.fill("#try-message", "123 Main St, Rancho Cucamonga")
    page.click("#try-send")
    page.wait_for_function("document.querySelectorAll('#try-chat .jb-bubble[data-sender=bot]').length === 2")
    screenshot("5-try-the-bot")
    assert not Contact.objects.filter(first_name="").exists(), "the simulator creates no lead"

    # and approve the buyer's draft with an edit, from the dashboard's tile
    draft = Draft.objects.get(status="pending")
    page.goto(f"{base}/admin/")
    page.click("#tile-drafts")
    page.click(f"#result_list a[href*='/{draft.pk}/change/']")
    page.fill("textarea[name=text]", "Which neighbourhoods do you like best?")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/bots/draft/?*")
    draft.refresh_from_db()
    assert draft.status == "edited" and draft.sent_body == "Which neighbourhoods do you like best?"
    assert OutboxMessage.objects.filter(contact=draft.contact, body=draft.sent_body).exists()
    screenshot("6-draft-approved")

    assert console.errors == []
