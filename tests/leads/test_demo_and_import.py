"""Listings import (RESO CSV), `ensure_admin` and `seed_demo`: what a newcomer runs first."""
from __future__ import annotations

import io
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min

from bots.state import ConversationState
from console.demo import DEMO_API_TOKEN
from leads.listings import SkippedRow, import_listings_csv
from leads.models import Contact, Conversation, Location, Message, Property
from leads.sample_listings import BROKERAGES

HEADER = (
    "ListingId,UnparsedAddress,City,StateOrProvince,PostalCode,SubdivisionName,ListPrice,BedroomsTotal,"
    "BathroomsTotalInteger,LivingArea,PropertyType,StandardStatus,PublicRemarks\n"
)
GOOD_ROWS = (
    'CV1001,12834 Banyan St,Rancho Cucamonga,CA,91739,Victoria,"$749,900",4,3,2210,Residential,Active,'
    '"Updated kitchen.\nPool and spa."\n'  # remarks spanning two lines: the next row is still line 4
    "CV1002,6408 Sierra Ave,Etiwanda,CA,91739,Windrows,1340000,5,4,2770,Residential,Pending,Corner lot.\n"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def emoji_or_hyphen(text: str) -> bool:
    # "So" is where emoji live; "Pd" holds every dash, the ASCII hyphen included.
    return any(unicodedata.category(char) in ("So", "Pd") for char in text)


# -- import_listings --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_listings_from_reso_columns() -> None:
    report = import_listings_csv(io.StringIO(HEADER + GOOD_ROWS))

    assert report.summary == "imported=2 updated=0 skipped=0"
    listing = Property.objects.get(listing_id="CV1001")
    assert (listing.address, listing.city, listing.postal_code, listing.neighbourhood) == (
        "12834 Banyan St", "Rancho Cucamonga", "91739", "Victoria",
    )
    assert (listing.list_price, listing.beds, listing.baths, listing.living_area) == (749_900, 4, Decimal(3), 2210)
    assert listing.description == "Updated kitchen.\nPool and spa."
    assert listing.location is None


@pytest.mark.django_db
def test_a_listing_seen_again_is_updated_not_duplicated() -> None:
    import_listings_csv(io.StringIO(HEADER + GOOD_ROWS))
    price_cut = "CV1002,6408 Sierra Ave,Etiwanda,CA,91739,Windrows,1299000,5,4,2770,Residential,Active,Corner lot.\n"
    relisted = "CV1003,9 Haven Ave,Upland,CA,91786,,650000,3,2,1500,Residential,Active,\n"

    report = import_listings_csv(io.StringIO(HEADER + price_cut + relisted + price_cut.replace("Active", "Pending")))

    assert report.summary == "imported=1 updated=2 skipped=0"
    assert Property.objects.count() == 3
    listing = Property.objects.get(listing_id="CV1002")
    assert (listing.list_price, listing.status) == (1_299_000, "Pending")


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_and_skipped() -> None:
    bad_rows = (
        ",1 Main St,Ontario,CA,91761,,500000,3,2,1400,Residential,Active,\n"
        "CV2002,2 Main St,Ontario,CA,91761,,,3,2,1400,Residential,Active,\n"
        "CV2003,3 Main St,Ontario,CA,91761,,call us,3,2,1400,Residential,Active,\n"
        "CV2004,4 Main St,Ontario,CA,91761,,500000,three,2,1400,Residential,Active,\n"
        "CV2005,5 Main St,Ontario,CA,91761,,-5,3,2,1400,Residential,Active,\n"
    )

    report = import_listings_csv(io.StringIO(HEADER + GOOD_ROWS + bad_rows))

    assert report.summary == "imported=2 updated=0 skipped=5"
    assert report.skipped == [
        SkippedRow(5, "missing ListingId"),
        SkippedRow(6, "missing ListPrice"),
        SkippedRow(7, "ListPrice 'call us' is not a number"),
        SkippedRow(8, "BedroomsTotal 'three' is not a number"),
        SkippedRow(9, "ListPrice '-5' is out of range"),
    ]
    assert set(Property.objects.values_list("listing_id", flat=True)) == {"CV1001", "CV1002"}


@pytest.mark.django_db
def test_it_reads_the_other_mls_column_names_and_a_spreadsheet_byte_order_mark() -> None:
    csv_text = (
        "\ufeffListingId,UnparsedAddress,City,Neighborhood,MLSAreaMajor,ListPrice,BathroomsTotalDecimal\n"
        "IE1,5 Lemon Ave,Upland,,San Antonio Heights,820000,2.5\n"
    )

    import_listings_csv(io.StringIO(csv_text))

    listing = Property.objects.get(listing_id="IE1")
    assert (listing.neighbourhood, listing.baths, listing.status) == ("San Antonio Heights", Decimal("2.5"), "Active")


@pytest.mark.django_db
def test_the_command_imports_a_csv_file_for_a_location(tmp_path: Path, beta_homes: Location) -> None:
    path = tmp_path / "listings.csv"
    path.write_text(HEADER + GOOD_ROWS + "CV3001,,Ontario,CA,91761,,500000,3,2,1400,Residential,Active,\n")
    out = io.StringIO()
    err = io.StringIO()

    call_command("import_listings", str(path), "--location", beta_homes.pk, stdout=out, stderr=err)

    assert out.getvalue().strip() == "imported=2 updated=0 skipped=1"
    assert "line 5: missing UnparsedAddress" in err.getvalue()
    assert set(Property.objects.values_list("location", flat=True)) == {beta_homes.pk}


# -- ensure_admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_ensure_admin_creates_the_superuser_then_resets_its_password(settings: Any) -> None:
    # The production hasher spends a second per password on purpose; this test is about the command.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    created = run("ensure_admin", "--username", "broker", "--password", "first-secret-9", "--email", "b@example.com")
    reset = run("ensure_admin", "--username", "broker", "--password", "second-secret-9")

    user = get_user_model().objects.get(username="broker")
    assert (user.is_superuser, user.is_staff, user.email) == (True, True, "b@example.com")
    assert user.check_password("second-secret-9")
    assert get_user_model().objects.count() == 1
    assert "Created superuser broker" in created
    assert "Reset the password of superuser broker" in reset
    assert "secret" not in created + reset


@pytest.mark.django_db
def test_ensure_admin_refuses_to_run_without_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="--password"):
        run("ensure_admin", "--username", "broker")

    assert not get_user_model().objects.exists()


# -- seed_demo --------------------------------------------------------------------------------


def demo_counts() -> dict[str, int]:
    return {
        "locations": Location.objects.count(),
        "contacts": Contact.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "listings": Property.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_data() -> None:
    first = run("seed_demo")
    counts = demo_counts()

    second = run("seed_demo")

    assert demo_counts() == counts
    assert counts["listings"] >= 300
    assert counts["contacts"] >= 200
    assert counts["conversations"] == counts["contacts"]
    assert "imported=300 updated=0 skipped=0" in first
    assert "already there" in second


@pytest.mark.django_db
def test_demo_locations_are_paused_and_say_so() -> None:
    output = run("seed_demo")

    locations = Location.objects.filter(id__in=[brokerage.id for brokerage in BROKERAGES])
    assert [(location.sending_paused, location.api_token) for location in locations] == [(True, DEMO_API_TOKEN)] * 2
    assert "Sending is paused" in output


@pytest.mark.django_db
def test_seed_demo_pauses_a_demo_location_someone_unpaused() -> None:
    run("seed_demo")
    Location.objects.filter(id=BROKERAGES[0].id).update(sending_paused=False)

    run("seed_demo")

    assert Location.objects.get(id=BROKERAGES[0].id).sending_paused


@pytest.mark.django_db
def test_demo_texts_have_no_emoji_and_no_hyphen() -> None:
    run("seed_demo")

    texts = [
        *Message.objects.values_list("body", flat=True),
        *Property.objects.values_list("description", flat=True),
        *Property.objects.values_list("address", flat=True),
        *(f"{first} {last}" for first, last in Contact.objects.values_list("first_name", "last_name")),
    ]
    assert [text for text in texts if emoji_or_hyphen(text)] == []


@pytest.mark.django_db
def test_demo_conversations_hold_2_to_12_texts_and_a_loadable_state() -> None:
    run("seed_demo")

    sizes = Conversation.objects.annotate(texts=Count("messages")).aggregate(low=Min("texts"), high=Max("texts"))
    assert (sizes["low"], sizes["high"]) == (2, 12)
    for conversation in Conversation.objects.all():
        assert ConversationState.from_dict(conversation.state).to_dict() == conversation.state
    senders = set(Message.objects.values_list("sender", flat=True))
    assert senders == {"lead", "bot", "human"}


@pytest.mark.django_db
def test_demo_leads_cover_the_tags_the_bots_read_and_write() -> None:
    run("seed_demo")

    tags = {tag for contact_tags in Contact.objects.values_list("tags", flat=True) for tag in contact_tags}
    for expected in (
        "Needs Qualifying", "Seller-Lead", "Buyer-Lead", "lead-bot", "Hot-Seller", "Warm-Buyer", "Cold-Lead",
        "TCPA-Opt-Out", "AI-Off", "Human-Follow-Up-Needed", "Seller-Qualified", "Buyer-Qualified",
    ):
        assert expected in tags
    opted_out = Contact.objects.filter(tags__contains=["TCPA-Opt-Out"])
    assert opted_out.exists()
    assert not opted_out.filter(opted_out_at__isnull=True).exists()


@pytest.mark.django_db
def test_demo_listings_are_inland_empire_homes_at_believable_prices() -> None:
    run("seed_demo")

    listings = Property.objects.aggregate(
        low=Min("list_price"), high=Max("list_price"), fewest=Min("beds"), most=Max("beds")
    )
    assert 450_000 <= listings["low"] and listings["high"] <= 1_600_000
    assert (listings["fewest"], listings["most"]) == (2, 6)
    cities = set(Property.objects.values_list("city", flat=True))
    assert cities == {"Rancho Cucamonga", "Etiwanda", "Alta Loma", "Upland", "Fontana", "Ontario"}
    assert not Property.objects.filter(location__isnull=True).exists()
