"""The dashboard's date range and location picker in headless Chromium: every choice lands in the address, the
custom dates show only for a custom range, and a tile opens the leads it counts."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from leads.models import Contact, Location, LocationMembership
from tests.browser.conftest import Console


def asked(url: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.mark.django_db(transaction=True)
def test_a_broker_picks_days_and_a_location_and_opens_a_tile(
    live_server: Any, page: Any, console: Console, screenshot: Any, alpha_broker: Any, alpha_realty: Location,
    beta_homes: Location,
) -> None:
    LocationMembership.objects.create(user=alpha_broker, location=beta_homes, role="broker")
    now = timezone.now()
    for number, (location, days_ago) in enumerate(
        [(alpha_realty, 0), (alpha_realty, 3), (alpha_realty, 20), (alpha_realty, 60), (beta_homes, 2)]
    ):
        contact = Contact.objects.create(location=location, ghl_id=f"Picker{number}", first_name=f"Lead{number}",
                                         status="appointment" if number % 2 else "new")
        Contact.objects.filter(pk=contact.pk).update(created_at=now - dt.timedelta(days=days_ago, minutes=5))

    # given: the broker signs in, on the default 30 days of all her locations
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "alice-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard-filters")
    assert page.input_value("#dashboard-range") == "30d" and page.input_value("#dashboard-location") == ""
    assert page.is_hidden("[data-custom-range]"), "the dates show for a custom range only"
    assert page.inner_text("#tile-new-leads .jb-figure") == "4"

    # when: she picks the past 7 days, the page shows them at once, and says so in its address
    with page.expect_navigation():
        page.select_option("#dashboard-range", "7d")
    assert asked(page.url) == {"range": "7d"}
    assert page.inner_text("#tile-new-leads .jb-figure") == "3"

    # and one location
    with page.expect_navigation():
        page.select_option("#dashboard-location", beta_homes.pk)
    assert asked(page.url) == {"range": "7d", "location": beta_homes.pk}
    assert page.inner_text("#tile-new-leads .jb-figure") == "1"

    # and a custom range over all her locations again
    with page.expect_navigation():
        page.select_option("#dashboard-location", "")
    page.select_option("#dashboard-range", "custom")
    assert page.is_visible("[data-custom-range]")
    today = timezone.localdate(now, dt.UTC)
    page.fill("input[name=from]", (today - dt.timedelta(days=30)).isoformat())
    page.fill("input[name=to]", today.isoformat())
    with page.expect_navigation():
        page.click("#dashboard-filters button[type=submit]")
    assert asked(page.url) == {"range": "custom", "from": (today - dt.timedelta(days=30)).isoformat(),
                               "to": today.isoformat()}
    assert page.inner_text("#tile-new-leads .jb-figure") == "4"
    screenshot("dashboard-custom-range")

    # then: the booked-calls tile opens exactly the leads it counts
    booked = int(page.inner_text("#tile-booked .jb-figure"))
    page.click("#tile-booked")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == booked == 1
    assert re.search(r"created_from=.*created_to=.*status__exact=appointment", page.url)
    assert console.errors == []
