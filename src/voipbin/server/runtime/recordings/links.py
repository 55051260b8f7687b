"""Signed, expiring download links of recordings' files: ``GET /v1.0/recordingfiles/{id}``
answers ``307`` to one, and anyone holding it may download until it expires (as a storage
service's pre-signed URL; no credentials travel in it).

A link is ``/files/recordings/<id>.zip?expires=<unix seconds>&signature=<hex>``, the
signature an HMAC-SHA256 of the id and the expiry under a key derived from the server's JWT
secret (``VOIPBIN_JWT_SECRET``, or the one generated and kept in the database), so every
instance sharing the database signs and checks alike. A changed id, expiry or signature, or
an expiry passed, is ``403 RECORDING_FILE_LINK_INVALID``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlencode

from voipbin.common.errors import PermissionDenied

#: Where the files are served (no ``/v1.0``: no credentials, the signature stands in).
DOWNLOAD_PATH = "/files/recordings/{id}.zip"

#: Gives the server secret the key is derived from (read once, then kept).
Secret = Callable[[], Awaitable[str]]


class Links:
    """Makes and checks download links, over the server secret."""

    def __init__(self, secret: Secret, seconds: int) -> None:
        self._secret = secret
        self._key: bytes | None = None
        self.seconds = seconds
        """How long a link stays valid."""

    async def _signing_key(self) -> bytes:
        if self._key is None:
            secret = await self._secret()
            self._key = hmac.new(
                secret.encode(), b"voipbin recordingfiles", hashlib.sha256
            ).digest()
        return self._key

    async def _signature(self, recording_id: str, expires: int) -> str:
        message = f"{recording_id}:{expires}".encode()
        return hmac.new(await self._signing_key(), message, hashlib.sha256).hexdigest()

    async def link(self, recording_id: str, now: datetime) -> str:
        """The link to the recording's zip, valid ``seconds`` from ``now``."""
        expires = math.ceil(now.timestamp()) + self.seconds
        query = urlencode(
            {"expires": expires, "signature": await self._signature(recording_id, expires)}
        )
        return f"{DOWNLOAD_PATH.format(id=recording_id)}?{query}"

    async def check(self, recording_id: str, expires: str, signature: str, now: datetime) -> None:
        """``403 RECORDING_FILE_LINK_INVALID`` unless the link is one this server made for
        ``recording_id`` and it has not expired at ``now``."""
        try:
            expiry = int(expires)
        except ValueError:
            expiry = -1
        expected = await self._signature(recording_id, expiry)
        given = signature.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(expected.encode(), given) or now.timestamp() > expiry:
            raise PermissionDenied("RECORDING_FILE_LINK_INVALID")
