"""GHL tokens at rest: encrypted in PostgreSQL, read back as written, and a key rotated without losing a token."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from leads.encryption import UnreadableSecret
from leads.models import Location
from tests.conftest import REPO_ROOT

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored_token(location_id: str, column: str = "api_token") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM leads_location WHERE id = %s", [location_id])
        return str(cursor.fetchone()[0])


def test_a_token_is_stored_encrypted_and_read_back_as_written(db: None) -> None:
    Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")

    stored = stored_token("AlphaLoc")
    assert "pit-alpha-secret" not in stored
    assert Location.objects.get(id="AlphaLoc").api_token == "pit-alpha-secret"


def test_no_token_is_stored_empty_and_can_be_filtered_on(db: None) -> None:
    Location.objects.create(id="NoTokenLoc", name="No token yet")

    assert stored_token("NoTokenLoc") == ""
    assert list(Location.objects.filter(api_token="").values_list("id", flat=True)) == ["NoTokenLoc"]


def test_saving_a_location_leaves_its_stored_token_as_it_was(db: None) -> None:
    Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")
    before = stored_token("AlphaLoc")

    location = Location.objects.get(id="AlphaLoc")
    location.name = "Alpha Realty"
    location.save()

    assert stored_token("AlphaLoc") == before


def test_the_token_stays_out_of_repr_and_of_values(db: None) -> None:
    location = Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")
    values = Location.objects.values("api_token").get()

    assert "pit-alpha-secret" not in repr(location) + repr(values) + repr(Location.objects.get())


def test_rotating_the_key_keeps_every_token_readable_with_the_new_key_alone(db: None, settings: Any) -> None:
    # given tokens sealed with the old key
    settings.JORGEBOT_ENCRYPTION_KEYS = [OLD_KEY]
    Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")
    Location.objects.create(id="BetaLoc", name="Beta", api_token="pit-beta-secret")

    # when the new key goes first and the command runs
    settings.JORGEBOT_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))

    # then the old key can go
    settings.JORGEBOT_ENCRYPTION_KEYS = [NEW_KEY]
    assert {loc.id: loc.api_token for loc in Location.objects.all()} == {
        "AlphaLoc": "pit-alpha-secret", "BetaLoc": "pit-beta-secret"
    }
    assert Fernet(NEW_KEY).decrypt(stored_token("AlphaLoc").encode()) == b"pit-alpha-secret"


def test_removing_the_old_key_before_rotating_is_a_clear_error_and_loses_nothing(db: None, settings: Any) -> None:
    settings.JORGEBOT_ENCRYPTION_KEYS = [OLD_KEY]
    Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")
    stored = stored_token("AlphaLoc")

    settings.JORGEBOT_ENCRYPTION_KEYS = [NEW_KEY]
    location = Location.objects.get(id="AlphaLoc")
    with pytest.raises(UnreadableSecret, match="Location.api_token of AlphaLoc cannot be decrypted.*put back the key"):
        location.api_token  # noqa: B018
    with pytest.raises(CommandError, match="leads.Location AlphaLoc"):
        call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))

    assert stored_token("AlphaLoc") == stored
    settings.JORGEBOT_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Location.objects.get(id="AlphaLoc").api_token == "pit-alpha-secret"


def test_a_key_that_is_not_a_fernet_key_is_refused_without_showing_it(db: None, settings: Any) -> None:
    settings.JORGEBOT_ENCRYPTION_KEYS = ["my-password-123"]

    with pytest.raises(ImproperlyConfigured, match="not a Fernet key") as refused, transaction.atomic():
        Location.objects.create(id="AlphaLoc", name="Alpha", api_token="pit-alpha-secret")

    assert "my-password-123" not in str(refused.value)
    assert not Location.objects.exists()


def test_the_data_migration_encrypts_plaintext_tokens_once_and_reverses(db: None) -> None:
    migration = importlib.import_module("leads.migrations.0008_encrypted_tokens_and_oauth")
    # The models as the migration's RunPython sees them: api_token a plain text column.
    before = MigrationLoader(connection).project_state(("leads", "0007_retry_budget_and_parking")).apps
    Location.objects.create(id="PlainLoc", name="From before 0008")
    Location.objects.create(id="SealedLoc", name="Already sealed", api_token="pit-sealed")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE leads_location SET api_token = 'pit-plain' WHERE id = 'PlainLoc'")
    sealed = stored_token("SealedLoc")

    migration.encrypt_stored_tokens(before, None)

    assert "pit-plain" not in stored_token("PlainLoc")
    assert stored_token("SealedLoc") == sealed
    assert Location.objects.get(id="PlainLoc").api_token == "pit-plain"
    migration.decrypt_stored_tokens(before, None)
    assert (stored_token("PlainLoc"), stored_token("SealedLoc")) == ("pit-plain", "pit-sealed")


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "JORGEBOT_ENCRYPTION"))}
    code = "from jorgebot import settings as s; print(len(s.JORGEBOT_ENCRYPTION_KEYS))"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_outside_debug_the_installation_does_not_start_without_a_key() -> None:
    refused = _settings_in_a_fresh_process(DJANGO_SECRET_KEY="x")
    started = _settings_in_a_fresh_process(DJANGO_SECRET_KEY="x", JORGEBOT_ENCRYPTION_KEYS=f"{NEW_KEY},{OLD_KEY}")
    in_debug = _settings_in_a_fresh_process(DJANGO_DEBUG="1")

    assert refused.returncode != 0
    assert "JORGEBOT_ENCRYPTION_KEYS is required when DJANGO_DEBUG is off" in refused.stderr
    assert (started.returncode, started.stdout.strip()) == (0, "2")
    assert (in_debug.returncode, in_debug.stdout.strip()) == (0, "1")
