"""A broker in Los Angeles signs in through the real form in headless Chromium, reads a New York lead's texts in
Pacific time with the lead's own beside them, is refused a mistyped zone, and picks Chicago from the user menu."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from leads.models import Contact, Conversation, Location, Message
from tests.browser.conftest import Console

# 8:05 PM in New York on a winter evening: 5:05 PM in Los Angeles, 7:05 PM in Chicago.
EVENING = dt.datetime(2026, 12, 8, 1, 5, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_a_broker_reads_local_times_and_changes_her_zone(
    live_server: Any, page: Any, console: Console, screenshot: Any, beta_broker: Any, beta_homes: Location
) -> None:
    nora = Contact.objects.create(location=beta_homes, ghl_id="NewYorkLead00000001", first_name="Nora",
                                  timezone="America/New_York")
    conversation = Conversation.objects.create(contact=nora, last_inbound_at=EVENING)
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="Call me tonight",
                           sent_at=EVENING)

    # given: Charlie of Beta Homes (Los Angeles) signs in through the form
    page.goto(f"{live_server.url}/admin/login/?next=/admin/leads/contact/")
    page.fill("#id_username", "charlie")
    page.fill("#id_password", "charlie-password")
    page.click("input[type=submit]")

    # then: the list reads in Pacific time, and the user menu says so
    page.wait_for_selector("#result_list")
    assert page.text_content("#time-zone-link").startswith("Times in America/Los_Angeles")
    assert page.inner_text("#result_list .field-last_reply") == "Dec 07, 17:05 PST"

    # and Nora's texts carry her own time beside his
    page.click("#result_list >> text=Nora")
    bubble = page.inner_text("#transcript .jb-bubble")
    assert "Dec 7, 5:05 PM PST" in bubble and "(8:05 PM the lead's time)" in bubble
    screenshot("local-times-1-lead-page")

    # when: he mistypes a zone in his preferences, he is told, and nothing changes
    page.click("#time-zone-link")
    page.fill("#id_time_zone", "Chicago")
    page.click("#time-zone-form input[type=submit]")
    assert "is not a time zone we know" in page.inner_text("#time-zone-form .errorlist")

    # and picks Chicago
    page.fill("#id_time_zone", "America/Chicago")
    page.click("#time-zone-form input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert "Saved: times show in America/Chicago." in page.inner_text(".messagelist")

    # then: the list reads in Chicago time
    page.goto(f"{live_server.url}/admin/leads/contact/")
    assert page.inner_text("#result_list .field-last_reply") == "Dec 07, 19:05 CST"
    assert page.text_content("#time-zone-link").startswith("Times in America/Chicago")
    screenshot("local-times-2-chicago")
    assert console.errors == []
