"""The inbound screen end to end: signed webhooks → PostgreSQL → a real Celery worker → the fake GHL. Each sampled
class gets its reply, its tags and its compliance log row, and nothing in the text is kept as an answer."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from bots.models import ComplianceEvent
from leads.models import Contact, Conversation, Location, OutboxMessage
from tests.conftest import PostWebhook, WorkerProcess, wait_for
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL

pytestmark = pytest.mark.worker


@dataclass(frozen=True)
class Case:
    text: str
    tags: list[str]  # the lead's GHL tags before the text
    says: str  # the reply contains this
    adds: set[str]  # tags written to GHL
    logged: set[str]  # compliance log classes
    protected: str = ""


CASES = [
    Case("I don't want to sell to a family with kids, they'll wreck it", ["Needs Qualifying"],
         "fair housing law", {"Fair-Housing-Alert"}, {"fair_housing"}, "familial_status"),
    Case("somewhere without section 8 people and not a lot of black families", ["Buyer-Lead"],
         "fair housing law", {"Fair-Housing-Alert"}, {"fair_housing"}, "source_of_income"),
    Case("delete my data please", [], "45 days", {"CCPA-Deletion-Request", "AI-Off"}, {"deletion"}),
    Case("how did you get my number??", [], "Zillow", set(), {"consent_dispute"}),
    Case("will you pay me if I refer my brother?", ["Buyer-Lead"], "free to choose any lender", set(), {"respa"}),
    Case("ya no me escriban", [], "Ya no recibirá mensajes", {"TCPA-Opt-Out", "AI-Off"}, {"opt_out"}),
    Case("seriously is this AI or a real person", ["Buyer-Lead"], "AI assistant", set(), {"bot_question"}),
]


def ghl_knows(fake: FakeGHL, contact_id: str, number: int, tags: list[str]) -> None:
    fake.contacts[contact_id] = {
        "id": contact_id, "locationId": ghl_events.LOCATION_ID, "firstName": f"Lead{number}", "lastName": "Screen",
        "phone": f"+1512557{number:04d}", "tags": tags, "timezone": "America/Chicago", "source": "Zillow",
    }


def test_screened_texts_get_their_reply_tags_and_log_row_through_a_real_worker(
    celery_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook
) -> None:
    # given leads GHL knows, one per sampled class
    ids = [f"ScreenE2eLead{number:07d}" for number in range(len(CASES))]
    for number, (contact_id, case) in enumerate(zip(ids, CASES, strict=True)):
        ghl_knows(fake_ghl, contact_id, number, case.tags)

    # when each texts, through a signed webhook
    for number, (contact_id, case) in enumerate(zip(ids, CASES, strict=True)):
        response = post_webhook(ghl_events.inbound_message(
            body=case.text, contact_id=contact_id, conversation_id=f"ScreenE2eConvo{number:06d}",
            phone=f"+1512557{number:04d}"))
        assert response.status_code == 200

    # then each gets exactly its reply, its tags in GHL and its log row, and no answer is kept
    wait_for(lambda: all(fake_ghl.sms_sent(contact_id) for contact_id in ids), timeout=60)
    wait_for(lambda: not OutboxMessage.objects.filter(status__in=["pending", "sending"]).exists(), timeout=60)
    for contact_id, case in zip(ids, CASES, strict=True):
        [reply] = fake_ghl.sms_sent(contact_id)
        assert case.says.lower() in reply.lower(), (case.text, reply)
        assert set(fake_ghl.tags_added(contact_id)) == case.adds, case.text
        contact = Contact.objects.get(ghl_id=contact_id)
        events = ComplianceEvent.objects.filter(contact=contact)
        assert {event.kind for event in events} == case.logged, case.text
        assert all(event.text == case.text for event in events)
        if case.protected:
            assert events.get(kind="fair_housing").protected_class == case.protected
        state = Conversation.objects.get(contact=contact).state
        assert all(value in (None, [], "") for part in ("seller", "buyer") for value in state[part].values()), case
    fair_housing_leads = [i for i, case in zip(ids, CASES, strict=True) if "fair_housing" in case.logged]
    assert all(fake_ghl.notes_added(contact_id) for contact_id in fair_housing_leads)
