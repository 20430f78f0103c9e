"""Opt-out through the real turn: every way a lead says it, one confirmation at most, then nothing until START."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bots import followups, services
from bots.models import Draft, FollowUp
from leads.models import Contact, OutboxMessage
from tests.safety.conftest import queued_text, sms_bodies, text_from

# English and Spanish, keywords and sentences, misspelled, shouted, wrapped in insults.
OPT_OUTS = (
    "STOP", "stop please", "STOP!!!", "Stop texting me", "STOP texting me you idiots", "stop fucking texting me",
    "stopall", "UNSUBSCRIBE", "unsubscribe me", "END", "QUIT", "CANCEL", "revoke", "OPT OUT", "opt-out", "remove me",
    "Remove me from your list", "take me off your list", "leave me alone", "Leave me the hell alone", "wrong number",
    "Wrong # buddy", "don't text me again", "never text me again", "do not contact me", "no more texts",
    "lose my number", "stpo", "unsubscibe", "s t o p", "why don't you stop texting me", "go away bot",
    "I never signed up for this, stop", "cancelar", "Cancelar por favor", "ALTO", "alto ya", "no más",
    "No más mensajes", "no me escriban", "número equivocado", "se equivocaron de número", "dejen de escribirme",
    "No me vuelvan a escribir", "Ya no me manden mensajes", "déjame en paz", "sácame de su lista",
    "quítame de la lista", "no quiero más mensajes",
)


@pytest.mark.parametrize("message", OPT_OUTS)
def test_every_form_of_opt_out_confirms_once_and_withdraws_everything_waiting(maria: Contact, message: str) -> None:
    # given a lead with a follow-up planned, a deferred text and a pending draft
    first = text_from(maria, "I want to sell my house", timezone.now() - dt.timedelta(minutes=5))
    services.take_turn(first.conversation_id)
    assert FollowUp.objects.filter(contact=maria, status="scheduled").exists()
    deferred = queued_text(maria, status="deferred", send_after=timezone.now() + dt.timedelta(hours=9))
    Draft.objects.create(location=maria.location, contact=maria, bot="seller", idempotency_key="old:draft",
                         body="An old draft")
    texts_before = len(sms_bodies(maria))

    # when the lead opts out
    text_from(maria, message)
    result = services.take_turn(first.conversation_id)

    # then one confirmation, the tags, and nothing left waiting
    maria.refresh_from_db()
    assert result.outcome == "lead opted out"
    assert maria.opted_out_at is not None and maria.has_tag("TCPA-Opt-Out") and maria.has_tag("AI-Off")
    assert len(sms_bodies(maria)) == texts_before + 1
    assert OutboxMessage.objects.get(contact=maria, kind="sms", bypass_opt_out=True)
    assert OutboxMessage.objects.get(pk=deferred.pk).status == "cancelled"
    assert not FollowUp.objects.filter(contact=maria, status="scheduled").exists()
    assert not Draft.objects.filter(contact=maria, status="pending").exists()


def test_after_opting_out_no_turn_follow_up_or_nudge_queues_a_text_until_start(maria: Contact) -> None:
    # given a lead who opted out
    first = text_from(maria, "STOP")
    services.take_turn(first.conversation_id)
    texts = len(sms_bodies(maria))

    # when she writes again, a follow-up comes due, and her pause timer runs out
    text_from(maria, "I want to sell my house at 123 Main St")
    assert services.take_turn(first.conversation_id).outcome == "lead opted out; no reply"
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="lead", step=1,
                            anchor_at=timezone.now() - dt.timedelta(days=3), due_at=timezone.now())
    followups.dispatch_due_follow_ups(timezone.now() + dt.timedelta(minutes=1))
    maria.refresh_from_db()
    assert followups.restart_follow_ups(maria, _config(maria), timezone.now()) is None

    # then nothing new was queued
    assert len(sms_bodies(maria)) == texts
    assert FollowUp.objects.get(contact=maria, step=1, cadence="lead").status == "cancelled"

    # and START opts her back in, with one confirmation
    text_from(maria, "START")
    assert services.take_turn(first.conversation_id).outcome == "lead opted back in"
    assert len(sms_bodies(maria)) == texts + 1


def test_a_spanish_opt_out_is_confirmed_in_spanish(maria: Contact) -> None:
    message = text_from(maria, "alto, no me escriban más")
    services.take_turn(message.conversation_id)
    [confirmation] = sms_bodies(maria)
    assert confirmation.startswith("Ya no recibirá mensajes")


def test_no_confirmation_when_ghl_already_set_do_not_disturb_for_the_stop(maria: Contact) -> None:
    # GHL (or the carrier) took the STOP first and confirmed it itself: a second confirmation is one too many.
    maria.dnd_sms = True
    maria.save()
    message = text_from(maria, "STOP")
    services.take_turn(message.conversation_id)
    maria.refresh_from_db()
    assert maria.opted_out_at is not None
    assert sms_bodies(maria) == []


def test_the_confirmation_is_queued_before_the_dnd_write(maria: Contact) -> None:
    # GHL refuses texts to a contact whose SMS DND is on, so the confirmation must go first.
    message = text_from(maria, "STOP")
    services.take_turn(message.conversation_id)
    kinds = list(OutboxMessage.objects.filter(contact=maria).order_by("id").values_list("kind", flat=True))
    assert kinds.index("sms") < kinds.index("set_dnd")


def _config(contact: Contact) -> Any:
    from bots.config import BotConfig

    return BotConfig.from_overrides(contact.location.bot_settings)
