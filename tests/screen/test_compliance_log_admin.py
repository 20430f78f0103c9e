"""The compliance log in the admin: each location's caught requests shown to that location's brokers only, with
filters by class and location, and on the lead's page."""
from __future__ import annotations

from typing import Any

from django.test import Client

from bots.models import ComplianceEvent
from leads.models import Contact

CHANGELIST = "/admin/bots/complianceevent/"


def caught(contact: Contact, kind: str, text: str, protected: str = "") -> ComplianceEvent:
    return ComplianceEvent.objects.create(
        location_id=contact.location_id, contact=contact, kind=kind, protected_class=protected, text=text,
        action="fair housing request refused", idempotency_key=f"test:{contact.pk}:{kind}:{text}",
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_broker_sees_only_their_own_locations_log(
    alpha_broker: Any, beta_broker: Any, maria: Contact, beta_lead: Contact
) -> None:
    caught(maria, "fair_housing", "no section 8 families please", "source_of_income")
    caught(beta_lead, "deletion", "delete my data")

    alpha_page = signed_in(alpha_broker).get(CHANGELIST).content.decode()
    beta_page = signed_in(beta_broker).get(CHANGELIST).content.decode()

    assert "no section 8 families please" in alpha_page and "delete my data" not in alpha_page
    assert "delete my data" in beta_page and "no section 8 families please" not in beta_page


def test_a_broker_cannot_open_another_locations_entry(alpha_broker: Any, beta_lead: Contact) -> None:
    other = caught(beta_lead, "deletion", "delete my data")
    response = signed_in(alpha_broker).get(f"{CHANGELIST}{other.pk}/change/")
    assert response.status_code in (302, 403, 404)
    assert b"delete my data" not in response.content


def test_an_agent_does_not_see_the_log(alpha_agent: Any, maria: Contact) -> None:
    caught(maria, "fair_housing", "whites only", "race")
    response = signed_in(alpha_agent).get(CHANGELIST)
    assert response.status_code == 403


def test_the_list_filters_by_class(alpha_broker: Any, maria: Contact) -> None:
    caught(maria, "fair_housing", "whites only", "race")
    caught(maria, "respa", "do you pay referral fees?")
    page = signed_in(alpha_broker).get(CHANGELIST, {"kind": "respa"}).content.decode()
    assert "do you pay referral fees?" in page and "whites only" not in page
    page = signed_in(alpha_broker).get(CHANGELIST, {"protected_class": "race"}).content.decode()
    assert "whites only" in page and "do you pay referral fees?" not in page


def test_the_owner_filters_by_location(owner: Any, maria: Contact, beta_lead: Contact) -> None:
    caught(maria, "fair_housing", "whites only", "race")
    caught(beta_lead, "deletion", "delete my data")
    page = signed_in(owner).get(CHANGELIST, {"location": beta_lead.location_id}).content.decode()
    assert "delete my data" in page and "whites only" not in page


def test_the_leads_page_shows_its_log_to_the_broker_and_not_to_the_agent(
    alpha_broker: Any, alpha_agent: Any, maria: Contact
) -> None:
    caught(maria, "fair_housing", "no kids please", "familial_status")
    url = f"/admin/leads/contact/{maria.pk}/change/"
    broker_page = signed_in(alpha_broker).get(url).content.decode()
    agent_page = signed_in(alpha_agent).get(url).content.decode()
    assert 'id="compliance"' in broker_page and "no kids please" in broker_page and "familial status" in broker_page
    assert 'id="compliance"' not in agent_page


def test_nobody_writes_the_log_by_hand(alpha_broker: Any, maria: Contact) -> None:
    entry = caught(maria, "respa", "do you pay referral fees?")
    client = signed_in(alpha_broker)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    client.post(f"{CHANGELIST}{entry.pk}/change/", {"text": "edited"})
    entry.refresh_from_db()
    assert entry.text == "do you pay referral fees?"


def test_erasing_a_lead_keeps_the_record_of_each_request_but_not_the_leads_words(maria: Contact) -> None:
    from leads.privacy import erase_contact

    entry = caught(maria, "deletion", "delete my data, I live at 12 Oak Ct")
    erased = erase_contact(maria)
    entry.refresh_from_db()
    assert (entry.kind, entry.text, erased.compliance_texts) == ("deletion", "", 1)
