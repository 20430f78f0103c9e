"""/health/ready/ says sending is paused whichever switch paused it: the environment's or the admin's."""
from __future__ import annotations

from typing import Any

from django.test import Client

from bots.models import SendingSwitch


def test_readiness_reports_the_admins_global_kill_switch(client: Client, db: None) -> None:
    assert client.get("/health/ready/").json()["sending_paused"] == "no"

    SendingSwitch.objects.create(paused=True, reason="carrier audit")

    assert client.get("/health/ready/").json()["sending_paused"] == "yes"


def test_readiness_reports_the_environments_kill_switch(client: Client, db: None, settings: Any) -> None:
    settings.JORGEBOT_SENDING_PAUSED = True

    assert client.get("/health/ready/").json()["sending_paused"] == "yes"
