"""Extensions: SIP endpoints of a customer (a desk phone, a softphone) that register and call
with a username and a password. The password is written, never shown."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.fields import (
    Detail,
    ExtensionNumber,
    OptionalName,
    OptionalSipPassword,
    SipPassword,
)


class Extension(msgspec.Struct, kw_only=True):
    """An extension. ``username`` is the extension number and ``domain_name`` the customer's
    SIP domain (``<customer_id>.<sip domain>``): together, what a phone registers with."""

    id: UUID
    customer_id: UUID
    extension: str
    name: str
    detail: str
    domain_name: str
    username: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class ExtensionCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/extensions``. ``customer_id`` is read from super-admins only."""

    extension: ExtensionNumber
    password: SipPassword
    name: OptionalName = ""
    detail: Detail = ""
    customer_id: UUID | None = None


class ExtensionUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/extensions/{id}``; a field left out keeps its value, and so does
    an empty ``password`` (the upstream clients send one with every update)."""

    name: OptionalName | msgspec.UnsetType = msgspec.UNSET
    detail: Detail | msgspec.UnsetType = msgspec.UNSET
    password: OptionalSipPassword | msgspec.UnsetType = msgspec.UNSET


EXTENSIONS = ResourceSpec(
    name="extension",
    plural="extensions",
    model=Extension,
    create=ExtensionCreate,
    update=ExtensionUpdate,
    filters=(Filter("extension", "text", description="Exact extension number."),),
    summary="Extensions: SIP phones of a customer and their credentials (write-only).",
)
