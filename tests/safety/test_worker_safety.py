"""Safety with a real Celery worker and the fake GHL: what the lead's phone would actually receive.

The worker is another process, so these tests commit their data, trigger the beat's tasks by publishing them,
and wait for effects at the fake GHL.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bots import drafts
from bots.models import Draft, FollowUp, SendingSwitch
from bots.tasks import deliver_outbox, dispatch_follow_ups, release_deferred_texts, wake_paused_bots
from leads.models import Contact, Conversation, Location, Message, OutboxMessage
from tests.conftest import PostWebhook, WorkerProcess, wait_for, wait_until_nothing_left_to_do
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL
from tests.safety.conftest import queued_text
from tests.safety.test_opt_out import OPT_OUTS

pytestmark = pytest.mark.worker

CONTACT = ghl_events.CONTACT_ID



def nothing_waiting() -> bool:
    return (not OutboxMessage.objects.filter(status__in=["pending", "sending"]).exists()
            and not Message.objects.filter(direction="inbound", answered_at__isnull=True).exists())


def lead_texted_just_now(contact: Contact) -> None:
    Conversation.objects.update_or_create(contact=contact, defaults={"last_inbound_at": timezone.now()})


def zone_where_it_is(hour: int, for_seconds: float = 0.0) -> ZoneInfo:
    """A fixed-offset zone whose local time is now `hour` o'clock, and stays so for `for_seconds` more: the lead's
    clock, whatever the real time. The worker is another process, whose clock cannot be frozen; so when the real
    hour ends sooner than that, the zone is picked once the next hour has begun (a wait in about one run in 60)."""
    now = timezone.now().astimezone(dt.UTC)
    left_in_hour = 3600 - (now.minute * 60 + now.second + now.microsecond / 1e6)
    if left_in_hour < for_seconds:
        time.sleep(left_in_hour + 0.05)
        now = timezone.now().astimezone(dt.UTC)
    offset = (hour - now.hour + 12) % 24 - 12
    # Etc/GMT zones are named with the sign inverted (POSIX): Etc/GMT+5 is UTC-5.
    return ZoneInfo("Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}")


def test_after_any_form_of_opt_out_no_bot_text_is_ever_sent_again_including_follow_ups(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, make_lead: Callable[..., Contact], post_webhook: PostWebhook
) -> None:
    # given one lead per way of opting out, each in a conversation the bot answered
    leads = [make_lead() for _ in OPT_OUTS]
    for lead in leads:
        post_webhook(ghl_events.inbound_message(body="I want to sell my house", contact_id=lead.ghl_id,
                                                conversation_id=f"c-{lead.ghl_id}"))
    wait_for(lambda: all(len(fake_ghl.sms_sent(lead.ghl_id)) == 1 for lead in leads), timeout=90)

    # when each opts out in their own words
    for lead, message in zip(leads, OPT_OUTS, strict=True):
        post_webhook(ghl_events.inbound_message(body=message, contact_id=lead.ghl_id,
                                                conversation_id=f"c-{lead.ghl_id}"))
    wait_for(lambda: all(len(fake_ghl.sms_sent(lead.ghl_id)) == 2 for lead in leads), timeout=90)
    wait_for(nothing_waiting, timeout=30)
    assert Contact.objects.filter(pk__in=[lead.pk for lead in leads], opted_out_at__isnull=False).count() == len(leads)

    # and then every way the bot could still text them is tried: a follow-up that comes due, a queued nudge,
    # and the lead writing again
    now = timezone.now()
    for lead in leads:
        FollowUp.objects.create(location=lead.location, contact=lead, cadence="seller", step=1, anchor_at=now,
                                due_at=now - dt.timedelta(minutes=1))
        queued_text(lead, "Checking back in on your home. Is selling still on your mind?")
        post_webhook(ghl_events.inbound_message(body="what about my house?", contact_id=lead.ghl_id,
                                                conversation_id=f"c-{lead.ghl_id}"))
    dispatch_follow_ups.delay()
    for lead in leads:
        deliver_outbox.delay(lead.pk)
    wait_for(lambda: not FollowUp.objects.filter(status="scheduled").exists(), timeout=30)
    wait_for(nothing_waiting, timeout=60)
    wait_until_nothing_left_to_do()

    # then no lead got a third text
    assert [len(fake_ghl.sms_sent(lead.ghl_id)) for lead in leads] == [2] * len(leads)
    assert not FollowUp.objects.exclude(status="cancelled").exists()
    assert set(OutboxMessage.objects.filter(kind="sms", bypass_opt_out=False, body__startswith="Checking back")
               .values_list("gate_rule", flat=True)) == {"opted_out"}


def test_a_follow_up_due_at_ten_pm_for_the_lead_waits_and_goes_out_at_eight_in_the_leads_zone(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact
) -> None:
    # given a silent lead whose follow-up is due now, when it is 22:xx on her clock
    late = zone_where_it_is(22)
    Contact.objects.filter(pk=maria.pk).update(timezone=late.key)
    Conversation.objects.create(contact=maria, state={"bot": "lead"},
                                last_inbound_at=timezone.now() - dt.timedelta(days=3))
    follow_up = FollowUp.objects.create(location=maria.location, contact=maria, cadence="lead", step=1,
                                        anchor_at=timezone.now() - dt.timedelta(days=3), due_at=timezone.now())

    # when the beat's dispatcher runs in the worker
    dispatch_follow_ups.delay()

    # then it is moved to 8:00 tomorrow on her clock, and nothing is sent
    moved = wait_for(lambda: FollowUp.objects.filter(pk=follow_up.pk, due_at__gt=timezone.now()).first())
    local = timezone.now().astimezone(late)
    assert moved.due_at == dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(8), tzinfo=late)
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == []

    # and when her 8:00 comes (her clock now reads 08:xx until the text is sent, the follow-up is due), the
    # dispatcher sends it once
    morning = zone_where_it_is(8, for_seconds=60)
    Contact.objects.filter(pk=maria.pk).update(timezone=morning.key)
    eight = dt.datetime.combine(timezone.now().astimezone(morning).date(), dt.time(8), tzinfo=morning)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=eight)
    dispatch_follow_ups.delay()
    dispatch_follow_ups.delay()
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))
    wait_until_nothing_left_to_do()
    [text] = fake_ghl.sms_sent(CONTACT)
    [call] = fake_ghl.calls_to("POST", "/conversations/messages")
    assert dt.datetime.fromtimestamp(call.received_at, tz=morning).hour == 8
    assert text.startswith(("Checking in", "Following up", "Quick check in"))
    assert FollowUp.objects.get(pk=follow_up.pk).status == "queued"
    assert FollowUp.objects.get(contact=maria, status="scheduled").step == 2


def test_a_deferred_text_goes_out_when_the_beat_releases_it(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact
) -> None:
    Conversation.objects.create(contact=maria, last_inbound_at=timezone.now() - dt.timedelta(days=3))
    Contact.objects.filter(pk=maria.pk).update(timezone=zone_where_it_is(12).key)
    row = queued_text(maria, status="deferred", send_after=timezone.now() - dt.timedelta(seconds=1))

    release_deferred_texts.delay()

    wait_for(lambda: OutboxMessage.objects.filter(pk=row.pk, status="sent").exists())
    assert len(fake_ghl.sms_sent(CONTACT)) == 1


def test_the_daily_cap_holds_under_a_storm_of_queued_texts(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact
) -> None:
    # given a runaway loop queued 40 replies for one lead
    lead_texted_just_now(maria)
    for number in range(40):
        queued_text(maria, f"Reply number {number}. Which area are you looking in?")

    # when several deliveries race for them
    for _ in range(5):
        deliver_outbox.delay(maria.pk)

    # then 25 went out, the rest were blocked by the cap, and a person was asked to look, once
    wait_for(nothing_waiting, timeout=60)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 25
    assert OutboxMessage.objects.filter(kind="sms", gate_rule="daily_cap", status="blocked").count() == 15
    assert fake_ghl.tags_added(CONTACT).count("Human-Follow-Up-Needed") == 1


def test_the_daily_cap_holds_under_a_storm_of_inbound_texts(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given a location that allows 3 texts a day per lead
    Location.objects.filter(pk=maria.location_id).update(bot_settings={"daily_message_cap": 3})

    # when the lead (or another bot on her number) sends 12 texts, each after the debounce window
    for number in range(12):
        post_webhook(ghl_events.inbound_message(body=f"message {number}: are you there?"))
        time.sleep(0.7)

    # then only 3 texts reached her
    wait_for(nothing_waiting, timeout=60)
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 3
    assert OutboxMessage.objects.filter(kind="sms", gate_rule="daily_cap").exists()


def test_suggest_mode_sends_nothing_until_a_person_approves(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given a location in suggest mode
    Location.objects.filter(pk=maria.location_id).update(bot_settings={"mode": "suggest"})

    # when the lead texts
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))

    # then a draft waits, and the lead's phone gets nothing (the tags still reach GHL)
    draft = wait_for(lambda: Draft.objects.filter(contact=maria, status="pending").first())
    wait_for(lambda: fake_ghl.tags_added(CONTACT))
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == []

    # and once a broker approves it, exactly that text is sent, once
    drafts.approve_draft(draft.pk, None)
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == [draft.body]


def test_the_location_kill_switch_stops_a_queue_of_pending_sends(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact
) -> None:
    # given 20 replies queued and a slow GHL, so they drain one by one
    lead_texted_just_now(maria)
    for number in range(20):
        queued_text(maria, f"Reply {number}. Which area are you looking in?")
    fake_ghl.delay_seconds = 0.3
    deliver_outbox.delay(maria.pk)

    # when the broker flips the kill switch after the first texts went out
    wait_for(lambda: len(fake_ghl.sms_sent(CONTACT)) >= 2)
    Location.objects.filter(pk=maria.location_id).update(sending_paused=True)

    # then the rest of the queue is blocked with the reason
    wait_for(nothing_waiting, timeout=30)
    wait_until_nothing_left_to_do()
    sent = len(fake_ghl.sms_sent(CONTACT))
    blocked = OutboxMessage.objects.filter(status="blocked", gate_rule="location_kill_switch").count()
    assert sent <= 4 and sent + blocked == 20


def test_the_global_kill_switch_stops_every_location(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact
) -> None:
    lead_texted_just_now(maria)
    for number in range(5):
        queued_text(maria, f"Reply {number}. Which area are you looking in?")
    SendingSwitch.objects.create(paused=True, reason="incident")

    deliver_outbox.delay(maria.pk)

    wait_for(nothing_waiting, timeout=30)
    assert fake_ghl.sms_sent(CONTACT) == []
    assert OutboxMessage.objects.filter(gate_rule="global_kill_switch").count() == 5


def test_a_human_message_pauses_the_bot_and_the_timer_wakes_it(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    # given an agent texted the lead from GHL
    post_webhook(ghl_events.outbound_message(body="Hi Maria, Jenna here from the office.",
                                             user_id=ghl_events.AGENT_USER_ID, source="app"))
    wait_for(lambda: Contact.objects.get(pk=maria.pk).bot_paused_until)

    # when the lead answers, the bot stays quiet
    post_webhook(ghl_events.inbound_message(body="I want to sell my house"))
    wait_for(nothing_waiting)
    wait_until_nothing_left_to_do()
    assert fake_ghl.sms_sent(CONTACT) == []

    # and when the pause has run out, the beat's timer wakes the bot, which answers the lead's next text
    Contact.objects.filter(pk=maria.pk).update(bot_paused_until=timezone.now() - dt.timedelta(seconds=1))
    wake_paused_bots.delay()
    wait_for(lambda: Contact.objects.get(pk=maria.pk).bot_paused_until is None)
    post_webhook(ghl_events.inbound_message(body="Hello? I want to sell my house"))
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))
    wait_until_nothing_left_to_do()
    assert len(fake_ghl.sms_sent(CONTACT)) == 1


def test_asking_for_a_person_leaves_the_agent_a_note_in_ghl(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, maria: Contact, post_webhook: PostWebhook
) -> None:
    Contact.objects.filter(pk=maria.pk).update(tags=["Needs Qualifying"])
    post_webhook(ghl_events.inbound_message(body="I want to sell 123 Main St, Rancho Cucamonga"))
    wait_for(lambda: fake_ghl.sms_sent(CONTACT))

    post_webhook(ghl_events.inbound_message(body="can I just talk to Jorge?"))

    [note] = wait_for(lambda: fake_ghl.notes_added(CONTACT))
    assert "the lead asked for a person" in note and "123 Main St" in note
    wait_for(lambda: {"Human-Follow-Up-Needed", "AI-Off"} <= set(fake_ghl.tags_added(CONTACT)))
    wait_for(lambda: len(fake_ghl.sms_sent(CONTACT)) == 2)
