"""Secrets at rest (GHL tokens): Fernet with the keys of JORGEBOT_ENCRYPTION_KEYS.

The first key encrypts, every key decrypts, so a key is rotated by putting the new one first, running
`manage.py rotate_encryption_key`, and only then removing the old one.
"""
from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableSecret(ImproperlyConfigured):
    """A stored secret that none of JORGEBOT_ENCRYPTION_KEYS opens: the key that sealed it was removed (or the
    row was copied from another install). Final: only the operator can fix it, by putting that key back."""


def encrypt(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, *, what: str = "a stored secret") -> str:
    try:
        return _keys().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(_unreadable(what)) from None


def reencrypt(ciphertext: str, *, what: str = "a stored secret") -> str:
    """The same secret sealed with the first key (MultiFernet.rotate keeps the original timestamp)."""
    try:
        return _keys().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(_unreadable(what)) from None


def is_encrypted(value: str) -> bool:
    """Whether `value` opens with the current keys (the data migration skips rows already sealed)."""
    try:
        _keys().decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def _unreadable(what: str) -> str:
    return (
        f"{what} cannot be decrypted with any key of JORGEBOT_ENCRYPTION_KEYS: put back the key it was encrypted "
        "with (keep the old key after the new one until `manage.py rotate_encryption_key` has run)"
    )


def _keys() -> MultiFernet:
    # Keyed by the tuple, so tests that change the keys (rotation) get the matching MultiFernet.
    return _multi_fernet(tuple(settings.JORGEBOT_ENCRYPTION_KEYS))


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("JORGEBOT_ENCRYPTION_KEYS is empty: GHL tokens cannot be stored or read")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        # Fernet's own message is fine, but never echo the key.
        raise ImproperlyConfigured(
            "JORGEBOT_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 url-safe base64 bytes; make one "
            "with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
        ) from None
