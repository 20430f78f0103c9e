"""The lead export cannot carry a spreadsheet formula, and changing a lead's status writes only the status: a change
to the lead committed meanwhile (a webhook's opt-out tag, GHL's new name) is not written back over."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db.models.signals import pre_save

from leads.models import Contact, Location
from tests.admin.conftest import AdminAs

LIST = "/admin/leads/contact/"


def exported(browser: Any, contacts: list[Contact]) -> list[dict[str, str]]:
    response = browser.post(LIST, {"action": "export_csv", "_selected_action": [c.pk for c in contacts]})
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|'/C calc'!A0",
                                   "@SUM(A1)", "\tdata", "\rdata"])
def test_a_cell_that_would_start_a_formula_is_exported_as_text(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, typed: str
) -> None:
    # given a lead whose name came from a web form, typed by someone who knows spreadsheets
    lead = Contact.objects.create(location=alpha_realty, ghl_id="FormulaLead", first_name=typed, last_name="Smith")

    [row] = exported(admin_as(alpha_broker), [lead])

    # then the cell starts with a quote, so the spreadsheet shows the text and runs nothing
    assert row["first_name"] == "'" + typed
    assert row["last_name"] == "Smith"


def test_a_phone_number_is_exported_as_it_is(admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location) -> None:
    lead = Contact.objects.create(location=alpha_realty, ghl_id="PhoneLead", first_name="Ana", phone="+19095550101")

    [row] = exported(admin_as(alpha_broker), [lead])

    assert row["phone"] == "+19095550101"


@contextmanager
def webhook_commits_meanwhile(lead: Contact, **changes: Any) -> Iterator[None]:
    """Just before the status change is written, another process commits `changes` to the same lead."""

    def meanwhile(sender: type, instance: Contact, **kwargs: Any) -> None:
        if instance.pk == lead.pk:
            Contact.objects.filter(pk=lead.pk).update(**changes)

    pre_save.connect(meanwhile, sender=Contact, dispatch_uid="webhook-meanwhile")
    try:
        yield
    finally:
        pre_save.disconnect(sender=Contact, dispatch_uid="webhook-meanwhile")


def test_a_status_change_in_the_admin_keeps_an_opt_out_tag_that_arrived_meanwhile(
    admin_as: AdminAs, alpha_agent: Any, maria: Contact
) -> None:
    with webhook_commits_meanwhile(maria, tags=["TCPA-Opt-Out"], first_name="Mariana"):
        response = admin_as(alpha_agent).post(f"{LIST}{maria.pk}/change/", {"status": "appointment"})

    assert response.status_code == 302
    maria.refresh_from_db()
    assert (maria.status, maria.tags, maria.first_name) == ("appointment", ["TCPA-Opt-Out"], "Mariana")

