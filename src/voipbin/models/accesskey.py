"""Access keys: long-lived credentials that act as their customer's admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

#: Seconds until the key expires (up to 100 years); without it the key does not expire.
ExpireSeconds = Annotated[int, msgspec.Meta(ge=1, le=100 * 366 * 86400)]


class Accesskey(msgspec.Struct, kw_only=True):
    """An access key. ``token_prefix`` identifies it; the token itself is never shown again."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    token_prefix: str
    tm_expire: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class AccesskeyCreated(Accesskey, kw_only=True):
    """The answer to ``POST /v1.0/accesskeys``: the only time the token is shown."""

    token: str


class AccesskeyCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/accesskeys``. ``customer_id`` is read from super-admins only."""

    name: OptionalName = ""
    detail: Detail = ""
    expire: ExpireSeconds | None = None
    customer_id: UUID | None = None


class AccesskeyUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/accesskeys/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET


ACCESSKEYS = ResourceSpec(
    name="accesskey",
    plural="accesskeys",
    model=Accesskey,
    create=AccesskeyCreate,
    update=AccesskeyUpdate,
    created=AccesskeyCreated,
    summary="Access keys: credentials acting as their customer's admin.",
)
