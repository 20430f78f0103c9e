"""The inbound screen through the real turn: each class's reply, tags and compliance log row; nothing extracted; Claude
never reads a screened text (the fake Anthropic sees no request), and a text the screen passes is still read."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bots import services
from bots.models import ComplianceEvent, FollowUp
from leads.models import Contact, Conversation, OutboxMessage
from tests.fakes.anthropic import FakeAnthropic
from tests.safety.conftest import sms_bodies, text_from

AGREEMENT = ("no problem", "sure thing", "of course", "got it", "great", "sounds good")


def turn(contact: Contact, body: str) -> str:
    # Sent just now: a text ten seconds old would leave Claude no time within the reply's budget.
    return services.take_turn(text_from(contact, body, timezone.now()).conversation_id).outcome


def tags_added(contact: Contact) -> set[str]:
    return {tag for payload in OutboxMessage.objects.filter(contact=contact, kind="add_tags")
            .values_list("payload", flat=True) for tag in payload["tags"]}


def nothing_was_kept(contact: Contact) -> bool:
    state = Conversation.objects.get(contact=contact).state
    return all(value in (None, [], "") for part in ("seller", "buyer") for value in state[part].values())


def test_a_consent_dispute_is_told_the_source_and_first_contact_date_and_offered_stop(maria: Contact) -> None:
    Contact.objects.filter(pk=maria.pk).update(source="Zillow", created_at=dt.datetime(2026, 11, 3, 18, tzinfo=dt.UTC))
    maria.refresh_from_db()
    assert turn(maria, "how did you get my number??") == "consent question answered with the lead's source"
    [answer] = sms_bodies(maria)
    assert "Zillow" in answer and "Nov 3" in answer and "Reply STOP" in answer
    event = ComplianceEvent.objects.get(contact=maria)
    assert (event.kind, event.text, event.location_id) == ("consent_dispute", "how did you get my number??",
                                                          maria.location_id)


def test_a_consent_dispute_in_spanish_is_answered_in_spanish(maria: Contact) -> None:
    turn(maria, "de dónde sacó mi número?")
    [answer] = sms_bodies(maria)
    assert answer.startswith("Somos el equipo") and "STOP" in answer


@pytest.mark.parametrize("text", ["will you pay me if I refer my brother?", "do I have to use your lender?"])
def test_a_respa_question_gets_the_truthful_answer_and_no_words_of_agreement(maria: Contact, text: str) -> None:
    maria.tags = ["Buyer-Lead"]
    maria.save()
    assert turn(maria, text) == "RESPA question answered"
    [answer] = sms_bodies(maria)
    assert answer.startswith("You are free to choose any lender")
    assert not answer.lower().startswith(AGREEMENT)


def test_a_complaint_gets_an_apology_and_the_stop_option_and_the_cadence_stops(maria: Contact) -> None:
    turn(maria, "I want to sell my house")
    assert FollowUp.objects.filter(contact=maria, status="scheduled").exists()
    assert turn(maria, "why are you texting me at 7am") == "complaint answered with an apology"
    assert "Reply STOP" in sms_bodies(maria)[-1]
    assert not FollowUp.objects.filter(contact=maria, status="scheduled").exists()


@pytest.mark.parametrize(("text", "protected"), [
    ("I don't want to sell to a family with kids, they'll wreck it", "familial_status"),
    ("make sure we don't get any Jewish buyers", "religion"),
    ("only to a white family please", "race"),
    ("pero no a familias con niños", "familial_status"),
])
def test_a_seller_choosing_buyers_is_refused_tagged_logged_and_noted_in_ghl(
    maria: Contact, text: str, protected: str
) -> None:
    maria.tags = ["Needs Qualifying"]
    maria.save()
    assert turn(maria, text) == "fair housing request refused"
    [refusal] = sms_bodies(maria)
    assert "vivienda justa" in refusal or "Fair housing law" in refusal
    assert tags_added(maria) == {"Fair-Housing-Alert"}
    event = ComplianceEvent.objects.get(contact=maria)
    assert (event.kind, event.protected_class, event.text) == ("fair_housing", protected, text)
    assert OutboxMessage.objects.filter(contact=maria, kind="add_note").exists()
    assert nothing_was_kept(maria)


def test_a_buyer_steering_request_fills_no_field(maria: Contact) -> None:
    maria.tags = ["Buyer-Lead"]
    maria.save()
    turn(maria, "We need a good school district, 3 bedrooms under 700k in Etiwanda")
    assert nothing_was_kept(maria)
    assert tags_added(maria) == {"Fair-Housing-Alert"}


def test_are_you_a_bot_asked_again_gets_the_same_honest_answer_and_the_next_answer_is_read(maria: Contact) -> None:
    maria.tags = ["Buyer-Lead"]
    maria.save()
    turn(maria, "are you a bot?")
    turn(maria, "seriously is this AI or a real person")
    assert all("AI assistant" in text for text in sms_bodies(maria))
    assert "AI-Off" not in tags_added(maria)
    assert turn(maria, "Fontana") == "buyer bot replied"
    assert Conversation.objects.get(contact=maria).state["buyer"]["areas"] == ["Fontana"]
    assert list(ComplianceEvent.objects.filter(contact=maria).values_list("kind", flat=True)) == ["bot_question"] * 2


def test_an_opt_out_with_a_fair_housing_request_confirms_the_opt_out_and_raises_the_alert(maria: Contact) -> None:
    assert turn(maria, "stop texting me, and no section 8 people in my house") == "lead opted out"
    assert tags_added(maria) == {"TCPA-Opt-Out", "AI-Off", "Fair-Housing-Alert"}
    assert len(sms_bodies(maria)) == 1
    assert set(ComplianceEvent.objects.filter(contact=maria).values_list("kind", flat=True)) == {
        "opt_out", "fair_housing"}


def test_a_deletion_request_in_suggest_mode_is_still_acknowledged_at_once(maria: Contact) -> None:
    maria.location.bot_settings = {"mode": "suggest"}
    maria.location.save()
    assert turn(maria, "delete my data please") == "deletion request acknowledged"
    assert "45 days" in sms_bodies(maria)[0]


def test_the_texts_are_per_location(maria: Contact) -> None:
    maria.location.bot_settings = {"texts": {"respa_answer": ["Our lawyer's wording: you choose your own lender."]}}
    maria.location.save()
    turn(maria, "do you pay referral fees?")
    assert sms_bodies(maria) == ["Our lawyer's wording: you choose your own lender."]


def test_claude_never_reads_a_screened_text_but_reads_one_the_screen_passes(
    fake_anthropic: FakeAnthropic, maria: Contact
) -> None:
    # given Claude is on for the location
    maria.tags = ["Buyer-Lead"]
    maria.save()

    # when screened texts arrive
    for text in ("I don't want to sell to a family with kids, they'll wreck it", "how did you get my number",
                 "do I have to use your lender?", "are you a bot?",
                 # long enough that Claude would be asked, were they not screened
                 "how did you get my number, I never signed up for anything from you people at all",
                 "do I have to use your lender or can I pick my own, we have a guy at the credit union",
                 "can I talk to Jorge about it, we would sell the house on Oak street this spring"):
        turn(maria, text)

    # then Claude read none of them
    assert fake_anthropic.message_requests("reading") == []

    # and a text the screen passes is read by Claude as before
    maria.refresh_from_db()
    maria.tags = ["Buyer-Lead"]
    maria.save()
    turn(maria, "ya so we were thinking maybe somewhere up in the hills, not sure yet, still talking it over tbh")
    assert fake_anthropic.message_requests("reading")
