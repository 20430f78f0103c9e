"""A broker signs in through the real form in headless Chromium, pauses a lead's bot from the lead's page, reads on
that page who did it, and finds the entry in the audit list filtered by the action."""
from __future__ import annotations

from typing import Any

import pytest

from leads.models import Contact, Location
from tests.browser.conftest import Console


@pytest.mark.django_db(transaction=True)
def test_a_broker_finds_the_audit_entry_of_a_pause(
    live_server: Any, page: Any, console: Console, screenshot: Any, alpha_broker: Any, alpha_realty: Location
) -> None:
    maria = Contact.objects.create(location=alpha_realty, ghl_id="AuditTrailLead00001", first_name="Maria",
                                   last_name="Lopez")

    # given: Alice of Alpha Realty signs in through the form and opens Maria's page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/leads/contact/{maria.pk}/change/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#audit")
    assert "Nobody has acted on this lead yet." in page.inner_text("#audit")

    # when: she pauses the bot from the page
    page.click("#pause-bot")

    # then: the page says who paused it, through what
    page.wait_for_selector("#resume-bot")
    row = page.inner_text("#audit tr[data-action=paused]")
    assert "alice" in row and "Paused the bot" in row and "until resumed" in row and "Admin page" in row
    screenshot("audit-1-lead-page")

    # and the audit list, filtered by the action, finds it
    page.goto(f"{live_server.url}/admin/audit/auditentry/")
    page.click("#changelist-filter >> text=Paused the bot")
    page.wait_for_url("**action__exact=paused**")
    listed = page.inner_text("#result_list")
    assert "alice" in listed and f"Lead {maria.pk}" in listed and "Maria" not in listed
    screenshot("audit-2-list")
    assert console.errors == []
