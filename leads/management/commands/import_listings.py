"""`manage.py import_listings FILE [--location ID]`: upsert listings from a RESO CSV and print what happened."""
from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from leads.listings import import_listings_csv
from leads.models import Location


class Command(BaseCommand):
    help = "Import listings from a CSV with RESO Data Dictionary field names, updating those already known."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file with a header row (ListingId, ListPrice, ...)")
        parser.add_argument("--location", help="GHL location id that owns these listings")

    def handle(self, *args: Any, path: Path, location: str | None, **options: Any) -> None:
        owner = self._location(location)
        try:
            # utf-8-sig: spreadsheet exports often start with a byte order mark; newline="" lets csv
            # keep line breaks inside quoted remarks.
            with path.open(encoding="utf-8-sig", newline="") as stream:
                report = import_listings_csv(stream, owner)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        for skipped in report.skipped:
            self.stderr.write(f"Skipped {skipped}")
        self.stdout.write(report.summary)

    def _location(self, location_id: str | None) -> Location | None:
        if location_id is None:
            return None
        try:
            return Location.objects.get(pk=location_id)
        except Location.DoesNotExist:
            raise CommandError(f"No location with id {location_id!r}") from None
