"""Sealing what the server keeps of a request so that the stored row alone reveals nothing.

One server-side secret (the ``master``) is stretched, per stored row, into a key that only
that row's owner and name can reach: ``HMAC-SHA256(master, owner NUL name)``. From the row key
come two things, each under its own label so neither can stand for the other:

- a keyed fingerprint, ``HMAC-SHA256(row key, "fingerprint" NUL digest)``: a plain digest of
  a request body that holds a password could be guessed offline, a keyed one cannot;
- the AES-256-GCM key that seals a stored body, ``HMAC-SHA256(row key, "seal")``, with a
  fresh 96-bit nonce each time and the row's other stored fields as associated data, so a
  body moved to another row, or a changed status or header, does not open.

A sealed value is text (URL-safe base64 of nonce and ciphertext), so it fits a ``Text``
column on every backend.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class Unsealable(Exception):
    """A sealed value that does not open: another secret sealed it, or it was altered."""


def derive_master(secret: str, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` from a server secret that may serve other purposes too
    (the JWT signing secret): the label keeps the two uses apart."""
    return hmac.new(secret.encode(), f"voipbin {purpose}".encode(), hashlib.sha256).digest()


def _mac(key: bytes, *parts: str) -> bytes:
    return hmac.new(key, "\0".join(parts).encode(), hashlib.sha256).digest()


class RowSeal:
    """The fingerprint and sealing of one stored row."""

    def __init__(self, master: bytes, owner: str, name: str) -> None:
        row_key = _mac(master, owner, name)
        self._fingerprint_key = _mac(row_key, "fingerprint")
        self._aead = AESGCM(_mac(row_key, "seal"))

    def fingerprint(self, digest: str) -> str:
        """``digest`` keyed to this row (64 hex characters)."""
        return hmac.new(self._fingerprint_key, digest.encode(), hashlib.sha256).hexdigest()

    def seal(self, data: bytes, associated: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, data, associated)
        return base64.urlsafe_b64encode(sealed).decode()

    def open(self, text: str, associated: bytes) -> bytes:
        try:
            sealed = base64.urlsafe_b64decode(text.encode())
            nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
            return self._aead.decrypt(nonce, ciphertext, associated)
        except (InvalidTag, ValueError) as exc:
            raise Unsealable() from exc
