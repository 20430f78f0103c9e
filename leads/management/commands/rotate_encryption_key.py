"""`manage.py rotate_encryption_key`: seal every stored secret again with the first of JORGEBOT_ENCRYPTION_KEYS.

Rotating a key: put the new key first (`JORGEBOT_ENCRYPTION_KEYS=new,old`), restart, run this, then remove the old
key. Until this has run, removing the old key leaves the secrets it sealed unreadable.
"""
from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from leads.encryption import UnreadableSecret, reencrypt
from leads.fields import EncryptedTextField, Sealed


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (GHL tokens) with the first key of JORGEBOT_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        resealed = 0
        unreadable: list[str] = []
        for model in apps.get_models():
            fields = [field.name for field in model._meta.get_fields() if isinstance(field, EncryptedTextField)]
            if not fields:
                continue
            for pk in model._default_manager.values_list("pk", flat=True):
                try:
                    resealed += _reseal_row(model, pk, fields)
                except UnreadableSecret:
                    unreadable.append(f"{model._meta.label} {pk}")
        self.stdout.write(f"Re-encrypted {resealed} secrets with the first key.")
        if unreadable:
            raise CommandError(
                f"No key opens the secrets of {', '.join(unreadable)}: put back the key they were encrypted with "
                "and run this again (the others are done)."
            )


def _reseal_row(model: type[models.Model], pk: Any, fields: list[str]) -> int:
    # Under the row lock: a token renewed meanwhile (leads.connections) must not be overwritten by its old value.
    with transaction.atomic():
        stored = model._default_manager.select_for_update().filter(pk=pk).values(*fields).first()
        if stored is None:
            return 0
        changes = {
            name: Sealed(reencrypt(value.ciphertext, what=f"{model._meta.label}.{name} of {pk}"))
            for name, value in stored.items()
            if isinstance(value, Sealed)
        }
        if changes:
            model._default_manager.filter(pk=pk).update(**changes)
    return len(changes)
