"""The audit trail in the admin: every broker action (a list action, a button on the lead page, a form saved, a
deletion) is recorded with who, when, through what and what changed; the lead page and the audit list show it,
each broker only their own locations'."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from analytics.models import ScoreOverride
from audit.models import AuditAction, AuditEntry, Channel
from audit.services import Actor, record_action
from bots import drafts
from bots.models import Draft, DraftStatus
from console import audit_trail, broker_actions
from leads.models import Contact, Location, LocationMembership, OutboxMessage
from tests.admin.conftest import AdminAs
from tests.admin.test_bot_settings_form import as_posted
from tests.admin.test_connect_location_admin import CONNECT, NEW_LOCATION, TOKEN, ghl  # noqa: F401 (a fixture)
from tests.api.conftest import listing

LIST = "/admin/leads/contact/"
AUDIT = "/admin/audit/auditentry/"


def page_of(contact: Contact) -> str:
    return f"/admin/leads/contact/{contact.pk}/change/"


def the_entry(**lookup: Any) -> AuditEntry:
    return AuditEntry.objects.get(**lookup)


def pending_draft(contact: Contact, body: str = "Great. What is the address of the home?") -> Draft:
    return Draft.objects.create(location=contact.location, contact=contact, bot="seller", body=body,
                                idempotency_key=f"draft:{contact.pk}:{body}")


# -- each entry point records who, when, through what and what changed ----------------------------------------


def test_a_list_action_records_each_lead_with_who_when_and_through_what(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    before = timezone.now()

    admin_as(alpha_agent).post(LIST, {"action": "pause_bot", "_selected_action": [maria.pk]})

    entry = the_entry(lead=maria)
    assert (entry.action, entry.channel) == (AuditAction.PAUSED, Channel.ADMIN_ACTION)
    assert entry.user == alpha_agent and entry.username == alpha_agent.username
    assert entry.location_id == maria.location_id and entry.summary == "until resumed"
    assert before <= entry.created_at <= timezone.now()


def test_a_button_on_the_lead_page_is_recorded_as_the_admin_page(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    browser = admin_as(alpha_agent)

    browser.post(f"/admin/leads/contact/{maria.pk}/pause/")
    browser.post(f"/admin/leads/contact/{maria.pk}/resume/")
    browser.post(f"/admin/leads/contact/{maria.pk}/hand-to-human/")

    entries = AuditEntry.objects.filter(lead=maria).order_by("id")
    assert [(entry.action, entry.channel) for entry in entries] == [
        (AuditAction.PAUSED, Channel.ADMIN), (AuditAction.RESUMED, Channel.ADMIN),
        (AuditAction.HANDED_TO_HUMAN, Channel.ADMIN),
    ]


def test_an_action_that_changes_nobody_records_nothing(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact, beta_lead: Contact
) -> None:
    # a lead of another location is out of the action's reach, and a lead with nothing parked is not retried
    browser = admin_as(alpha_agent)
    browser.post(LIST, {"action": "pause_bot", "_selected_action": [beta_lead.pk]})
    browser.post(LIST, {"action": "retry_parked_turns", "_selected_action": [maria.pk]})

    assert not AuditEntry.objects.exists()


def test_a_status_change_saved_on_the_lead_page_records_before_and_after(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    admin_as(alpha_agent).post(page_of(maria), {"status": "qualified", "bot_paused_until_0": "",
                                                "bot_paused_until_1": ""})

    entry = the_entry(lead=maria)
    assert (entry.action, entry.channel, entry.user) == (AuditAction.STATUS_CHANGED, Channel.ADMIN, alpha_agent)
    assert entry.changes == {"status": ["new", "qualified"]}
    assert entry.summary == f"Contact {maria.pk}: status"  # her number, never her name


def test_saving_the_lead_page_unchanged_records_nothing(admin_as: AdminAs, alpha_agent: Any, maria: Contact) -> None:
    admin_as(alpha_agent).post(page_of(maria), {"status": "new", "bot_paused_until_0": "",
                                                "bot_paused_until_1": ""})

    assert not AuditEntry.objects.exists()


def test_a_location_settings_change_records_each_field_and_never_the_token(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    response = admin_as(alpha_broker).post(
        f"/admin/leads/location/{alpha_realty.pk}/change/",
        {"name": alpha_realty.name, "timezone": "America/Denver", "calendar_id": "", "sending_paused": "on",
         "bot_settings": "{}", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 302
    entry = the_entry(location=alpha_realty)
    assert (entry.action, entry.user) == (AuditAction.SETTINGS_CHANGED, alpha_broker)
    assert entry.changes["sending_paused"] == [False, True]
    assert entry.changes["timezone"] == ["America/Chicago", "America/Denver"]
    assert "alpha-token" not in json.dumps(entry.changes) + entry.summary


def test_bot_settings_saved_on_their_page_are_recorded_setting_by_setting(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    Location.objects.filter(pk=alpha_realty.pk).update(bot_settings={"daily_message_cap": 20})
    browser = admin_as(alpha_broker)
    page = f"/admin/leads/location/{alpha_realty.pk}/bot-settings/"
    shown = browser.get(page)

    browser.post(page, as_posted(shown, "save", {"daily_message_cap": "12", "agent_name": "Ana"}))
    browser.post(page, as_posted(browser.get(page), "try", {"daily_message_cap": "3"}))  # trying keeps nothing

    entry = the_entry(location=alpha_realty)
    assert (entry.action, entry.channel, entry.user) == (AuditAction.SETTINGS_CHANGED, Channel.ADMIN, alpha_broker)
    assert entry.changes == {"bot_settings.agent_name": [None, "Ana"], "bot_settings.daily_message_cap": [20, 12]}


def test_a_replaced_token_is_recorded_as_replaced_never_by_value(alpha_broker: Any, alpha_realty: Location) -> None:
    location = Location.objects.get(pk=alpha_realty.pk)
    audit_trail.remember_stored_values(location)
    location.api_token = "pit-new-token"
    location.save()

    audit_trail.record_save(Actor(alpha_broker, Channel.ADMIN), location, added=False, location_id=location.pk)

    entry = the_entry(location=alpha_realty)
    assert entry.changes == {"api_token": ["(hidden)", "(replaced)"]}
    assert "alpha-token" not in entry.summary and "pit-new-token" not in entry.summary


def test_a_new_member_added_on_the_location_page_is_recorded(
    admin_as: AdminAs, owner: Any, alpha_realty: Location
) -> None:
    newcomer = get_user_model().objects.create_user("newcomer", password="x")

    response = admin_as(owner).post(
        f"/admin/leads/location/{alpha_realty.pk}/change/",
        {"name": alpha_realty.name, "timezone": alpha_realty.timezone, "calendar_id": "", "bot_settings": "{}",
         "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
         "memberships-0-user": str(newcomer.pk), "memberships-0-role": "agent"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert LocationMembership.objects.filter(user=newcomer, location=alpha_realty).exists()
    entry = the_entry(action=AuditAction.MEMBER_ADDED)
    assert entry.location_id == alpha_realty.pk and entry.user == owner and entry.changes["role"] == [None, "agent"]


def test_a_listing_deleted_in_the_admin_is_recorded_before_it_goes(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    gone = listing(alpha_realty, "ALPHA0009")

    admin_as(alpha_broker).post(f"/admin/leads/property/{gone.pk}/delete/", {"post": "yes"})

    entry = the_entry(action=AuditAction.DELETED)
    assert (entry.location_id, entry.channel, entry.summary) == (alpha_realty.pk, Channel.ADMIN,
                                                                 "Property 123 Main St, Rancho Cucamonga")


def test_approving_a_draft_with_an_edit_records_both_texts(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    draft = pending_draft(maria)

    admin_as(alpha_agent).post(f"/admin/bots/draft/{draft.pk}/change/",
                               {"text": "Great, which street is the home on?"})

    entry = the_entry(action=AuditAction.DRAFT_APPROVED)
    assert (entry.lead, entry.user, entry.channel) == (maria, alpha_agent, Channel.ADMIN)
    assert entry.changes == {"text": ["Great. What is the address of the home?", "Great, which street is the home on?"]}
    assert not AuditEntry.objects.exclude(pk=entry.pk).exists()  # the form's save adds no second entry


def test_discarding_drafts_from_the_list_records_each(admin_as: AdminAs, alpha_agent: Any, maria: Contact) -> None:
    draft = pending_draft(maria)

    admin_as(alpha_agent).post("/admin/bots/draft/", {"action": "discard", "_selected_action": [draft.pk]})

    entry = the_entry(action=AuditAction.DRAFT_DISCARDED)
    assert (entry.lead, entry.channel, entry.summary) == (maria, Channel.ADMIN_ACTION, f"draft {draft.pk}")


def test_a_score_set_and_cleared_in_the_admin_is_recorded_without_its_reason(
    admin_as: AdminAs, alpha_broker: Any, maria: Contact
) -> None:
    browser = admin_as(alpha_broker)
    browser.post("/admin/analytics/scoreoverride/add/",
                 {"contact": maria.pk, "score": 91, "reason": "Maria is pre-approved with our lender"})
    override = ScoreOverride.objects.get(contact=maria)

    browser.post(f"/admin/analytics/scoreoverride/{override.pk}/delete/", {"post": "yes"})

    set_by_hand, cleared = AuditEntry.objects.order_by("id")
    assert (set_by_hand.action, set_by_hand.lead, set_by_hand.user) == (AuditAction.SCORE_OVERRIDDEN, maria,
                                                                       alpha_broker)
    assert set_by_hand.changes["score"] == [None, 91] and "Maria" not in set_by_hand.summary
    assert (cleared.action, cleared.lead, cleared.summary) == (AuditAction.SCORE_OVERRIDE_CLEARED, maria,
                                                               f"Score of lead {maria.pk} set by hand")


def test_a_refused_action_records_nothing(alpha_agent: Any, maria: Contact) -> None:
    # a draft already decided: bots.drafts refuses it, and the entry goes with the rolled-back work
    draft = pending_draft(maria)
    Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.DISCARDED)

    with pytest.raises(drafts.DraftNotPending):
        broker_actions.approve_draft(draft.pk, by=Actor(alpha_agent, Channel.API))

    assert not AuditEntry.objects.exists()


def test_retrying_a_failed_write_is_recorded_on_its_lead(
    admin_as: AdminAs, alpha_broker: Any, maria: Contact
) -> None:
    row = OutboxMessage.objects.create(location=maria.location, contact=maria, kind="sms", idempotency_key="failed",
                                       body="Hi", status="failed")

    admin_as(alpha_broker).post("/admin/leads/outboxmessage/", {"action": "retry_deliveries",
                                                                "_selected_action": [row.pk]})

    entry = the_entry(action=AuditAction.RETRIED_DELIVERY)
    assert (entry.lead, entry.user, entry.summary) == (maria, alpha_broker, f"write(s) {row.pk}")


def test_a_new_workflow_secret_is_recorded_without_the_secret(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    page = admin_as(alpha_broker).post("/admin/leads/location/", {"action": "make_workflow_secret",
                                                                  "_selected_action": [alpha_realty.pk]})

    secret = page.context["secret"]
    entry = the_entry(action=AuditAction.WORKFLOW_SECRET_MADE)
    assert entry.location_id == alpha_realty.pk and secret not in entry.summary + json.dumps(entry.changes)


def test_erasing_a_lead_records_who_and_keeps_no_changed_values_about_her(
    admin_as: AdminAs, alpha_broker: Any, maria: Contact
) -> None:
    browser = admin_as(alpha_broker)
    draft = pending_draft(maria, "Hi Maria, what is the address?")
    browser.post(f"/admin/bots/draft/{draft.pk}/change/", {"text": "Hi Maria, which street is it on?"})

    browser.post(LIST, {"action": "export_and_erase", "_selected_action": [maria.pk]})

    erased = the_entry(action=AuditAction.ERASED)
    assert (erased.lead_id, erased.user) == (maria.pk, alpha_broker)
    assert erased.summary.startswith("erased: ") and "Maria" not in erased.summary
    approved = the_entry(action=AuditAction.DRAFT_APPROVED)
    assert approved.user == alpha_broker  # who did what stays, her words go
    assert (approved.changes, approved.summary) == ({}, "")


def test_an_entry_keeps_who_acted_after_their_user_is_deleted(alpha_agent: Any, maria: Contact) -> None:
    broker_actions.pause_bot(Contact.objects.filter(pk=maria.pk), by=Actor(alpha_agent, Channel.API))

    alpha_agent.delete()

    entry = the_entry(lead=maria)
    assert entry.user is None and entry.username == "bob"


# -- showing it ---------------------------------------------------------------------------------------------


def test_the_lead_page_shows_its_entries_newest_first_with_who_when_and_what(
    admin_as: AdminAs, alpha_agent: Any, alpha_broker: Any, maria: Contact
) -> None:
    earlier = record_action(Actor(alpha_broker, Channel.API), AuditAction.STATUS_CHANGED,
                            location_id=maria.location_id, lead=maria, changes={"status": ["new", "contacted"]})
    AuditEntry.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    record_action(Actor(alpha_agent, Channel.ADMIN), AuditAction.PAUSED, location_id=maria.location_id, lead=maria,
                  summary="until resumed")

    page = admin_as(alpha_agent).get(page_of(maria)).content.decode()

    trail = page.split('id="audit"', 1)[1].split("</table>", 1)[0]
    assert trail.index("Paused the bot") < trail.index("Changed the lead&#x27;s status")
    assert "bob" in trail and "alice" in trail and "until resumed" in trail
    assert "status: new &rarr; contacted" in trail and "REST API" in trail


def test_a_broker_of_one_location_never_sees_another_locations_entries(
    admin_as: AdminAs, alpha_broker: Any, beta_broker: Any, maria: Contact, beta_lead: Contact
) -> None:
    ours = record_action(Actor(alpha_broker, Channel.ADMIN), AuditAction.PAUSED, location_id=maria.location_id,
                         lead=maria, summary="alpha's pause")
    theirs = record_action(Actor(beta_broker, Channel.ADMIN), AuditAction.RESUMED,
                           location_id=beta_lead.location_id, lead=beta_lead, summary="beta's resume")
    browser = admin_as(alpha_broker)

    listed = browser.get(AUDIT).content.decode()

    assert "alpha&#x27;s pause" in listed and "beta&#x27;s resume" not in listed
    assert browser.get(f"{AUDIT}{ours.pk}/change/").status_code == 200
    assert browser.get(f"{AUDIT}{theirs.pk}/change/").status_code == 302  # "does not exist", back to the index
    assert '"?who=charlie"' not in listed  # the person filter offers only people of alpha's entries
    assert '"?who=alice"' in listed


def test_install_wide_entries_are_for_superusers_only(
    admin_as: AdminAs, alpha_broker: Any, owner: Any
) -> None:
    record_action(Actor(owner, Channel.ADMIN_ACTION), AuditAction.RETRIED_EVENT, location_id=None,
                  summary="webhook event 7 (InboundMessage)")

    assert "webhook event 7" not in admin_as(alpha_broker).get(AUDIT).content.decode()
    assert "webhook event 7" in admin_as(owner).get(AUDIT).content.decode()


def test_the_audit_list_filters_by_action_person_and_date(
    admin_as: AdminAs, alpha_broker: Any, alpha_agent: Any, maria: Contact
) -> None:
    record_action(Actor(alpha_agent, Channel.ADMIN), AuditAction.PAUSED, location_id=maria.location_id, lead=maria,
                  summary="agent's pause")
    record_action(Actor(alpha_broker, Channel.ADMIN), AuditAction.RESUMED, location_id=maria.location_id,
                  lead=maria, summary="broker's resume")
    old = record_action(Actor(alpha_broker, Channel.ADMIN), AuditAction.PAUSED, location_id=maria.location_id,
                        lead=maria, summary="last year's pause")
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    browser = admin_as(alpha_broker)

    def listed(query: str) -> set[str]:
        rows = browser.get(f"{AUDIT}?{query}").content.decode().split("<tbody>")[-1]
        return {summary for summary in ("agent&#x27;s pause", "broker&#x27;s resume", "last year&#x27;s pause")
                if summary in rows}

    assert listed("action=paused") == {"agent&#x27;s pause", "last year&#x27;s pause"}
    assert listed("who=alice") == {"broker&#x27;s resume", "last year&#x27;s pause"}
    this_year = timezone.now().year
    assert listed(f"created_at__year={this_year}") == {"agent&#x27;s pause", "broker&#x27;s resume"}


def test_the_audit_list_is_read_only(admin_as: AdminAs, owner: Any, maria: Contact) -> None:
    entry = record_action(Actor(owner, Channel.ADMIN), AuditAction.PAUSED, location_id=maria.location_id, lead=maria)
    browser = admin_as(owner)

    assert browser.get(f"{AUDIT}add/").status_code == 403
    browser.post(f"{AUDIT}{entry.pk}/change/", {"summary": "rewritten"})
    assert browser.post(f"{AUDIT}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.summary == ""


# -- connecting a location, its token and its calendar ------------------------------------------------------------


@pytest.mark.usefixtures("ghl")  # GHL as the new location sees it (tests/admin/test_connect_location_admin.py)
def test_connecting_a_location_replacing_its_token_and_picking_its_calendar_are_recorded(
    admin_as: AdminAs, owner: Any
) -> None:
    browser = admin_as(owner)
    browser.post(CONNECT, {"location_id": NEW_LOCATION, "token": TOKEN, "name": "Gamma"})
    browser.post(f"/admin/leads/location/{NEW_LOCATION}/calendar/", {"calendar": "cal_consults"})
    browser.post(f"/admin/leads/location/{NEW_LOCATION}/token/", {"token": TOKEN})
    browser.post(f"/admin/leads/location/{NEW_LOCATION}/token/", {"token": "pit-revoked"})  # refused: no entry

    connected, calendar, replaced = AuditEntry.objects.filter(location_id=NEW_LOCATION).order_by("id")
    assert (connected.action, connected.user, connected.changes["name"]) == (AuditAction.ADDED, owner, [None, "Gamma"])
    assert connected.changes["api_token"] == ["", "(replaced)"]
    assert (calendar.action, calendar.changes) == (AuditAction.SETTINGS_CHANGED, {"calendar_id": ["", "cal_consults"]})
    assert replaced.action == AuditAction.SETTINGS_CHANGED
    assert replaced.changes["api_token"] == ["(hidden)", "(replaced)"]
    trail = json.dumps([connected.changes, calendar.changes, replaced.changes])
    assert TOKEN not in trail and "pit-revoked" not in trail
