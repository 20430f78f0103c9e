"""Every user reads times in their own zone (their choice, else their location's), labelled; where the lead's clock
matters (texts, follow-ups, quiet hours, a booked call) the lead's own time stands beside it. Charlie runs Beta Homes
in Los Angeles; Alice runs Alpha Realty in Chicago."""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from cachalot.api import cachalot_disabled
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bots.models import FollowUp
from console.preferences import UnknownTimeZone, choose_time_zone
from leads.models import Contact, Conversation, Location, LocationMembership, OutboxMessage, UserPreferences
from tests.admin.conftest import AdminAs, lead, thread

LIST = "/admin/leads/contact/"
PREFERENCES = "/admin/preferences/"
# 8:05 PM in New York on a winter evening is 5:05 PM in Los Angeles and 7:05 PM in Chicago.
EVENING = dt.datetime(2026, 12, 8, 1, 5, tzinfo=dt.UTC)
# 10:30 PM in Los Angeles is already the next day in New York.
LATE = dt.datetime(2026, 12, 8, 6, 30, tzinfo=dt.UTC)


def page_of(contact: Contact) -> str:
    return f"/admin/leads/contact/{contact.pk}/change/"


def text_of(response: Any) -> str:
    """The page as a reader sees its characters (an apostrophe is &#x27; in the HTML)."""
    return html.unescape(response.content.decode())


def section(page: str, element_id: str) -> str:
    """One box of the lead's page, up to the next."""
    return page.split(f'id="{element_id}"', 1)[1].split('class="module', 1)[0]


@pytest.fixture
def new_yorker(beta_homes: Location) -> Contact:
    """A Beta Homes lead who lives in New York (GHL says so), three hours ahead of her brokerage."""
    return lead(beta_homes, "NewYorkLead00000001", first_name="Nora", phone="+12125550142",
                timezone="America/New_York")


def test_a_broker_in_los_angeles_reads_the_lead_list_and_transcript_in_pacific_time(
    admin_as: AdminAs, beta_broker: Any, beta_lead: Contact
) -> None:
    # given a lead of Beta Homes (Los Angeles) who last texted on a winter evening
    thread(beta_lead, ("lead", "Is it still for sale?", EVENING))
    Conversation.objects.filter(contact=beta_lead).update(last_inbound_at=EVENING)
    browser = admin_as(beta_broker)

    # when Charlie opens the list and the lead's page
    listed = text_of(browser.get(LIST))
    page = text_of(browser.get(page_of(beta_lead)))

    # then both read in Pacific time, labelled, and the menu says so
    assert '<td class="field-last_reply">Dec 07, 17:05 PST</td>' in listed
    assert re.search(r'id="time-zone-link"[^>]*>Times in America/Los_Angeles \(P[SD]T\)</a>', listed)
    assert 'id="time-zone-link"' in text_of(browser.get("/admin/"))  # the dashboard too
    assert "Dec 7, 5:05 PM PST" in section(page, "transcript")
    # a San Diego number: the lead's clock reads the same, so nothing is added
    assert "the lead's time" not in section(page, "transcript")


def test_a_user_who_picks_another_zone_reads_every_time_in_it(
    admin_as: AdminAs, beta_broker: Any, beta_lead: Contact
) -> None:
    thread(beta_lead, ("lead", "Is it still for sale?", EVENING))
    Conversation.objects.filter(contact=beta_lead).update(last_inbound_at=EVENING)
    browser = admin_as(beta_broker)

    saved = browser.post(PREFERENCES, {"time_zone": "America/Chicago"})

    assert saved.status_code == 302
    assert UserPreferences.objects.get(user=beta_broker).time_zone == "America/Chicago"
    assert '<td class="field-last_reply">Dec 07, 19:05 CST</td>' in text_of(browser.get(LIST))
    page = text_of(browser.get(page_of(beta_lead)))
    assert "Dec 7, 7:05 PM CST" in section(page, "transcript")
    assert "5:05 PM the lead's time" in section(page, "transcript")  # the lead is in Los Angeles (area code 619)

    # and leaving it empty goes back to the location's
    browser.post(PREFERENCES, {"time_zone": ""})
    assert '<td class="field-last_reply">Dec 07, 17:05 PST</td>' in text_of(browser.get(LIST))


def test_the_lead_page_shows_the_lead_s_own_time_beside_texts_and_follow_ups(
    admin_as: AdminAs, beta_broker: Any, new_yorker: Contact
) -> None:
    # given a New York lead of a Los Angeles brokerage, with texts and a follow-up
    thread(new_yorker, ("lead", "Call me tonight", EVENING), ("bot", "Will do", LATE))
    FollowUp.objects.create(location=new_yorker.location, contact=new_yorker, cadence="lead", step=1,
                            anchor_at=EVENING, due_at=EVENING + dt.timedelta(days=1))

    page = text_of(admin_as(beta_broker).get(page_of(new_yorker)))

    transcript = section(page, "transcript")
    assert "Dec 7, 5:05 PM PST" in transcript and "(8:05 PM the lead's time)" in transcript
    # past midnight in New York: the lead's day is said too
    assert "Dec 7, 10:30 PM PST" in transcript and "(Dec 8, 1:30 AM the lead's time)" in transcript
    assert 'title="America/New_York"' in transcript
    followups = section(page, "followups")
    assert "Dec 8, 5:05 PM PST" in followups and "(8:05 PM the lead's time)" in followups
    assert re.search(r"America/New_York, from the contact", page)


def test_a_text_held_for_quiet_hours_says_when_it_goes_in_both_clocks(
    admin_as: AdminAs, beta_broker: Any, new_yorker: Contact
) -> None:
    opens = dt.datetime(2026, 12, 8, 13, 0, tzinfo=dt.UTC)  # 8:00 AM in New York
    OutboxMessage.objects.create(
        location=new_yorker.location, contact=new_yorker, kind="sms", idempotency_key="held-for-quiet-hours",
        body="Good morning!", status="deferred", gate_rule="quiet_hours", send_after=opens,
        status_reason="quiet hours: the lead's window is 8:00 to 21:00 (America/New_York, from the contact); "
                      "sends at Dec 08 08:00",
    )

    page = text_of(admin_as(beta_broker).get(page_of(new_yorker)))

    assert "Goes out Dec 8, 5:00 AM PST" in section(page, "outbox")
    assert "(8:00 AM the lead's time)" in section(page, "outbox")
    assert "sends at Dec 08 08:00 (Dec 8, 5:00 AM PST your time)" in page  # the "last text" field


def test_a_booked_call_shows_in_both_clocks(admin_as: AdminAs, beta_broker: Any, new_yorker: Contact) -> None:
    conversation = thread(new_yorker, ("lead", "2", EVENING))
    conversation.state = {"booking": {"status": "booked", "picked": 1, "appointment_id": "appt-1",
                                      "offered": ["2026-12-09T10:00:00-05:00", "2026-12-10T14:00:00-05:00"]}}
    conversation.save()

    booking = section(text_of(admin_as(beta_broker).get(page_of(new_yorker))), "booking")

    assert "Call booked" in booking
    assert "Dec 10, 11:00 AM PST" in booking and "(2:00 PM the lead's time)" in booking
    assert "Dec 9" not in booking  # the time not picked


def test_a_wrong_zone_is_refused_and_the_choice_before_it_kept(admin_as: AdminAs, beta_broker: Any) -> None:
    browser = admin_as(beta_broker)
    browser.post(PREFERENCES, {"time_zone": "America/Denver"})

    refused = browser.post(PREFERENCES, {"time_zone": "Mars/Olympus_Mons"})

    assert refused.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone we know" in text_of(refused)
    assert UserPreferences.objects.get(user=beta_broker).time_zone == "America/Denver"
    with pytest.raises(UnknownTimeZone):
        choose_time_zone(beta_broker, "Pacific Time")


def test_the_preferences_page_says_which_zone_is_shown_and_the_location_s(
    admin_as: AdminAs, alpha_broker: Any
) -> None:
    page = text_of(admin_as(alpha_broker).get(PREFERENCES))

    assert "Times show in <strong>America/Chicago</strong>" in page
    assert "Your location's is America/Chicago." in page
    assert '<option value="Asia/Tokyo">' in page


def test_a_member_of_several_locations_reads_times_in_the_one_they_joined_first(
    admin_as: AdminAs, alpha_broker: Any, beta_homes: Location
) -> None:
    # given Alice, of Alpha Realty (Chicago), who was with Beta Homes (Los Angeles) before
    joined_beta = LocationMembership.objects.create(user=alpha_broker, location=beta_homes, role="agent")
    LocationMembership.objects.filter(pk=joined_beta.pk).update(created_at=timezone.now() - dt.timedelta(days=400))

    page = text_of(admin_as(alpha_broker).get(PREFERENCES))

    assert "Times show in <strong>America/Los_Angeles</strong>" in page


def test_a_chosen_zone_zoneinfo_no_longer_knows_falls_back_to_the_location_s(
    admin_as: AdminAs, alpha_broker: Any
) -> None:
    # a name kept before a tzdata upgrade dropped it
    UserPreferences.objects.create(user=alpha_broker, time_zone="America/Nowhere")

    assert "Times show in <strong>America/Chicago</strong>" in text_of(admin_as(alpha_broker).get(PREFERENCES))


def test_the_install_s_owner_reads_times_in_its_ghl_location_s_zone(
    admin_as: AdminAs, owner: Any, alpha_realty: Location, settings: Any
) -> None:
    settings.GHL_LOCATION_ID = ""
    assert "Times show in <strong>UTC</strong>" in text_of(admin_as(owner).get(PREFERENCES))

    settings.GHL_LOCATION_ID = alpha_realty.pk
    assert "Times show in <strong>America/Chicago</strong>" in text_of(admin_as(owner).get(PREFERENCES))


def test_the_zone_ends_with_the_request(admin_as: AdminAs, beta_broker: Any) -> None:
    admin_as(beta_broker).get(LIST)

    assert timezone.get_current_timezone_name() == "UTC"


def test_the_api_keeps_utc_whatever_zone_the_user_reads_the_admin_in(
    admin_as: AdminAs, beta_broker: Any, beta_lead: Contact
) -> None:
    choose_time_zone(beta_broker, "Asia/Tokyo")

    leads = admin_as(beta_broker).get("/api/v1/leads/").json()["results"]

    assert leads[0]["created_at"].endswith("Z")


def test_local_times_cost_no_query_on_the_list_or_the_lead_page(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    # given two leads alike but for where they live: one in the brokerage's zone, one in New York
    def lead_with_a_booking(ghl_id: str, zone: str) -> Contact:
        contact = lead(alpha_realty, ghl_id, timezone=zone)
        conversation = thread(contact, *[("lead" if n % 2 else "bot", f"text {n}", EVENING) for n in range(30)])
        conversation.state = {"booking": {"status": "offered", "offered": ["2026-12-09T10:00:00-05:00"]}}
        conversation.save()
        FollowUp.objects.create(location=alpha_realty, contact=contact, cadence="lead", step=1, anchor_at=EVENING,
                                due_at=EVENING)
        return contact

    near, far = lead_with_a_booking("NearbyLead00000001", ""), lead_with_a_booking("FarAwayLead0000001",
                                                                                   "America/New_York")
    browser = admin_as(alpha_agent)

    def queries(url: str) -> tuple[int, str]:
        with cachalot_disabled(), CaptureQueriesContext(connection) as captured:
            page = text_of(browser.get(url))
        return len(captured), page

    # when the agent reads the list and the near lead in her location's zone, then chooses Los Angeles and reads the
    # list and the far lead
    list_before, _ = queries(LIST)
    page_before, near_page = queries(page_of(near))
    choose_time_zone(alpha_agent, "America/Los_Angeles")
    list_after, _ = queries(LIST)
    page_after, far_page = queries(page_of(far))

    # then her zone and the lead's cost nothing more (the budgets: tests/admin/test_lead_list.py, test_contact_page.py)
    assert "the lead's time" not in section(near_page, "booking") and "CST" in section(near_page, "booking")
    assert "the lead's time" in section(far_page, "booking") and "PST" in section(far_page, "booking")
    assert (list_after, page_after) == (list_before, page_before)
    assert list_after == 5
