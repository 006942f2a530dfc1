"""Encryption of sensitive fields at rest and keyed hashes for exact search.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256); several keys may be configured, newest first,
so keys can be rotated. A keyed HMAC-SHA256 of the normalised value lets us find a row by its exact ID number or
phone without storing it in clear.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _as_fernet_key(secret: str) -> bytes:
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    # Any other high-entropy secret is stretched into a key; the derivation is fixed so it stays stable.
    return base64.urlsafe_b64encode(hashlib.sha256(b"shequ-field-key:" + raw).digest())


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(_as_fernet_key(k)) for k in settings.FIELD_ENCRYPTION_KEYS])


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return hashlib.sha256(b"shequ-hash-key:" + settings.FIELD_HASH_KEY.encode()).digest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be decrypted with the configured keys") from exc


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("encrypted file cannot be decrypted with the configured keys") from exc


def keyed_hash(value: str) -> str:
    return hmac.new(_hash_key(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def sign(payload: bytes) -> str:
    return hmac.new(_hash_key(), payload, hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text column holding ciphertext; Python code only ever sees the clear value."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "shequ.core.crypto.EncryptedCharField", args, kwargs
