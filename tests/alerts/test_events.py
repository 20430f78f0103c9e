"""Each event reaches its subscribers through the domain's own path (a turn, a failed write, a failed run, Claude's
books and breaker), once, only after the domain's transaction commits, without a phone number or a text's words."""
from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from alerts.models import AlertEvent, Channel, Notification, Subscription, Timing
from analytics import services as analytics_services
from bots import services
from bots.llm import accounting, breaker
from bots.llm.models import CallOutcome, LLMTask
from bots.llm.pricing import Usage
from bots.outbox import queue_tag_changes, queue_text
from bots.sender import deliver_pending
from leads.models import Contact, Conversation, Location, LocationMembership, OutboxMessage
from tests.alerts.conftest import PUBLIC_URL, FakeChat, SMTPInbox
from tests.conftest import wait_for
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL
from tests.safety.conftest import text_from

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("alerts_worker")]


def subscribe(user: Any, location: Location | None, *events: AlertEvent, **recipient: Any) -> Subscription:
    return Subscription.objects.create(user=user, location=location, events=list(events), **recipient)


def turn(contact: Contact, body: str) -> str:
    return services.take_turn(text_from(contact, body).conversation_id).outcome


def lead_page(contact: Contact) -> str:
    return f"{PUBLIC_URL}/admin/leads/contact/{contact.pk}/change/"


def test_a_seller_turning_hot_emails_the_broker_with_a_link_and_never_the_phone_or_her_words(
    alpha_sellers_named_their_tags: Location, maria: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    # given Alice subscribed to hot leads at Alpha, which calls its hot sellers Seller-HOT
    alpha_broker.email = "alice@alpha.example"
    alpha_broker.save()
    subscribe(alpha_broker, alpha_sellers_named_their_tags, AlertEvent.HOT_LEAD)
    maria.tags = ["AI-Lead"]
    maria.save()

    # when Maria answers the seller bot's questions and turns hot
    turn(maria, "I want to sell my home")
    assert smtp_inbox.mails == [] and not Notification.objects.exists()
    turn(maria, "17 Garnet St. Relocating to Boise, 30 days works, move in ready, want 610k")

    # then Alice gets one email: the lead's name, the location's own tag name, a link to the lead's page
    mail = wait_for(lambda: smtp_inbox.mails and smtp_inbox.mails[0])
    assert mail.to == ["alice@alpha.example"] and mail.sender == "alerts@alpha.example"
    assert mail.subject == f"Hot lead ready: {ghl_events.FIRST_NAME} {ghl_events.LAST_NAME}"
    assert "Seller-HOT" in mail.body and lead_page(maria) in mail.body and maria.location.name in mail.body
    # and nothing of the phone number or what she wrote
    digits = ghl_events.PHONE.lstrip("+")
    for secret in (digits, digits[-7:], "Garnet", "610k", "Boise"):
        assert secret not in mail.body and secret not in mail.subject
    notification = wait_for(lambda: Notification.objects.filter(status="sent").first())
    assert notification.event == AlertEvent.HOT_LEAD and notification.contact_id == maria.pk
    assert notification.attempts == 1


def test_the_default_tag_name_is_no_news_where_the_location_renamed_it(
    alpha_sellers_named_their_tags: Location, maria: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    subscribe(alpha_broker, alpha_sellers_named_their_tags, AlertEvent.HOT_LEAD, email="alice@alpha.example")

    # a workflow at Alpha writes "Hot-Seller", which is not Alpha's hot tag
    with transaction.atomic():
        queue_tag_changes(maria, "test:default-name", add=["Hot-Seller"])

    assert not Notification.objects.exists()


def test_a_lead_asking_for_a_person_posts_to_the_brokers_slack(
    maria: Contact, alpha_broker: Any, fake_chat: FakeChat
) -> None:
    subscribe(alpha_broker, maria.location, AlertEvent.PERSON_REQUESTED, channel=Channel.SLACK,
              webhook_url=f"{fake_chat.url}/services/T000/B000/slack")

    maria.tags = ["Needs Qualifying"]
    maria.save()
    turn(maria, "I want to sell 123 Main St, Rancho Cucamonga")

    # when she asks for Jorge, and the bot hands her to a person
    turn(maria, "can I just talk to Jorge?")

    [post] = wait_for(lambda: fake_chat.posts_to("/services/T000/B000/slack"))
    assert post["text"] == f"A lead asked for a person: {ghl_events.FIRST_NAME} {ghl_events.LAST_NAME}"
    assert post["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": post["text"]}}
    assert f"<{lead_page(maria)}|Open the lead>" in post["blocks"][-1]["text"]["text"]
    assert "Human-Follow-Up-Needed" in post["blocks"][1]["text"]["text"] and "Main St" not in str(post)


def test_a_fair_housing_request_posts_an_adaptive_card_to_teams(
    maria: Contact, alpha_agent: Any, fake_chat: FakeChat
) -> None:
    subscribe(alpha_agent, maria.location, AlertEvent.FAIR_HOUSING, channel=Channel.TEAMS,
              webhook_url=f"{fake_chat.url}/workflows/teams")
    maria.tags = ["Buyer-Lead"]
    maria.save()

    turn(maria, "Is Fontana a safe area? We want a mostly white neighborhood")

    [post] = wait_for(lambda: fake_chat.posts_to("/workflows/teams"))
    assert post["type"] == "message"
    [attachment] = post["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == f"Fair Housing alert: {ghl_events.FIRST_NAME} {ghl_events.LAST_NAME}"
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the lead", "url": lead_page(maria)}]
    assert "white" not in str(post)


def test_a_text_ghl_refuses_for_good_tells_the_broker_once(
    maria: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox, fake_ghl: FakeGHL
) -> None:
    subscribe(alpha_broker, maria.location, AlertEvent.DELIVERY_FAILED, email="desk@alpha.example")
    # the text answers a message she just sent, so quiet hours never hold it (the test ran at 9 PM in Texas once)
    Conversation.objects.update_or_create(contact=maria, defaults={"last_inbound_at": timezone.now()})
    row = queue_text(maria, "Hi Maria, when would you like to move?", "test:refused")
    fake_ghl.fail_next(422, path_prefix="/conversations/messages")

    deliver_pending(maria.pk)

    mail = wait_for(lambda: smtp_inbox.mails and smtp_inbox.mails[0])
    assert mail.subject == f"Delivery failed: {ghl_events.FIRST_NAME} {ghl_events.LAST_NAME}"
    assert "status=422" in mail.body and "when would you like" not in mail.body
    # the same failed row saved again (an admin edit, a redelivered task) tells nobody twice
    OutboxMessage.objects.get(pk=row.pk).save()
    wait_for(lambda: Notification.objects.filter(status="sent").exists())
    assert Notification.objects.count() == 1 and len(smtp_inbox.mails) == 1


def test_a_failed_nightly_run_tells_every_subscriber_to_it_once_each(
    alpha_broker: Any, beta_broker: Any, owner: Any, smtp_inbox: SMTPInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Alice (Alpha) and Charlie (Beta) subscribed, Charlie twice (at Beta, and a plain address at Beta)
    for user, address in ((alpha_broker, "alice@alpha.example"), (beta_broker, "charlie@beta.example")):
        user.email = address
        user.save()
    subscribe(alpha_broker, LocationMembership.objects.get(user=alpha_broker).location, AlertEvent.NIGHTLY_FAILED)
    beta = LocationMembership.objects.get(user=beta_broker).location
    subscribe(beta_broker, beta, AlertEvent.NIGHTLY_FAILED)
    subscribe(None, beta, AlertEvent.NIGHTLY_FAILED, email="charlie@beta.example")

    def broken_forecast(**kwargs: Any) -> int:
        raise MemoryError

    monkeypatch.setattr(analytics_services, "forecast_revenue", broken_forecast)

    # when the night's run fails in its last stage
    with pytest.raises(MemoryError):
        analytics_services.run_nightly_analytics()

    # then each address hears of it once
    wait_for(lambda: len(smtp_inbox.mails) == 2)
    assert sorted(mail.to[0] for mail in smtp_inbox.mails) == ["alice@alpha.example", "charlie@beta.example"]
    assert {mail.subject for mail in smtp_inbox.mails} == {"Nightly rescoring, churn and forecast failed"}
    assert "forecast: MemoryError" in smtp_inbox.mails[0].body


def test_claude_reaching_the_spend_limit_and_failing_are_claude_alerts(
    alpha_realty: Location, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    subscribe(alpha_broker, alpha_realty, AlertEvent.CLAUDE_ALERT, email="alice@alpha.example")
    alpha_realty.bot_settings = {"llm_daily_spend_limit_usd": 0.001}
    alpha_realty.save()

    # when a call takes the day's spend past Alpha's limit
    accounting.record_call(location=alpha_realty, task=LLMTask.EXTRACTION, model="claude-haiku-4-5",
                           outcome=CallOutcome.OK, usage=Usage(input_tokens=10_000, output_tokens=1_000),
                           latency_ms=300)
    mail = wait_for(lambda: smtp_inbox.mails and smtp_inbox.mails[0])
    assert mail.subject.startswith("Claude alert: Daily spend limit reached")

    # and when Claude fails often enough to open the circuit, recovers, and opens it again within the hour
    for _ in range(5):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(5):
        breaker.record_failure()
    wait_for(lambda: len(smtp_inbox.mails) == 2)
    assert smtp_inbox.mails[1].subject == "Claude alert: calls to Claude are failing"
    assert Notification.objects.filter(event_key__startswith="claude_alert:circuit:").count() == 1


def test_a_rolled_back_turn_tells_nobody(maria: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox) -> None:
    subscribe(alpha_broker, maria.location, AlertEvent.PERSON_REQUESTED, email="alice@alpha.example")

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_tag_changes(maria, "test:rolled-back", add=["Human-Follow-Up-Needed"])
        raise RuntimeError("the turn failed after tagging")

    assert not Notification.objects.exists()
    # the same tag committed is news: the rollback, not a missing receiver, kept the first one quiet
    with transaction.atomic():
        queue_tag_changes(maria, "test:committed", add=["Human-Follow-Up-Needed"])
    wait_for(lambda: smtp_inbox.mails)


def test_someone_who_left_the_location_hears_nothing_more(
    maria: Contact, alpha_agent: Any, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    alpha_agent.email = "bob@alpha.example"
    alpha_agent.save()
    subscribe(alpha_agent, maria.location, AlertEvent.FAIR_HOUSING)
    subscribe(alpha_broker, maria.location, AlertEvent.FAIR_HOUSING, email="alice@alpha.example")
    LocationMembership.objects.filter(user=alpha_agent).delete()

    with transaction.atomic():
        queue_tag_changes(maria, "test:left", add=["Fair-Housing-Alert"])

    wait_for(lambda: smtp_inbox.mails)
    assert [mail.to for mail in smtp_inbox.mails] == [["alice@alpha.example"]]


def test_digest_subscriptions_wait_for_the_daily_digest_one_message_per_recipient(
    maria: Contact, beta_lead: Contact, alpha_broker: Any, smtp_inbox: SMTPInbox
) -> None:
    from alerts.tasks import send_daily_digests

    # given one address subscribed to Alpha's digest for two events, and Beta's digest
    for event in (AlertEvent.FAIR_HOUSING, AlertEvent.PERSON_REQUESTED):
        Subscription.objects.create(location=maria.location, email="desk@example.com", events=[event],
                                    timing=Timing.DIGEST)
    Subscription.objects.create(location=beta_lead.location, email="desk@example.com",
                                events=[AlertEvent.FAIR_HOUSING], timing=Timing.DIGEST)
    with transaction.atomic():
        queue_tag_changes(maria, "test:digest-1", add=["Fair-Housing-Alert"])
        queue_tag_changes(maria, "test:digest-2", add=["Human-Follow-Up-Needed"])
        queue_tag_changes(beta_lead, "test:digest-3", add=["Fair-Housing-Alert"])
    assert Notification.objects.filter(status="waiting", digest=True).count() == 3
    assert smtp_inbox.mails == []

    # when the beat's digest runs
    send_daily_digests.delay()

    # then one message holds the three, with links to both leads
    mail = wait_for(lambda: smtp_inbox.mails and smtp_inbox.mails[0])
    assert mail.subject == "Jorgebot daily digest: 3 alerts"
    assert lead_page(maria) in mail.body and lead_page(beta_lead) in mail.body
    assert maria.location.name in mail.body and beta_lead.location.name in mail.body
    wait_for(lambda: Notification.objects.filter(status="sent").count() == 3)
    # and a second run sends nothing again
    send_daily_digests.delay()
    wait_for(lambda: not Notification.objects.exclude(status="sent").exists())
    assert len(smtp_inbox.mails) == 1


def test_an_alert_that_cannot_be_recorded_never_fails_the_turn(
    maria: Contact, alpha_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alerts import services as alert_services

    def broken(contact_id: int) -> int:
        raise RuntimeError("alerts are down")

    monkeypatch.setattr(alert_services, "notice_tag_writes", broken)
    maria.tags = ["Needs Qualifying"]
    maria.save()
    turn(maria, "I want to sell 123 Main St, Rancho Cucamonga")

    # the lead asks for a person: the turn commits its handoff whatever happens to the alert
    turn(maria, "can I just talk to Jorge?")

    maria.refresh_from_db()
    assert maria.has_tag("Human-Follow-Up-Needed")
    assert OutboxMessage.objects.filter(contact=maria, kind="sms").count() == 2
