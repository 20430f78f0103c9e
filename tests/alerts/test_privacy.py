"""A lead erased on request leaves no name in the notifications about her."""
from __future__ import annotations

from typing import Any

from alerts.models import AlertEvent, Notification, Subscription
from leads import privacy
from leads.models import Contact
from tests.fakes import ghl_events


def test_erasing_a_lead_takes_her_name_out_of_her_notifications(maria: Contact, alpha_broker: Any) -> None:
    # given a broker told that Maria turned hot (as alerts.services records it)
    subscription = Subscription.objects.create(location=maria.location, email="desk@alpha.example",
                                               events=[AlertEvent.HOT_LEAD])
    told = Notification.objects.create(
        subscription=subscription, event=AlertEvent.HOT_LEAD, location=maria.location, contact=maria,
        title=f"Hot lead ready: {maria.display_name}", event_key="hot_lead:outbox:k", key="k",
    )

    # when Maria's data is erased on her request
    privacy.erase_contact(maria)

    # then the notification keeps what happened and where, not who
    told.refresh_from_db()
    assert told.title == "Hot lead ready: a lead whose data was erased"
    assert told.contact_id is None and told.location_id == maria.location_id
    assert ghl_events.FIRST_NAME not in told.title
