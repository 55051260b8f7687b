"""Checking the webhooks a VoIPBIN server delivers: ``voipbin.webhooks.verify(body, headers,
secret)`` raises :class:`SignatureError` unless the delivery was signed with ``secret``
(``voipbin.common.webhooks`` says what is signed and how)."""

from voipbin.common.webhooks import (
    DEFAULT_TOLERANCE,
    EVENT_ID,
    SIGNATURE,
    SIGNATURE_V2,
    TIMESTAMP,
    SignatureError,
    verify,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_ID",
    "SIGNATURE",
    "SIGNATURE_V2",
    "TIMESTAMP",
    "SignatureError",
    "verify",
]
