"""Tags: labels for agents, queues and contacts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.fields import Detail, Name


class Tag(msgspec.Struct, kw_only=True):
    """A tag."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class TagCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/tags``."""

    name: Name
    detail: Detail = ""


class TagUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/tags/{id}``; a field left out keeps its value."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    detail: Detail | msgspec.UnsetType = msgspec.UNSET


TAGS = ResourceSpec(
    name="tag",
    plural="tags",
    model=Tag,
    create=TagCreate,
    update=TagUpdate,
    summary="Labels for agents, queues and contacts.",
)
