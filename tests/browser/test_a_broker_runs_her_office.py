"""Issue 16's walk through the console, in headless Chromium, as a broker and not the installation's owner: Alice of
Alpha Realty (Chicago) signs in through the real form, reads her leads in her own time with a New York lead's time
beside it, changes a bot setting through the settings form, connects her second office with its GHL token (the fake
GHL, a real HTTP server), and finds her actions in the audit list."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from audit.models import AuditAction, AuditEntry
from leads.models import Contact, Conversation, Location, LocationMembership, MemberRole, Message
from tests.browser.conftest import Console
from tests.fakes.ghl import FakeGHL

# 8:05 PM in New York on a winter evening: 7:05 PM in Chicago.
EVENING = dt.datetime(2026, 12, 8, 1, 5, tzinfo=dt.UTC)
SECOND_OFFICE = "AlphaNorthOffice001"
TOKEN = "pit-alpha-north-7c1d-secret"


@pytest.fixture
def second_office_on_ghl(settings: Any) -> Iterator[FakeGHL]:
    with FakeGHL(api_token=TOKEN, location_id=SECOND_OFFICE) as fake:
        fake.location_name = "Alpha Realty North"
        fake.location_timezone = "America/Chicago"
        fake.calendars.append({"id": "cal_north", "name": "North office calls", "isActive": True})
        settings.GHL_API_BASE_URL = fake.url
        yield fake


@pytest.mark.django_db(transaction=True)
def test_a_broker_runs_her_office_from_the_console(
    live_server: Any, page: Any, console: Console, screenshot: Any, alpha_broker: Any, alpha_realty: Location,
    second_office_on_ghl: FakeGHL,
) -> None:
    nora = Contact.objects.create(location=alpha_realty, ghl_id="NewYorkLead00000002", first_name="Nora",
                                  timezone="America/New_York")
    conversation = Conversation.objects.create(contact=nora, last_inbound_at=EVENING)
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="Call me tonight",
                           sent_at=EVENING)

    # given: Alice signs in through the form
    page.goto(f"{live_server.url}/admin/login/?next=/admin/leads/contact/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-password")
    page.click("input[type=submit]")

    # then: her leads read in Chicago time, and Nora's page puts Nora's own clock beside it
    page.wait_for_selector("#result_list")
    assert page.text_content("#time-zone-link").startswith("Times in America/Chicago")
    assert page.inner_text("#result_list .field-last_reply") == "Dec 07, 19:05 CST"
    page.click("#result_list >> text=Nora")
    assert "(8:05 PM the lead's time)" in page.inner_text("#transcript .jb-bubble")
    screenshot("office-1-lead-page")

    # when: she lowers the daily cap on the bot settings form, first typing one the form refuses
    page.goto(f"{live_server.url}/admin/leads/location/{alpha_realty.pk}/bot-settings/")
    page.fill("#id_daily_message_cap", "40")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert "25" in page.inner_text(".field-daily_message_cap .errorlist")
    alpha_realty.refresh_from_db()
    assert "daily_message_cap" not in alpha_realty.bot_settings
    page.fill("#id_daily_message_cap", "10")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")

    # then: the location keeps it
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings["daily_message_cap"] == 10
    screenshot("office-2-settings-saved")

    # when: she connects her second office with its token and picks its calendar
    page.goto(f"{live_server.url}/admin/leads/location/")
    page.click("#connect-location")
    page.fill("#id_location_id", SECOND_OFFICE)
    page.fill("#id_token", TOKEN)
    with page.expect_navigation():
        page.click("#token-form input[type=submit]")
    page.get_by_label("North office calls").check()
    with page.expect_navigation():
        page.click("#calendar-form input[type=submit]")

    # then: it is listed, connected, and she is its broker
    row = page.locator("#result_list tbody tr", has_text="Alpha Realty North")
    assert "Private Integration token" in row.inner_text()
    north = Location.objects.get(id=SECOND_OFFICE)
    assert (north.api_token, north.calendar_id) == (TOKEN, "cal_north")
    assert LocationMembership.objects.get(location=north).user == alpha_broker
    assert LocationMembership.objects.get(location=north).role == MemberRole.BROKER
    screenshot("office-3-connected")

    # and the audit list names her for the settings she changed, with what changed
    page.goto(f"{live_server.url}/admin/audit/auditentry/")
    page.click(f"#changelist-filter >> text={AuditAction.SETTINGS_CHANGED.label}")
    page.wait_for_url(f"**action__exact={AuditAction.SETTINGS_CHANGED.value}**")
    listed = page.inner_text("#result_list")
    assert "alice" in listed and alpha_realty.name in listed
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED, location=alpha_realty)
    assert entry.user == alpha_broker
    assert TOKEN not in page.content()
    assert AuditEntry.objects.filter(location=north, user=alpha_broker).exists()
    screenshot("office-4-audit")
    assert console.errors == []
