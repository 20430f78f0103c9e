"""Changing a lead's status through the API writes only the status (the admin's side: tests/admin)."""
from __future__ import annotations

from typing import Any

from leads.models import Contact
from tests.admin.test_csv_and_status_change import webhook_commits_meanwhile
from tests.api.conftest import ApiAs


def test_a_status_change_through_the_api_keeps_an_opt_out_tag_that_arrived_meanwhile(
    api_as: ApiAs, alpha_agent: Any, maria: Contact
) -> None:
    with webhook_commits_meanwhile(maria, tags=["TCPA-Opt-Out"], first_name="Mariana"):
        response = api_as(alpha_agent).patch(f"/api/v1/leads/{maria.pk}/", {"status": "appointment"}, format="json")

    assert response.status_code == 200
    maria.refresh_from_db()
    assert (maria.status, maria.tags, maria.first_name) == ("appointment", ["TCPA-Opt-Out"], "Mariana")
