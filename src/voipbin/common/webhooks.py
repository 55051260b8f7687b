"""Webhook signatures: what the server signs a delivery with and what a receiver checks.

Every delivery carries:

- ``X-VoIPBIN-Signature: sha256=<hex>``: HMAC-SHA256 of the exact body with the customer's
  current ``webhook_secret``, byte for byte as VoIPBIN sends it (no timestamp: no replay
  protection);
- ``X-VoIPBIN-Event-Id``: the event's id (the same on every attempt and duplicate: the key to
  deduplicate on);
- ``X-VoIPBIN-Timestamp``: the attempt's Unix time in seconds;
- ``X-VoIPBIN-Signature-V2: sha256=<hex>[,sha256=<hex>]``: HMAC-SHA256 of
  ``"<timestamp>.<body>"`` with each secret valid now, the current one first: after a
  rotation the previous secret stays valid for an overlap and both sign meanwhile, so a
  receiver still holding the old secret keeps verifying.

A receiver checks V2 when present (the timestamp must lie within a tolerance of its clock),
else V1 (:func:`verify`). Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

SIGNATURE = "X-VoIPBIN-Signature"
SIGNATURE_V2 = "X-VoIPBIN-Signature-V2"
EVENT_ID = "X-VoIPBIN-Event-Id"
TIMESTAMP = "X-VoIPBIN-Timestamp"
#: How far a V2 timestamp may be from the receiver's clock, by default (seconds).
DEFAULT_TOLERANCE = 300
_PREFIX = "sha256="


class SignatureError(Exception):
    """A delivery whose signature does not verify (the message says why)."""


def _hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str) -> str:
    """The ``X-VoIPBIN-Signature`` value of ``body`` (VoIPBIN's)."""
    return _PREFIX + _hmac(secret, body)


def sign_v2(body: bytes, timestamp: int, secrets: Sequence[str]) -> str:
    """The ``X-VoIPBIN-Signature-V2`` value: one signature per secret, in order."""
    message = f"{timestamp}.".encode() + body
    return ",".join(_PREFIX + _hmac(secret, message) for secret in secrets)


def signed_headers(
    body: bytes, event_id: str, timestamp: int, secrets: Sequence[str]
) -> dict[str, str]:
    """The headers of a delivery of ``body``; ``secrets`` are the valid ones, current first
    (none: the delivery is not signed, as VoIPBIN sends it for an empty secret)."""
    headers = {EVENT_ID: event_id, TIMESTAMP: str(timestamp)}
    valid = [s for s in secrets if s]
    if valid:
        headers[SIGNATURE] = sign(body, valid[0])
        headers[SIGNATURE_V2] = sign_v2(body, timestamp, valid)
    return headers


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().encode())


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a delivery's signature with ``secret``: the V2 signature when the delivery has
    one (its timestamp within ``tolerance`` seconds of ``now``), else VoIPBIN's. Raises
    :class:`SignatureError` saying why it does not verify. ``body`` is the raw body, as
    received; ``headers`` any mapping (names are matched without regard to case)."""
    if not secret:
        raise SignatureError("no secret to verify with")
    v2 = _header(headers, SIGNATURE_V2)
    if v2 is not None:
        stamp = _header(headers, TIMESTAMP)
        if stamp is None or not stamp.strip().isdigit():
            raise SignatureError(f"{TIMESTAMP} is missing or not a Unix time")
        timestamp = int(stamp)
        moment = time.time() if now is None else now
        if abs(moment - timestamp) > tolerance:
            raise SignatureError(
                f"{TIMESTAMP} is {int(moment - timestamp)} s from now; at most {tolerance:g} s"
            )
        expected = sign_v2(body, timestamp, [secret])
        if any(_matches(expected, given) for given in v2.split(",")):
            return
        raise SignatureError(f"{SIGNATURE_V2} does not match the body and the secret")
    v1 = _header(headers, SIGNATURE)
    if v1 is None:
        raise SignatureError(f"the delivery has neither {SIGNATURE_V2} nor {SIGNATURE}")
    if not _matches(sign(body, secret), v1):
        raise SignatureError(f"{SIGNATURE} does not match the body and the secret")
