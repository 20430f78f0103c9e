"""One lead's page: the texts as a chat, what the bot learned, planned follow-ups, what went to GHL and why."""
from __future__ import annotations

import datetime as dt
from typing import Any

from cachalot.api import cachalot_disabled
from django.utils import timezone

from bots.models import FollowUp
from bots.outbox import queue_text, rephrase_waiting_text
from console.broker_actions import PAUSED_UNTIL_RESUMED
from leads.models import Contact, Message, OutboxMessage
from tests.admin.conftest import AdminAs, thread


def page_of(contact: Contact) -> str:
    return f"/admin/leads/contact/{contact.pk}/change/"


def test_the_page_shows_the_conversation_as_a_chat_in_order(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    start = timezone.now() - dt.timedelta(hours=1)
    thread(maria, ("lead", "Hi, I want to sell", start),
           ("bot", "What is the address?", start + dt.timedelta(seconds=9)),
           ("lead", "123 Main St", start + dt.timedelta(minutes=4)))

    page = admin_as(alpha_agent).get(page_of(maria)).content.decode()

    first, second, third = (page.index(text) for text in ("Hi, I want to sell", "What is the address?", "123 Main St"))
    assert first < second < third
    assert page.count('data-sender="lead"') == 2 and page.count('data-sender="bot"') == 1


def test_the_page_shows_what_the_bot_learned_and_what_it_plans(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    conversation = thread(maria, ("lead", "Selling 123 Main St", timezone.now()))
    conversation.state = {"bot": "seller", "intent": "sell", "last_question": "motivation",
                          "seller": {"property_address": "123 Main St", "price_low": 650000}}
    conversation.save()
    now = timezone.now()
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="seller", step=2, anchor_at=now,
                            due_at=now + dt.timedelta(days=3))

    page = admin_as(alpha_agent).get(page_of(maria)).content.decode()

    assert "Seller: property address" in page and "123 Main St" in page
    assert "650000" in page and "Waiting for an answer to" in page and "motivation" in page
    assert "Seller nurture, attempt 2" in page


def test_the_page_lists_each_write_to_ghl_with_why_it_went_or_did_not(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    OutboxMessage.objects.create(location=maria.location, contact=maria, kind="sms", idempotency_key="a",
                                 body="What is the address?", status="sent", status_reason="answer to the lead's text")
    OutboxMessage.objects.create(location=maria.location, contact=maria, kind="sms", idempotency_key="b",
                                 body="Checking in", status="deferred",
                                 status_reason="quiet hours in America/Chicago until 08:00")
    OutboxMessage.objects.create(location=maria.location, contact=maria, kind="add_tags", idempotency_key="c",
                                 payload={"tags": ["Hot-Seller"]}, status="blocked", status_reason="kill switch on")

    page = admin_as(alpha_agent).get(page_of(maria)).content.decode()

    assert "answer to the lead&#x27;s text" in page
    assert "quiet hours in America/Chicago until 08:00" in page and "Deferred" in page
    assert "Add tags: Hot-Seller" in page and 'class="jb-status-blocked"' in page


def test_the_pause_button_pauses_the_bot_until_someone_resumes_it(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    browser = admin_as(alpha_agent)
    assert 'id="pause-bot"' in browser.get(page_of(maria)).content.decode()

    response = browser.post(f"/admin/leads/contact/{maria.pk}/pause/")

    assert response.status_code == 302 and response["Location"] == page_of(maria)
    maria.refresh_from_db()
    assert maria.bot_paused_until == PAUSED_UNTIL_RESUMED
    page = browser.get(page_of(maria)).content.decode()
    assert 'id="resume-bot"' in page and 'id="pause-bot"' not in page
    browser.post(f"/admin/leads/contact/{maria.pk}/resume/")
    maria.refresh_from_db()
    assert maria.bot_paused_until is None


def test_the_handoff_button_queues_the_tags(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_as(alpha_agent).post(f"/admin/leads/contact/{maria.pk}/hand-to-human/")

    assert OutboxMessage.objects.get(contact=maria, kind="add_tags").tags == ["AI-Off", "Human-Follow-Up-Needed"]
    assert OutboxMessage.objects.filter(contact=maria, kind="add_note").exists()


def test_the_buttons_refuse_a_get_and_another_locations_lead(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact, beta_lead: Contact
) -> None:
    browser = admin_as(alpha_agent)

    assert browser.get(f"/admin/leads/contact/{maria.pk}/pause/").status_code == 403
    assert browser.post(f"/admin/leads/contact/{beta_lead.pk}/pause/").status_code == 404
    beta_lead.refresh_from_db()
    assert beta_lead.bot_paused_until is None


def test_a_broker_of_another_location_cannot_open_the_page(
    admin_as: AdminAs, beta_broker: Any, maria: Contact
) -> None:
    response = admin_as(beta_broker).get(page_of(maria), follow=True)

    page = response.content.decode()
    assert "doesn’t exist" in page or "doesn't exist" in page
    assert maria.phone not in page and "Maria" not in page


def test_a_text_claude_rephrased_shows_what_the_bot_wrote_beside_what_claude_sent(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    # given a reply the bot wrote, rephrased by Claude, sent to GHL and reported back by its webhook
    row = queue_text(maria, "What is the address of the home?", "turn:one")
    rephrase_waiting_text(maria, "What is the address of the home?", "Got it. What is the address of the home?")
    OutboxMessage.objects.filter(pk=row.pk).update(status="sent", ghl_message_id="GhlMsg1")
    conversation = thread(maria, ("lead", "I want to sell", timezone.now()))
    Message.objects.create(conversation=conversation, direction="outbound", sender="bot", ghl_message_id="GhlMsg1",
                           body="Got it. What is the address of the home?")

    page = admin_as(alpha_agent).get(page_of(maria)).content.decode()

    chat = page.split('id="transcript"', 1)[1].split('id="qualification"', 1)[0]
    assert "Got it. What is the address of the home?" in chat
    assert "Claude sent this; the bot wrote: What is the address of the home?" in chat
    writes = page.split('id="outbox"', 1)[1].split("</table>", 1)[0]
    assert "Claude sent Got it. What is the address of the home?" in writes
    assert "the bot wrote: What is the address of the home?" in writes


def test_the_leads_own_details_are_read_only_but_the_status_can_change(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    browser = admin_as(alpha_agent)
    form = browser.get(page_of(maria)).context["adminform"].form

    assert set(form.fields) == {"status", "bot_paused_until"}
    response = browser.post(page_of(maria), {"status": "qualified", "bot_paused_until_0": "", "bot_paused_until_1": ""})
    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.status == "qualified" and maria.first_name == "Maria"


def test_the_page_costs_a_fixed_number_of_queries(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact, django_assert_num_queries: Any
) -> None:
    browser = admin_as(alpha_agent)
    thread(maria, *[("lead" if n % 2 else "bot", f"text {n}", timezone.now()) for n in range(30)])

    # session, user, memberships, the lead with its location, the gate's decision on the last text, then the
    # transcript (with the bot's own text of each Claude rephrased, in a subquery), the bot's state, follow-ups,
    # scores, churn risk, the outbox (with those texts, joined) and the audit trail's entries (no Django
    # permissions: console.auth)
    with cachalot_disabled(), django_assert_num_queries(12):
        browser.get(page_of(maria))


def test_the_page_shows_the_score_with_its_reasons_and_the_churn_risk(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    from analytics.models import ChurnPrediction, LeadScore

    LeadScore.objects.create(contact=maria, score=71, source="prior", reasons=["pre-approved", "replied today"])
    ChurnPrediction.objects.create(contact=maria, location=maria.location, probability=0.62, tier="high",
                                   horizon_days=14, reasons=["silent 9 days"], recommended_action="Text a check-in")

    score = admin_as(alpha_agent).get(page_of(maria)).content.decode().split('id="score"')[1].split("</table>")[0]

    assert "71" in score and "pre-approved, replied today" in score
    assert "High" in score and "62 % in 14 days: silent 9 days" in score and "Text a check-in" in score
