"""Listings (with CSV import), locations (never their token), and who may sign in to the admin at all."""
from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from leads.models import Location, LocationMembership, Property
from tests.admin.conftest import AdminAs

RESO_CSV = (
    "ListingId,ListPrice,UnparsedAddress,City,BedroomsTotal,StandardStatus\n"
    "RC0001,\"$725,000\",7 Oak Ave,Rancho Cucamonga,4,Active\n"
    "RC0002,650000,9 Elm St,Upland,3,Pending\n"
    "BAD1,,1 Nowhere Rd,Upland,3,Active\n"
)


def test_a_broker_imports_listings_from_a_csv_in_the_admin(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)
    assert 'id="import-listings"' in browser.get("/admin/leads/property/").content.decode()

    response = browser.post("/admin/leads/property/import/", {
        "file": SimpleUploadedFile("feed.csv", RESO_CSV.encode(), content_type="text/csv"),
        "location": alpha_realty.pk,
    }, follow=True)

    page = response.content.decode()
    assert "Listings imported: 2 new, 0 updated, 1 skipped." in page
    assert "line 4: missing ListPrice" in page
    assert set(Property.objects.filter(location=alpha_realty).values_list("listing_id", flat=True)) == {
        "RC0001", "RC0002"}


def test_the_import_offers_only_the_brokers_own_locations(
    admin_as: AdminAs, alpha_broker: Any, beta_homes: Location
) -> None:
    form = admin_as(alpha_broker).get("/admin/leads/property/import/").context["form"]

    assert [location.pk for location in form.fields["location"].queryset] == [
        LocationMembership.objects.get(user=alpha_broker).location_id]


def test_an_agent_looks_listings_up_but_cannot_add_or_import(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    Property.objects.create(location=alpha_realty, listing_id="L1", address="1 A St", city="Upland", list_price=1)
    browser = admin_as(alpha_agent)

    page = browser.get("/admin/leads/property/").content.decode()
    assert "1 A St" in page and 'id="import-listings"' not in page
    assert browser.get("/admin/leads/property/import/").status_code == 403
    assert browser.get("/admin/leads/property/add/").status_code == 403


def test_the_ghl_token_appears_on_no_location_page(admin_as: AdminAs, owner: Any, alpha_realty: Location) -> None:
    browser = admin_as(owner)

    pages = [browser.get(path).content.decode() for path in (
        "/admin/leads/location/", f"/admin/leads/location/{alpha_realty.pk}/change/", "/admin/leads/location/add/",
        "/admin/leads/contact/", "/admin/",
    )]

    assert all("alpha-token" not in page and "api_token" not in page for page in pages)


def test_a_broker_flips_their_own_kill_switch_but_never_sees_another_location(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, beta_homes: Location
) -> None:
    browser = admin_as(alpha_broker)
    change = f"/admin/leads/location/{alpha_realty.pk}/change/"

    response = browser.post(change, {"name": alpha_realty.name, "timezone": "America/Chicago", "calendar_id": "",
                                     "sending_paused": "on", "bot_settings": "{}",
                                     "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})

    assert response.status_code == 302, response.content[:2000]
    alpha_realty.refresh_from_db()
    assert alpha_realty.sending_paused and alpha_realty.api_token == "alpha-token"
    assert beta_homes.name not in browser.get("/admin/leads/location/").content.decode()
    assert browser.get(f"/admin/leads/location/{beta_homes.pk}/change/").status_code == 302


def test_an_agent_reads_the_location_settings_but_cannot_change_them(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    response = admin_as(alpha_agent).post(f"/admin/leads/location/{alpha_realty.pk}/change/",
                                          {"name": "Renamed", "sending_paused": "on"})

    assert response.status_code == 403
    alpha_realty.refresh_from_db()
    assert alpha_realty.name != "Renamed"


def test_a_location_member_signs_in_without_the_staff_flag(alpha_agent: Any) -> None:
    browser = Client()

    response = browser.post("/admin/login/?next=/admin/", {"username": "bob", "password": "bob-password"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_someone_with_no_location_cannot_sign_in(db: None) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="dave", password="dave-password")

    response = Client().post("/admin/login/?next=/admin/", {"username": "dave", "password": "dave-password"})

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_webhook_deliveries_are_for_the_installs_owner_only(
    admin_as: AdminAs, alpha_broker: Any, owner: Any
) -> None:
    assert admin_as(alpha_broker).get("/admin/leads/webhookevent/").status_code == 403
    assert admin_as(owner).get("/admin/leads/webhookevent/").status_code == 200
    assert "Webhook events" not in admin_as(alpha_broker).get("/admin/").content.decode()


def test_a_member_holds_no_django_permissions_whatever_the_tables_say(alpha_broker: Any) -> None:
    # given a broker (not staff) somebody gave a Django model permission
    from django.contrib.auth.models import Permission

    alpha_broker.user_permissions.add(Permission.objects.get(codename="change_user"))
    broker = type(alpha_broker).objects.get(pk=alpha_broker.pk)

    # then she has none: members go by their memberships; Django's permissions are for staff
    assert not broker.has_perm("auth.change_user")
    assert not broker.has_module_perms("auth")
    broker.is_staff = True
    broker.save()
    assert type(alpha_broker).objects.get(pk=alpha_broker.pk).has_perm("auth.change_user")
