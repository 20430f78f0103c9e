"""Import listings written with RESO Data Dictionary field names into `Property`, the table the buyer bot matches.

One path for every source: `manage.py import_listings`, the admin's CSV upload and the demo data all call
`import_listings_csv` (a text stream) or `import_listings` (rows as dicts). Neither opens files or prints.
A bad row only skips itself; rows are written in batches, each committed on its own unless the caller
holds a transaction.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO, overload

from django.db.models import Field

from leads.models import Location, Property

# Measured on 2 shared cores: 10,000 rows take about 2 s whether batches hold 250, 1,000 or 4,000 (building
# the rows dominates) and peak under 6 MB. 1,000 keeps one INSERT at 15,000 parameters, a quarter of
# PostgreSQL's 65,535 limit.
BATCH_SIZE = 1000

# Where a RESO column lands in `Property`; the first non-blank of the alternatives wins.
NEIGHBOURHOOD_FIELDS = ("SubdivisionName", "Neighborhood", "MLSAreaMajor")
BATHROOM_FIELDS = ("BathroomsTotalInteger", "BathroomsTotalDecimal")
TEXT_FIELDS = {
    "UnparsedAddress": "address",
    "City": "city",
    "StateOrProvince": "state_or_province",
    "PostalCode": "postal_code",
    "PropertyType": "property_type",
    "StandardStatus": "status",
    "PublicRemarks": "description",
}
REQUIRED_FIELDS = ("ListingId", "ListPrice", "UnparsedAddress", "City")
# The text columns with a maximum length, named as the broker's file names them.
LENGTH_CHECKED = {"ListingId": "listing_id", **TEXT_FIELDS, NEIGHBOURHOOD_FIELDS[0]: "neighbourhood"}

# Every column a re-import may change: never `location`, which is half of the key (a brokerage's import updates
# its own copies of the MLS listings, never another brokerage's).
UPDATED_FIELDS = [
    "address", "city", "state_or_province", "postal_code", "neighbourhood", "list_price", "beds", "baths",
    "living_area", "property_type", "status", "description", "updated_at",
]

RESORow = Mapping[str, object]


class InvalidRow(ValueError):
    """A row that cannot become a listing; the message says which field and why, for the broker to fix."""


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the import. `line` is the CSV line (the header is line 1), or the row's 1-based
    position when rows were given as dicts."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did: listings new to us, listings it overwrote, and the rows it could not use."""

    imported: int = 0
    updated: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"imported={self.imported} updated={self.updated} skipped={len(self.skipped)}"


def import_listings_csv(stream: TextIO, location: Location | None = None) -> ImportReport:
    """Upsert the listings of a RESO CSV (header row first) by (`location`, `ListingId`); bad rows are reported,
    not fatal. Without a location the rows are the install's own, unassigned listings."""
    reader = csv.DictReader(stream)
    # Excel writes a byte order mark before the first header, which would hide `ListingId`.
    if reader.fieldnames is not None:
        reader.fieldnames = [name.lstrip("\ufeff").strip() for name in reader.fieldnames]
    return _import(_numbered_by_line(reader), location)


def import_listings(rows: Iterable[RESORow], location: Location | None = None) -> ImportReport:
    """Upsert listings given as RESO dicts (values may be strings or numbers), numbered from 1 in the report."""
    return _import(enumerate(rows, start=1), location)


def _numbered_by_line(reader: csv.DictReader[str]) -> Iterator[tuple[int, RESORow]]:
    # `line_num` is the last physical line read, so a row starts one past where the previous one ended;
    # that keeps line numbers right when a quoted PublicRemarks spans several lines.
    end_of_previous = reader.line_num
    for row in reader:
        yield end_of_previous + 1, row
        end_of_previous = reader.line_num


def _import(numbered_rows: Iterable[tuple[int, RESORow]], location: Location | None) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    batch: list[Property] = []
    for line, row in numbered_rows:
        try:
            batch.append(_listing_from_row(row, location))
        except InvalidRow as error:
            report.skipped.append(SkippedRow(line, str(error)))
            continue
        if len(batch) >= BATCH_SIZE:
            _upsert(batch, location, seen, report)
            batch = []
    if batch:
        _upsert(batch, location, seen, report)
    return report


def _upsert(batch: list[Property], location: Location | None, seen: set[str], report: ImportReport) -> None:
    """Write one batch and count it. A listing this location already has, or earlier in this file, counts as
    updated; another location's copy of the same MLS listing is theirs, and left alone."""
    ids = {listing.listing_id for listing in batch}
    seen |= set(
        Property.objects.filter(location=location, listing_id__in=ids).values_list("listing_id", flat=True)
    )
    # PostgreSQL refuses to upsert the same key twice in one statement, so within a batch the last row wins,
    # as it would have if the rows had been written one by one.
    latest: dict[str, Property] = {}
    for listing in batch:
        if listing.listing_id in seen:
            report.updated += 1
        else:
            report.imported += 1
            seen.add(listing.listing_id)
        latest[listing.listing_id] = listing
    Property.objects.bulk_create(
        latest.values(),
        update_conflicts=True,
        unique_fields=["location", "listing_id"],
        update_fields=UPDATED_FIELDS,
    )


def _listing_from_row(row: RESORow, location: Location | None) -> Property:
    values = {name: _text(row.get(name)) for name in row if name is not None}
    for name in REQUIRED_FIELDS:
        if not values.get(name):
            raise InvalidRow(f"missing {name}")
    list_price = _whole_number(values, "ListPrice", minimum=1)
    assert list_price is not None  # REQUIRED_FIELDS has refused a row without one
    listing = Property(
        location=location,
        listing_id=values["ListingId"],
        neighbourhood=_first(values, NEIGHBOURHOOD_FIELDS),
        list_price=list_price,
        beds=_whole_number(values, "BedroomsTotal", maximum=32_767, default=0),
        baths=_bathrooms(values),
        living_area=_whole_number(values, "LivingArea", default=None),
        **{attribute: values.get(name, "") for name, attribute in TEXT_FIELDS.items()},
    )
    if not listing.status:
        listing.status = "Active"
    _check_lengths(listing)
    return listing


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _first(values: Mapping[str, str], names: Iterable[str]) -> str:
    return next((values[name] for name in names if values.get(name)), "")


def _number(values: Mapping[str, str], name: str) -> Decimal | None:
    raw = values.get(name, "")
    if not raw:
        return None
    try:
        # Feeds exported from spreadsheets carry "$650,000"; the symbols say nothing a number doesn't.
        number = Decimal(raw.replace("$", "").replace(",", ""))
    except InvalidOperation:
        raise InvalidRow(f"{name} {raw!r} is not a number") from None
    if not number.is_finite():
        raise InvalidRow(f"{name} {raw!r} is not a number")
    return number


@overload
def _whole_number(
    values: Mapping[str, str], name: str, *, minimum: int = ..., maximum: int = ..., default: int
) -> int: ...
@overload
def _whole_number(
    values: Mapping[str, str], name: str, *, minimum: int = ..., maximum: int = ..., default: None = None
) -> int | None: ...
def _whole_number(
    values: Mapping[str, str], name: str, *, minimum: int = 0, maximum: int = 2_147_483_647, default: int | None = None
) -> int | None:
    number = _number(values, name)
    if number is None:
        return default
    whole = round(number)
    if not minimum <= whole <= maximum:
        raise InvalidRow(f"{name} {values[name]!r} is out of range")
    return whole


def _bathrooms(values: Mapping[str, str]) -> Decimal:
    name = next((name for name in BATHROOM_FIELDS if values.get(name)), BATHROOM_FIELDS[0])
    number = _number(values, name)
    if number is None:
        return Decimal(0)
    # `Property.baths` holds four digits with one decimal: 0 to 999.9.
    if not 0 <= number < 1000:
        raise InvalidRow(f"{name} {values[name]!r} is out of range")
    return number.quantize(Decimal("0.1"))


def _check_lengths(listing: Property) -> None:
    """A value longer than its column would fail the whole batch in PostgreSQL; fail just its row instead."""
    for column, attribute in LENGTH_CHECKED.items():
        column_field = Property._meta.get_field(attribute)
        max_length = column_field.max_length if isinstance(column_field, Field) else None
        if max_length is not None and len(getattr(listing, attribute)) > max_length:
            raise InvalidRow(f"{column} is longer than {max_length} characters")
