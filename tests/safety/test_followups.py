"""Follow-up cadences: the schedule computed on a fixed clock, quiet hours, cancellation, and idempotent dispatch."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from bots import followups
from bots.config import BotConfig
from bots.models import Cadence, Draft, FollowUp
from bots.state import ConversationState
from leads.models import Contact, Conversation, OutboxMessage
from tests.safety.conftest import at, sms_bodies

CONFIG = BotConfig()
ANCHOR = at("America/Chicago", 2026, 6, 1, 22)  # the lead's last text: 22:00 on a Monday, Chicago time


def dispatch(now: dt.datetime) -> list[int]:
    """One dispatcher batch at a fixed time; the contacts it queued a text for."""
    contact_ids, _ = followups.dispatch_due_follow_ups(now)
    return contact_ids


def test_the_seller_cadence_is_every_three_days_for_a_month_then_every_two_weeks_ten_times() -> None:
    days = followups.step_days(Cadence.SELLER, CONFIG)
    assert days[:10] == (2, 5, 8, 11, 14, 17, 20, 23, 26, 29)
    assert days[10:] == (43, 57, 71, 85, 99, 113, 127, 141, 155, 169)


def test_the_lead_cadence_is_days_three_seven_fourteen_and_a_final_thirty() -> None:
    assert followups.step_days(Cadence.LEAD, CONFIG) == (3, 7, 14, 30)
    last = followups.next_step(Cadence.LEAD, ANCHOR, 3, ANCHOR, CONFIG)
    assert last is not None and last.number == 4 and last.final


def test_cadences_are_per_location_settings() -> None:
    config = BotConfig.from_overrides({"lead_follow_up_days": [1, 2], "seller_long_term_attempts": 0})
    assert followups.step_days(Cadence.LEAD, config) == (1, 2)
    assert followups.step_days(Cadence.SELLER, config)[-1] == 29


def test_the_next_step_is_the_first_not_before_the_given_time() -> None:
    step = followups.next_step(Cadence.SELLER, ANCHOR, 0, ANCHOR + dt.timedelta(days=9), CONFIG)
    assert step is not None and step.number == 4 and step.due_at == ANCHOR + dt.timedelta(days=11)
    assert followups.next_step(Cadence.SELLER, ANCHOR, 20, ANCHOR, CONFIG) is None


def _lead_in_conversation(contact: Contact, bot: str, last_inbound_at: dt.datetime, **state: object) -> Conversation:
    contact.active_bot = bot
    contact.save()
    values = ConversationState(bot=bot, **state).to_dict()  # type: ignore[arg-type]
    return Conversation.objects.create(contact=contact, state=values, last_inbound_at=last_inbound_at)


def _plan(contact: Contact, now: dt.datetime) -> FollowUp | None:
    conversation = Conversation.objects.get(contact=contact)
    return followups.plan_after_turn(contact, ConversationState.from_dict(conversation.state), CONFIG, now,
                                     replied=True)


def test_a_follow_up_due_at_ten_pm_local_goes_out_at_eight_the_next_morning(maria: Contact) -> None:
    # given a silent lead whose day 3 follow-up falls at 22:00 Chicago time
    _lead_in_conversation(maria, "lead", ANCHOR)
    follow_up = _plan(maria, ANCHOR)
    assert follow_up is not None and follow_up.due_at == at("America/Chicago", 2026, 6, 4, 22)

    # when the dispatcher runs at 22:00, it moves the follow-up to 8:00 and sends nothing
    assert dispatch(at("America/Chicago", 2026, 6, 4, 22)) == []
    follow_up.refresh_from_db()
    assert follow_up.status == "scheduled" and follow_up.due_at == at("America/Chicago", 2026, 6, 5, 8)
    assert follow_up.status_reason == "quiet hours: moved to Jun 05 08:00 America/Chicago"
    assert sms_bodies(maria) == []

    # and a run at 7:59 still waits, while the run at 8:00 queues the text and plans day 7
    assert dispatch(at("America/Chicago", 2026, 6, 5, 7, 59)) == []
    assert dispatch(at("America/Chicago", 2026, 6, 5, 8)) == [maria.pk]
    follow_up.refresh_from_db()
    assert follow_up.status == "queued" and follow_up.outbox is not None
    assert len(sms_bodies(maria)) == 1
    [upcoming] = FollowUp.objects.filter(contact=maria, status="scheduled")
    assert upcoming.step == 2 and upcoming.due_at == ANCHOR + dt.timedelta(days=7)


def test_a_florida_lead_follow_up_at_eight_thirty_pm_waits_for_morning(maria: Contact) -> None:
    maria.phone = "+13055550100"
    maria.save()
    _lead_in_conversation(maria, "lead", ANCHOR)
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="lead", step=1, anchor_at=ANCHOR,
                            due_at=at("America/New_York", 2026, 6, 4, 20, 30))
    dispatch(at("America/New_York", 2026, 6, 4, 20, 30))
    assert FollowUp.objects.get(contact=maria).due_at == at("America/New_York", 2026, 6, 5, 8)


def test_the_final_lead_follow_up_tags_the_lead_ghosted_and_ends_the_cadence(maria: Contact) -> None:
    _lead_in_conversation(maria, "lead", ANCHOR)
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="lead", step=4, anchor_at=ANCHOR,
                            due_at=ANCHOR + dt.timedelta(days=30))
    noon = at("America/Chicago", 2026, 7, 2, 12)
    dispatch(noon)
    maria.refresh_from_db()
    assert maria.has_tag("Ghosted")
    assert "Last check in from us" in sms_bodies(maria)[0]
    assert not FollowUp.objects.filter(contact=maria, status="scheduled").exists()


def test_a_seller_keeps_the_cadence_start_when_they_reply(maria: Contact) -> None:
    # given a seller cadence that started on June 1
    _lead_in_conversation(maria, "seller", ANCHOR)
    _plan(maria, ANCHOR)

    # when the seller replies on day 9 (and the bot answers)
    day_nine = ANCHOR + dt.timedelta(days=9)
    follow_up = _plan(maria, day_nine)

    # then the waiting attempt was cancelled and the next falls on day 11 of the same cadence
    assert follow_up is not None and follow_up.anchor_at == ANCHOR and follow_up.step == 4
    assert FollowUp.objects.filter(contact=maria, status="cancelled", status_reason="the lead replied").count() == 1


def test_a_seller_silent_for_thirty_days_gets_no_long_term_follow_up(maria: Contact) -> None:
    _lead_in_conversation(maria, "seller", ANCHOR)
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="seller", step=11, anchor_at=ANCHOR,
                            due_at=ANCHOR + dt.timedelta(days=43))
    dispatch(at("America/Chicago", 2026, 7, 15, 12))
    assert FollowUp.objects.get(contact=maria).status_reason == "30 days of silence"
    assert sms_bodies(maria) == []


def test_a_seller_who_still_answers_gets_the_long_term_attempts(maria: Contact) -> None:
    conversation = _lead_in_conversation(maria, "seller", ANCHOR)
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=ANCHOR + dt.timedelta(days=25))
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="seller", step=11, anchor_at=ANCHOR,
                            due_at=ANCHOR + dt.timedelta(days=43))
    assert dispatch(at("America/Chicago", 2026, 7, 15, 12)) == [maria.pk]
    assert FollowUp.objects.get(contact=maria, status="scheduled").step == 12


@pytest.mark.parametrize(("change", "reason"), [
    ({"opted_out_at": ANCHOR}, "the lead opted out"),
    ({"dnd_sms": True}, "the lead opted out"),
    ({"tags": ["Human-Follow-Up-Needed"]}, "contact has the Human-Follow-Up-Needed tag"),
    ({"tags": ["AI-Off"]}, "contact has the AI-Off tag"),
    ({"status": "appointment"}, "a call is booked"),
    ({"temperature": "hot"}, "the seller is hot"),
    ({"bot_paused_until": ANCHOR + dt.timedelta(days=30)}, "a person took over"),
])
def test_a_follow_up_is_cancelled_when_its_lead_is_no_longer_for_the_bot(
    maria: Contact, change: dict[str, object], reason: str
) -> None:
    _lead_in_conversation(maria, "seller", ANCHOR)
    _plan(maria, ANCHOR)
    Contact.objects.filter(pk=maria.pk).update(**change)
    dispatch(ANCHOR + dt.timedelta(days=2, hours=14))
    assert FollowUp.objects.get(contact=maria).status_reason == reason
    assert sms_bodies(maria) == []


def test_suggest_mode_saves_a_follow_up_as_a_draft(maria: Contact) -> None:
    maria.location.bot_settings = {"mode": "suggest"}
    maria.location.save()
    _lead_in_conversation(maria, "lead", ANCHOR)
    _plan(maria, ANCHOR)
    assert dispatch(at("America/Chicago", 2026, 6, 5, 10)) == []
    assert sms_bodies(maria) == []
    assert Draft.objects.get(contact=maria).status == "pending"


def test_dispatching_twice_queues_one_text(maria: Contact) -> None:
    _lead_in_conversation(maria, "lead", ANCHOR)
    _plan(maria, ANCHOR)
    nine_am = at("America/Chicago", 2026, 6, 5, 9)
    dispatch(nine_am)
    dispatch(nine_am)
    assert len(sms_bodies(maria)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_queue_each_follow_up_once(make_lead: Callable[..., Contact]) -> None:
    # given 20 leads with a follow-up due
    leads = [make_lead() for _ in range(20)]
    for lead in leads:
        _lead_in_conversation(lead, "lead", ANCHOR)
        _plan(lead, ANCHOR)
    nine_am = at("America/Chicago", 2026, 6, 5, 9)

    # when two dispatchers run at the same moment
    def dispatcher() -> None:
        try:
            dispatch(nine_am)
        finally:
            connection.close()

    racers = [threading.Thread(target=dispatcher) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    # then every lead got exactly one text and has exactly one next step
    assert OutboxMessage.objects.filter(kind="sms").count() == 20
    assert FollowUp.objects.filter(status="queued").count() == 20
    assert FollowUp.objects.filter(status="scheduled").count() == 20
