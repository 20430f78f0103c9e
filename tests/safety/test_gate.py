"""The pre-send gate: its order, every rule, and what it records on the outbox row for the admin."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.utils import timezone

from bots.compliance import (
    Rule,
    Verdict,
    check_before_send,
    last_text_decision,
    record_decision,
    release_deferred_texts,
)
from bots.config import BotConfig
from bots.models import SendingSwitch
from bots.sender import deliver_pending
from leads.models import Contact, Conversation, OutboxMessage
from tests.fakes.ghl import FakeGHL
from tests.safety.conftest import at, queued_text, text_from

CONFIG = BotConfig()
NOON = at("America/Chicago", 2026, 6, 10, 12)


def decide(contact: Contact, row: OutboxMessage, now: dt.datetime = NOON, config: BotConfig = CONFIG) -> Any:
    contact.refresh_from_db()
    return check_before_send(contact.location, contact, row, config, now)


def lead_texted(contact: Contact, when: dt.datetime) -> None:
    text_from(contact, "hello", when)


# -- order and switches ----------------------------------------------------------------------------------


def test_an_ordinary_text_passes_and_says_so(maria: Contact) -> None:
    decision = decide(maria, queued_text(maria))
    assert decision.verdict is Verdict.SEND and decision.rule is Rule.PASSED


def test_the_location_kill_switch_stops_every_text(maria: Contact) -> None:
    maria.location.sending_paused = True
    maria.location.save()
    assert decide(maria, queued_text(maria)).rule is Rule.LOCATION_KILL_SWITCH


def test_the_global_kill_switch_wins_over_everything_even_the_opt_out_confirmation(maria: Contact) -> None:
    SendingSwitch.objects.create(paused=True)
    maria.opted_out_at = timezone.now()
    maria.save()
    decision = decide(maria, queued_text(maria, bypass_opt_out=True))
    assert decision.verdict is Verdict.BLOCK and decision.rule is Rule.GLOBAL_KILL_SWITCH


def test_the_deploy_time_global_switch_stops_every_text(maria: Contact, settings: Any) -> None:
    settings.JORGEBOT_SENDING_PAUSED = True
    assert decide(maria, queued_text(maria)).rule is Rule.GLOBAL_KILL_SWITCH


# -- consent ---------------------------------------------------------------------------------------------


def test_an_opted_out_lead_gets_nothing_but_one_confirmation(maria: Contact) -> None:
    maria.opted_out_at = NOON - dt.timedelta(minutes=1)
    maria.save()
    assert decide(maria, queued_text(maria)).rule is Rule.OPTED_OUT
    confirmation = queued_text(maria, "You are unsubscribed.", bypass_opt_out=True)
    assert decide(maria, confirmation).verdict is Verdict.SEND
    OutboxMessage.objects.filter(pk=confirmation.pk).update(status="sent", sent_at=NOON)
    second = queued_text(maria, "You are unsubscribed.", bypass_opt_out=True)
    assert decide(maria, second).rule is Rule.CONFIRMATION_ALREADY_SENT


def test_sms_do_not_disturb_from_ghl_blocks(maria: Contact) -> None:
    maria.dnd_sms = True
    maria.save()
    assert decide(maria, queued_text(maria)).rule is Rule.SMS_DND


@pytest.mark.parametrize("tag", ["AI-Off", "Stop-Bot"])
def test_a_deactivation_tag_added_after_the_text_was_queued_holds_it_back(maria: Contact, tag: str) -> None:
    row = queued_text(maria)
    maria.tags = [tag]
    maria.save()
    assert decide(maria, row).rule is Rule.DEACTIVATION_TAG


def test_the_tcpa_opt_out_tag_blocks_like_an_opt_out(maria: Contact) -> None:
    maria.tags = ["TCPA-Opt-Out"]
    maria.save()
    assert decide(maria, queued_text(maria)).rule is Rule.OPTED_OUT


def test_the_bots_last_word_goes_out_although_its_own_turn_added_ai_off(maria: Contact) -> None:
    # given a turn that queued a closing text and the AI-Off tag under one key
    from bots import outbox

    closing = outbox.queue_text(maria, "Of course. Jorge will reach out to you shortly.", "turn:1:2")
    outbox.queue_tag_changes(maria, "turn:1:2", add=["Human-Follow-Up-Needed", "AI-Off"])

    # then the closing text passes, and anything else queued for her does not
    assert decide(maria, closing).verdict is Verdict.SEND
    assert decide(maria, queued_text(maria)).rule is Rule.DEACTIVATION_TAG


def test_a_text_a_person_approved_passes_ai_off_but_never_an_opt_out(maria: Contact) -> None:
    maria.tags = ["AI-Off"]
    maria.save()
    approved = queued_text(maria, approved_by_person=True)
    assert decide(maria, approved).verdict is Verdict.SEND
    maria.opted_out_at = NOON
    maria.save()
    assert decide(maria, approved).rule is Rule.OPTED_OUT


def test_a_person_taking_over_holds_back_the_bots_waiting_texts(maria: Contact) -> None:
    row = queued_text(maria)
    maria.bot_paused_until = NOON + dt.timedelta(hours=24)
    maria.save()
    assert decide(maria, row).rule is Rule.HUMAN_TOOK_OVER


def test_a_contact_deleted_in_ghl_gets_nothing(maria: Contact) -> None:
    maria.deleted_at = NOON
    maria.save()
    assert decide(maria, queued_text(maria)).rule is Rule.CONTACT_DELETED


# -- the daily cap, in the lead's local day ------------------------------------------------------------


def _sent(contact: Contact, count: int, when: dt.datetime) -> None:
    for _ in range(count):
        queued_text(contact, status="sent", sent_at=when)


def test_the_daily_cap_counts_texts_sent_since_the_leads_midnight(maria: Contact) -> None:
    # given 25 texts sent yesterday evening, Chicago time (already "today" in UTC)
    _sent(maria, 25, at("America/Chicago", 2026, 6, 9, 21, 30))

    # then a text this noon passes, and after 25 today the next is blocked
    lead_texted(maria, NOON)
    assert decide(maria, queued_text(maria)).verdict is Verdict.SEND
    _sent(maria, 25, at("America/Chicago", 2026, 6, 10, 0, 5))
    decision = decide(maria, queued_text(maria))
    assert decision.rule is Rule.DAILY_CAP and decision.reason == "daily cap of 25 texts reached"


def test_the_cap_is_a_per_location_setting(maria: Contact) -> None:
    _sent(maria, 3, NOON - dt.timedelta(hours=1))
    assert decide(maria, queued_text(maria), config=BotConfig.from_overrides({"daily_message_cap": 3})).rule \
        is Rule.DAILY_CAP


# -- the wording ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "rule"), [
    ("Great news, it's a very safe neighborhood with great schools. Want to see it?", Rule.FAIR_HOUSING),
    ("We can also pay you a referral fee. Interested?", Rule.RESPA),
    ("No, I'm a real person. What is the address?", Rule.CLAIMS_TO_BE_HUMAN),
    ("x" * 400, Rule.TOO_LONG),
])
def test_a_text_that_fails_the_wording_is_replaced_by_the_bots_safe_line(maria: Contact, body: str, rule: Rule) -> None:
    decision = decide(maria, queued_text(maria, body))
    assert decision.verdict is Verdict.SEND and decision.rule is rule and decision.alert
    assert decision.replacement is not None and "Jorge will follow up" in decision.replacement


def test_a_long_text_of_several_sentences_is_shortened_without_an_alert(maria: Contact) -> None:
    body = "Thanks. " + "This sentence adds some detail. " * 12 + "Which area are you looking in?"
    decision = decide(maria, queued_text(maria, body))
    assert decision.rule is Rule.SHORTENED and not decision.alert
    assert decision.replacement is not None and decision.replacement.endswith("Which area are you looking in?")
    assert len(decision.replacement) <= 320


def test_a_replaced_text_is_sent_as_the_safe_line_tagged_and_kept_for_review_without_logging_it(
    maria: Contact, fake_ghl: FakeGHL, caplog: pytest.LogCaptureFixture
) -> None:
    # given the seller bot queued a steering text, answering the lead's text of a moment ago
    maria.active_bot = "seller"
    maria.save()
    lead_texted(maria, timezone.now())
    row = queued_text(maria, "Honestly you'd fit in better in Alta Loma. What is the address?")

    # when it is delivered
    with caplog.at_level(logging.INFO):
        deliver_pending(maria.pk)

    # then GHL got the seller's safe line, the contact is tagged, and the original waits for a reviewer
    row.refresh_from_db()
    assert row.status == "sent" and row.gate_rule == "fair_housing"
    assert fake_ghl.sms_sent(maria.ghl_id) == [row.body] and "next steps for your home" in row.body
    assert row.payload["original_text"].startswith("Honestly you'd fit in better")
    assert "Compliance-Alert" in fake_ghl.tags_added(maria.ghl_id)
    assert "Alta Loma" not in caplog.text and "fit in better" not in caplog.text


# -- quiet hours -----------------------------------------------------------------------------------------


def test_a_text_the_bot_starts_itself_at_ten_pm_waits_for_eight_am(maria: Contact) -> None:
    lead_texted(maria, at("America/Chicago", 2026, 6, 8, 15))
    decision = decide(maria, queued_text(maria), now=at("America/Chicago", 2026, 6, 10, 22))
    assert decision.verdict is Verdict.DEFER and decision.rule is Rule.QUIET_HOURS
    assert decision.send_after == at("America/Chicago", 2026, 6, 11, 8)
    assert "8:00 to 21:00 (America/Chicago, from the area code)" in decision.reason


def test_a_reply_to_a_lead_who_just_texted_goes_out_at_once_whatever_the_hour(maria: Contact) -> None:
    ten_pm = at("America/Chicago", 2026, 6, 10, 22)
    lead_texted(maria, ten_pm - dt.timedelta(seconds=5))
    assert decide(maria, queued_text(maria), now=ten_pm).verdict is Verdict.SEND


def test_a_florida_lead_of_a_texas_brokerage_is_not_texted_at_eight_thirty_pm(maria: Contact) -> None:
    maria.phone = "+13055550100"
    maria.save()
    decision = decide(maria, queued_text(maria), now=at("America/New_York", 2026, 6, 10, 20, 30))
    assert decision.rule is Rule.QUIET_HOURS
    assert decision.send_after == at("America/New_York", 2026, 6, 11, 8)


def test_a_deferred_text_waits_in_the_outbox_and_is_released_when_its_window_opens(
    maria: Contact, fake_ghl: FakeGHL
) -> None:
    # given a follow-up style text deferred by the gate
    Conversation.objects.create(contact=maria, last_inbound_at=timezone.now() - dt.timedelta(days=3))
    row = queued_text(maria)
    OutboxMessage.objects.filter(pk=row.pk).update(status="deferred", send_after=timezone.now() + dt.timedelta(hours=1))

    # when the sender runs, it skips it; the release before its time leaves it
    deliver_pending(maria.pk)
    assert release_deferred_texts(timezone.now()) == []
    assert fake_ghl.sms_sent(maria.ghl_id) == []

    # then once due it goes back to pending and out
    assert release_deferred_texts(timezone.now() + dt.timedelta(hours=2)) == [maria.pk]
    assert OutboxMessage.objects.get(pk=row.pk).status == "pending"


def test_the_admin_reads_why_the_last_text_was_deferred(maria: Contact) -> None:
    ten_pm = at("America/Chicago", 2026, 6, 10, 22)
    Conversation.objects.create(contact=maria, last_inbound_at=ten_pm - dt.timedelta(days=3))
    row = queued_text(maria)
    decision = decide(maria, row, now=ten_pm)
    record_decision(row, decision, CONFIG, ten_pm)

    last = last_text_decision(maria)
    assert last is not None and last.status == "deferred" and last.rule == "quiet_hours"
    assert str(last).startswith("Deferred: quiet hours")
    assert last.send_after == at("America/Chicago", 2026, 6, 11, 8)
