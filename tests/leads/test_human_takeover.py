"""A person texting from GHL pauses the bot, without shortening a longer pause a broker set."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bots.human import pause_bot_for_human
from leads.models import Contact


def test_a_human_text_pauses_the_bot_for_the_takeover_window(maria: Contact) -> None:
    pause_bot_for_human(maria, hours=24)

    maria.refresh_from_db()
    assert maria.bot_paused_until is not None
    assert dt.timedelta(hours=23) < maria.bot_paused_until - timezone.now() <= dt.timedelta(hours=24)


def test_a_longer_manual_pause_is_kept(maria: Contact) -> None:
    manual_until = timezone.now() + dt.timedelta(days=30)
    maria.bot_paused_until = manual_until
    maria.save()

    pause_bot_for_human(maria, hours=24)

    maria.refresh_from_db()
    assert maria.bot_paused_until == manual_until


def test_the_install_sets_the_default_pause_and_a_location_its_own(maria: Contact, settings: Any) -> None:
    settings.JORGEBOT_HUMAN_TAKEOVER_HOURS = 6

    pause_bot_for_human(maria)
    maria.refresh_from_db()
    assert dt.timedelta(hours=5) < maria.bot_paused_until - timezone.now() <= dt.timedelta(hours=6)

    maria.location.bot_settings = {"human_takeover_hours": 48}
    maria.location.save()
    pause_bot_for_human(maria)
    maria.refresh_from_db()
    assert dt.timedelta(hours=47) < maria.bot_paused_until - timezone.now() <= dt.timedelta(hours=48)
