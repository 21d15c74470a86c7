"""Secrets the service must read back, such as an agency's minutes PDF password, are kept
encrypted in the database (Fernet: AES-128 in CBC mode with an HMAC-SHA256 check).

Keys come from FIELD_ENCRYPTION_KEY, a list: the first encrypts, every one decrypts, so a
key is rotated by putting the new one first and running `manage.py field_keys_rotate`.
Unset, the keys are derived from SECRET_KEY and then SECRET_KEY_FALLBACKS, so rotating
SECRET_KEY the way Django documents it keeps the secrets readable too.
"""

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def field_keys() -> MultiFernet:
    secrets = list(getattr(settings, "FIELD_ENCRYPTION_KEY", None) or [])
    if not secrets:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _keys(tuple(secrets))


@functools.lru_cache(maxsize=8)
def _keys(secrets: tuple[str, ...]) -> MultiFernet:
    # Any long random string serves as a key: HKDF turns it into the 32 bytes Fernet wants.
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    HKDF(
                        algorithm=hashes.SHA256(),
                        length=32,
                        salt=None,
                        info=b"strategy-discussions field encryption",
                    ).derive(secret.encode())
                )
            )
            for secret in secrets
        ]
    )


def field_encrypt(plaintext: str) -> str:
    return field_keys().encrypt(plaintext.encode()).decode()


def field_decrypt(token: str) -> str:
    try:
        return field_keys().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A value encrypted at rest cannot be read with any key in FIELD_ENCRYPTION_KEY "
            "(or, when that is unset, SECRET_KEY and SECRET_KEY_FALLBACKS). Put the key it was "
            "encrypted with back in the list."
        ) from error


def field_reencrypt(token: str) -> str:
    """The same value encrypted with the first key (for rotation)."""
    return field_keys().rotate(token.encode()).decode()


class Decrypted(str):
    """A decrypted value that remembers its token, so saving it unchanged writes the same
    token (Fernet tokens differ on every encryption) and the trail sees no change."""

    token: str

    def __new__(cls, plaintext: str, token: str) -> "Decrypted":
        value = super().__new__(cls, plaintext)
        value.token = token
        return value


class EncryptedCharField(models.CharField):
    """A CharField whose value the database only ever holds encrypted, in a text column.
    max_length limits the plaintext."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return Decrypted(field_decrypt(value), value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        if isinstance(value, Decrypted):
            return value.token
        return field_encrypt(value)
