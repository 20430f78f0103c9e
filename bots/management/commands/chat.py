"""`manage.py chat`: talk to the bots in a terminal as a pretend lead, exactly as the simulator API does.

Nothing is sent and nothing is stored: the bots answer from the real engine in dry run, and each reply shows
the bot that answered, what the inbound screen caught, its temperature and the tag changes it would make in GHL.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bots.simulator import MemorySessions, simulate_turn
from leads.models import Location

QUIT = frozenset({"quit", "exit", ":q"})


class Command(BaseCommand):
    help = "Chat with the bots as a pretend lead of a location (dry run: nothing is sent or stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--location", help="GHL location id (default: GHL_LOCATION_ID, else the first one)")
        parser.add_argument("--tags", default="", help='The lead\'s starting tags, comma-separated ("Buyer-Lead")')

    def handle(self, *args: Any, **options: Any) -> None:
        location = self._location(options["location"])
        tags = [tag.strip() for tag in options["tags"].split(",") if tag.strip()]
        sessions = MemorySessions()
        key: str | None = None
        self.stdout.write(f"Chatting as a lead of {location.name}. Type quit to stop.")
        for line in _lines():
            message = line.strip()
            if message.lower() in QUIT:
                break
            if not message:
                continue
            turn = simulate_turn(location, message, sessions=sessions, contact_key=key, tags=None if key else tags)
            key = turn.contact_key
            self.stdout.write(f"{turn.bot} bot> {turn.reply or '(no reply: ' + turn.outcome + ')'}")
            changes = [f"+{tag}" for tag in turn.tags_add] + [f"-{tag}" for tag in turn.tags_remove]
            details = [f"screened: {', '.join(turn.screened)}"] if turn.screened else []
            details += [f"temperature {turn.temperature}"] if turn.temperature else []
            if changes:
                details.append("tags " + " ".join(changes))
            if details:
                self.stdout.write(self.style.NOTICE("    " + "; ".join(details)))

    def _location(self, location_id: str | None) -> Location:
        wanted = location_id or settings.GHL_LOCATION_ID
        location = Location.objects.filter(pk=wanted).first() if wanted else Location.objects.order_by("name").first()
        if location is None:
            raise CommandError("No such location; pass --location with a GHL location id.")
        return location


def _lines() -> Iterator[str]:
    """What the person types (with a prompt), or piped lines; ends at end of input."""
    if not sys.stdin.isatty():
        yield from sys.stdin
        return
    while True:
        try:
            yield input("you> ")
        except EOFError:
            return
