"""Suggest mode: the bot's texts wait as drafts; a broker approves, edits or discards them, and only then is
anything sent."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bots import drafts, services
from bots.models import Draft
from leads.models import Contact, OutboxMessage
from tests.safety.conftest import sms_bodies, text_from


@pytest.fixture
def suggesting(maria: Contact) -> Contact:
    maria.location.bot_settings = {"mode": "suggest"}
    maria.location.save()
    return maria


def _draft_after(contact: Contact, body: str) -> Draft:
    message = text_from(contact, body)
    services.take_turn(message.conversation_id)
    return Draft.objects.get(contact=contact, status="pending")


def test_in_suggest_mode_a_turn_saves_a_draft_and_queues_no_text(suggesting: Contact) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    assert "address" in draft.body and draft.bot == "seller"
    assert sms_bodies(suggesting) == []
    # the tags still go to GHL: only what the lead reads waits for a person
    assert OutboxMessage.objects.filter(contact=suggesting, kind="add_tags").exists()


def test_approving_a_draft_queues_it_once_as_a_persons_text(suggesting: Contact) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    row = drafts.approve_draft(draft.pk, None)
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.outbox == row and row.approved_by_person
    assert sms_bodies(suggesting) == [draft.body]
    with pytest.raises(drafts.DraftNotPending):
        drafts.approve_draft(draft.pk, None)


def test_an_edited_draft_sends_the_brokers_words(suggesting: Contact) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    drafts.approve_draft(draft.pk, None, "Great, Jorge can help. Which street is the home on?")
    draft.refresh_from_db()
    assert draft.status == "edited" and draft.sent_body.startswith("Great, Jorge can help")
    assert sms_bodies(suggesting) == ["Great, Jorge can help. Which street is the home on?"]


@pytest.mark.parametrize("edit", ["It's a very safe area with great schools. Address?", "x " * 200])
def test_an_edit_that_breaks_a_rule_is_refused_and_the_draft_keeps_waiting(suggesting: Contact, edit: str) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    with pytest.raises(drafts.DraftRejected):
        drafts.approve_draft(draft.pk, None, edit)
    assert Draft.objects.get(pk=draft.pk).status == "pending"
    assert sms_bodies(suggesting) == []


def test_a_discarded_draft_is_never_sent(suggesting: Contact) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    drafts.discard_draft(draft.pk, None)
    assert Draft.objects.get(pk=draft.pk).status == "discarded"
    assert sms_bodies(suggesting) == []


def test_a_new_text_from_the_lead_retires_the_draft_that_answered_the_old_one(suggesting: Contact) -> None:
    old = _draft_after(suggesting, "I want to sell my house")
    new = _draft_after(suggesting, "123 Main St, Rancho Cucamonga")
    assert Draft.objects.get(pk=old.pk).status == "superseded"
    assert new.pk != old.pk


def test_one_bot_in_suggest_mode_while_the_lead_bot_sends_at_once(maria: Contact) -> None:
    maria.location.bot_settings = {"seller_bot_mode": "suggest"}
    maria.location.save()
    first = text_from(maria, "Hello")
    services.take_turn(first.conversation_id)
    assert len(sms_bodies(maria)) == 1  # the lead bot asked buy or sell
    maria.tags = ["Needs Qualifying"]
    maria.save()
    text_from(maria, "123 Main St")
    services.take_turn(first.conversation_id)
    assert len(sms_bodies(maria)) == 1
    assert Draft.objects.filter(contact=maria, bot="seller", status="pending").exists()


def test_the_opt_out_confirmation_is_never_held_as_a_draft(suggesting: Contact) -> None:
    message = text_from(suggesting, "STOP")
    services.take_turn(message.conversation_id)
    assert len(sms_bodies(suggesting)) == 1
    assert not Draft.objects.filter(contact=suggesting).exists()


def test_an_agent_approves_an_edited_draft_from_the_admin(
    suggesting: Contact, alpha_agent: Any, client: Client
) -> None:
    # given a draft waiting, and an agent of the location signed in
    draft = _draft_after(suggesting, "I want to sell my house")
    client.force_login(alpha_agent)

    # when the agent edits the text on the draft's page and saves
    url = f"/admin/bots/draft/{draft.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Happy to help. What is the street address?"})

    # then the edit is what goes out, and the draft can no longer be changed
    assert response.status_code == 302
    assert sms_bodies(suggesting) == ["Happy to help. What is the street address?"]
    draft.refresh_from_db()
    assert draft.status == "edited" and draft.decided_by == alpha_agent


def test_a_broker_of_another_location_cannot_see_the_draft(suggesting: Contact, beta_broker: Any, client: Client
                                                          ) -> None:
    draft = _draft_after(suggesting, "I want to sell my house")
    client.force_login(beta_broker)
    assert client.get(f"/admin/bots/draft/{draft.pk}/change/").status_code in (302, 403, 404)
