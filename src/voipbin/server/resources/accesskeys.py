"""Access keys: ``vb_`` and 32 random characters, shown once at creation; stored as a
SHA-256 hash and a short prefix for display; optionally expiring."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from voipbin.common.permissions import CUSTOMER_MANAGERS, Permission
from voipbin.models.accesskey import ACCESSKEYS, Accesskey
from voipbin.server.auth.tokens import ACCESSKEY_PREFIX, token_hash
from voipbin.server.resources.base import SHOWN_ONCE, Current, Rules, ServerResource, Values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import customer_accesskeys


def new_token() -> str:
    return ACCESSKEY_PREFIX + secrets.token_urlsafe(24)  # 24 bytes: 32 URL-safe characters


def new_key(name: str, detail: str, expires: datetime | None) -> tuple[Values, str]:
    """The stored values of a new key, and its token (which is not among them)."""
    token = new_token()
    values: Values = {
        "name": name,
        "detail": detail,
        "token_hash": token_hash(token),
        "token_prefix": token[:11],
        "tm_expire": expires,
    }
    return values, token


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    expires = None if body.expire is None else ctx.now + timedelta(seconds=body.expire)
    values, token = new_key(body.name, body.detail, expires)
    return {**values, SHOWN_ONCE: {"token": token}}


RESOURCE: ServerResource[Accesskey] = ServerResource(
    spec=ACCESSKEYS,
    table=customer_accesskeys,
    reason_prefix="ACCESSKEY",
    rules=Rules(
        read=CUSTOMER_MANAGERS,
        create=Permission.CUSTOMER_ADMIN,
        update=Permission.CUSTOMER_ADMIN,
        delete=Permission.CUSTOMER_ADMIN,
    ),
    prepare_create=_create,
    identity=True,
)
