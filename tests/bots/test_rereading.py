"""The nightly re-reading of stalled conversations: which ones are chosen, and what a reading fills in.

The end-to-end run (beat task, Message Batch, a real worker, the custom fields reaching GHL) is in
tests/bots/test_llm_worker.py.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from bots.config import BotConfig
from bots.llm.jobs import create_job, read_item, stalled_conversations_tonight, submit_batch
from bots.llm.models import ItemStatus, JobMode, LLMJob
from bots.nlu import Extraction, Motivation, PriceRange, PropertyCondition
from bots.selectors import stalled_conversations
from bots.services import fill_in_missed_answers
from bots.state import ConversationState
from leads.models import Contact, Conversation, LeadStatus, Location, Message, OutboxMessage
from tests.fakes.anthropic import FakeAnthropic

pytestmark = pytest.mark.django_db

FIELD = BotConfig.from_overrides({}).field_key


def seller_state(**seller: Any) -> dict[str, Any]:
    """A seller the bot asked for a motivation twice without reading one, so it moved on as unknown."""
    state = ConversationState(bot="seller", last_question="timeline")
    state.seller.property_address = "123 Main St"
    for name, value in seller.items():
        setattr(state.seller, name, value)
    state.misses = {"motivation": 2}
    state.unknown = ["motivation"]
    state.fields_written = {"property_address": "123 Main St", "motivation": "unknown"}
    return state.to_dict()


def stalled(location: Location, name: str, *, texted: dt.datetime | None = None, **contact: Any) -> Conversation:
    lead = Contact.objects.create(location=location, ghl_id=name, synced_at=timezone.now(), **contact)
    conversation = Conversation.objects.create(
        contact=lead, state=seller_state(), last_inbound_at=texted or timezone.now() - dt.timedelta(hours=3)
    )
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="eh, its complicated")
    return conversation


def test_a_reading_fills_only_what_the_bot_is_missing_and_writes_it_to_ghl(maria: Contact) -> None:
    # given a seller whose motivation the bot could not read, but whose price it knows
    conversation = Conversation.objects.create(contact=maria, state=seller_state(price_low=600_000, price_high=650_000))

    # when a reading of the whole thread found a motivation, a condition, and another price
    reading = Extraction(motivation=Motivation.RELOCATION, relocation_destination="Denver",
                         property_condition=PropertyCondition.NEEDS_WORK,
                         price_expectation=PriceRange(500_000, 500_000))
    answered = fill_in_missed_answers(conversation.pk, reading, key="reread:1")

    # then the missing answers are kept, the known price is not touched, and the motivation is no longer unknown
    assert answered == {"motivation", "property_condition"}
    state = ConversationState.from_dict(Conversation.objects.get(pk=conversation.pk).state)
    assert (state.seller.motivation, state.seller.relocation_destination) == ("relocation", "Denver")
    assert state.seller.property_condition == "needs_work"
    assert (state.seller.price_low, state.seller.price_high) == (600_000, 650_000)
    assert "motivation" not in state.unknown
    # and GHL gets exactly the fields that changed, once
    [write] = OutboxMessage.objects.filter(contact=maria)
    assert write.kind == "update_fields" and write.idempotency_key == "reread:1:fields"
    assert write.payload["custom_fields"] == {
        FIELD("motivation"): "relocation", FIELD("relocation_destination"): "Denver",
        FIELD("property_condition"): "needs_work",
    }
    assert state.fields_written["motivation"] == "relocation"


def test_the_same_reading_applied_twice_changes_nothing_more(maria: Contact) -> None:
    conversation = Conversation.objects.create(contact=maria, state=seller_state())
    reading = Extraction(motivation=Motivation.DIVORCE)

    assert fill_in_missed_answers(conversation.pk, reading, key="reread:7") == {"motivation"}
    assert fill_in_missed_answers(conversation.pk, reading, key="reread:7") == frozenset()

    assert OutboxMessage.objects.filter(contact=maria).count() == 1


def test_a_reading_that_finds_nothing_new_writes_nothing(maria: Contact) -> None:
    conversation = Conversation.objects.create(contact=maria, state=seller_state(motivation="divorce"))
    before = Conversation.objects.get(pk=conversation.pk).state

    assert fill_in_missed_answers(conversation.pk, Extraction(motivation=Motivation.DOWNSIZING), key="k") == frozenset()

    assert Conversation.objects.get(pk=conversation.pk).state == before
    assert not OutboxMessage.objects.exists()


def test_a_lead_deleted_in_ghl_keeps_the_answer_here_but_nothing_is_written_there(maria: Contact) -> None:
    maria.deleted_at = timezone.now()
    maria.save()
    conversation = Conversation.objects.create(contact=maria, state=seller_state())

    assert fill_in_missed_answers(conversation.pk, Extraction(motivation=Motivation.DIVORCE), key="k") == {"motivation"}
    assert not OutboxMessage.objects.exists()


def test_stalled_conversations_are_the_open_reachable_recent_ones_not_read_since_their_last_text(
    alpha_realty: Location, beta_homes: Location
) -> None:
    now = timezone.now()
    # given, most recent first: two stalled conversations, and one of each kind that must not be chosen
    newest = stalled(alpha_realty, "Newest", texted=now - dt.timedelta(hours=1))
    older = stalled(alpha_realty, "Older", texted=now - dt.timedelta(days=2))
    stalled(alpha_realty, "TooOld", texted=now - dt.timedelta(days=20))
    stalled(alpha_realty, "OptedOut", opted_out_at=now)
    stalled(alpha_realty, "Won", status=LeadStatus.WON)
    stalled(alpha_realty, "Deleted", deleted_at=now)
    stalled(beta_homes, "OtherBrokerage")
    answered = stalled(alpha_realty, "AnsweredSince")
    answered.state = {**answered.state, "seller": {**answered.state["seller"], "motivation": "divorce"}}
    answered.save()
    never_missed = stalled(alpha_realty, "NeverMissed")
    never_missed.state = ConversationState(bot="seller").to_dict()
    never_missed.save()
    reread = stalled(alpha_realty, "ReadLastNight", texted=now - dt.timedelta(days=1))
    create_job([reread.pk], JobMode.BATCH)

    # when tonight's candidates are chosen
    chosen = stalled_conversations(alpha_realty, texted_since=now - dt.timedelta(days=14), limit=10)

    # then only the two stalled ones, newest first
    assert chosen == [newest.pk, older.pk]
    assert stalled_conversations(alpha_realty, texted_since=now - dt.timedelta(days=14), limit=1) == [newest.pk]

    # and a conversation read before the lead texted again is chosen again
    reread.last_inbound_at = timezone.now()
    reread.save()
    assert stalled_conversations(alpha_realty, texted_since=now - dt.timedelta(days=14), limit=10)[0] == reread.pk


def test_tonight_skips_locations_without_claude_over_their_limit_or_paused(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, beta_homes: Location, settings: Any
) -> None:
    # given a stalled conversation in each of two locations
    alpha = stalled(alpha_realty, "AlphaLead")
    beta = stalled(beta_homes, "BetaLead")
    assert sorted(stalled_conversations_tonight()) == sorted([alpha.pk, beta.pk])

    # when beta has spent its day's allowance, then alpha is paused, then no key is set
    beta_homes.bot_settings = {"llm_daily_spend_limit_usd": 0}
    beta_homes.save()
    assert stalled_conversations_tonight() == [alpha.pk]
    alpha_realty.sending_paused = True
    alpha_realty.save()
    assert stalled_conversations_tonight() == []
    alpha_realty.sending_paused = False
    alpha_realty.save()
    settings.ANTHROPIC_API_KEY = ""
    assert stalled_conversations_tonight() == []


@pytest.mark.parametrize("mode", [JobMode.BATCH, JobMode.FAN_OUT])
def test_a_bulk_job_spends_nothing_for_a_location_over_its_daily_limit(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, mode: JobMode
) -> None:
    # given a stalled conversation, in a location that has spent its day's allowance since the job was made
    conversation = stalled(alpha_realty, "OverLimitLead")
    job = create_job([conversation.pk], mode)
    alpha_realty.bot_settings = {"llm_daily_spend_limit_usd": 0}
    alpha_realty.save()

    # when the job runs
    if mode == JobMode.BATCH:
        assert submit_batch(job.pk) is False
    else:
        read_item(job.items.get().pk)

    # then Claude was not asked about this lead, and the item says why (a full run saw a call that a worker of an
    # earlier test made meanwhile: it is not this job's)
    about_this_lead = [call for call in fake_anthropic.calls
                       if "batches" in call.path or "complicated" in json.dumps(call.json)]
    assert about_this_lead == []
    item = job.items.get()
    assert item.status == ItemStatus.FAILED and "spend limit" in item.error
    assert LLMJob.objects.get(pk=job.pk).status == "done"
