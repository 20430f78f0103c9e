"""A model field for secrets: stored encrypted (leads.encryption), read back as plain text only when used.

`Location.objects.create(api_token="pit-...")` and `location.api_token` work as with a CharField. A row's
secret is decrypted on access, not on load, so pages that list locations never touch the keys, and a key
problem shows up where the secret is needed, as a clear `UnreadableSecret`. Saving a row whose secret was
loaded and never set again writes the stored ciphertext back unchanged.

Lookups by value cannot work (each encryption differs); only `field=""` (no secret) can be filtered on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from leads.encryption import decrypt, encrypt


@dataclass(frozen=True)
class Sealed:
    """A secret as stored: the ciphertext, not yet opened."""

    ciphertext: str

    def __repr__(self) -> str:
        return "<sealed secret>"


class _OpensOnAccess(DeferredAttribute):
    """Holds what the database gave (a `Sealed`) and decrypts it each time the attribute is read.

    A data descriptor (it has `__set__`), so reads come here even when the instance holds the value.
    """

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            return decrypt(value.ciphertext, what=f"{type(instance).__name__}.{self.field.name} of {instance.pk}")
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with JORGEBOT_ENCRYPTION_KEYS; an empty value is stored empty (no secret)."""

    descriptor_class = _OpensOnAccess

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | str | None:
        if not value:
            return value
        return Sealed(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # The raw value: a secret loaded and not changed goes back as it was, with no decrypt and re-encrypt.
        if self.attname in model_instance.__dict__:
            return model_instance.__dict__[self.attname]
        return super().pre_save(model_instance, add)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.ciphertext
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value
        return super().to_python(value)
