"""The generic resource service: list, get, create, update and delete for any declared
resource, with its permission rules, tenancy and soft-deletion rules applied the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic

import msgspec

from voipbin.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from voipbin.common.ids import canonical_id
from voipbin.common.pagination import Page
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.base import M
from voipbin.models.wire import wire_struct
from voipbin.server.auth.principal import Principal
from voipbin.server.resources.base import ServerResource
from voipbin.server.resources.body import decode_body
from voipbin.server.resources.query import parse_list_query
from voipbin.server.storage.database import Row, UniqueViolation
from voipbin.server.storage.repository import Repository


def path_id(text: str) -> str:
    """An id from the path, or ``400 INVALID_ID``."""
    try:
        return canonical_id(text)
    except ValueError:
        raise InvalidArgument.field("id", "must be a UUID", "INVALID_ID") from None


class ResourceService(Generic[M]):
    def __init__(self, resource: ServerResource[M], repository: Repository) -> None:
        self.resource = resource
        self.spec = resource.spec
        self.rules = resource.rules
        self.repository = repository
        self.wire = wire_struct(self.spec.model)
        fields = repository.fields
        self._customer = fields.index("customer_id") if self.spec.customer_scoped else None
        self._deleted = fields.index("tm_delete")
        self._created = fields.index("tm_create")

    def _item(self, row: Row) -> msgspec.Struct:
        return self.wire(*row)

    async def list(self, principal: Principal, params: Mapping[str, str]) -> Page[Any]:
        principal.require(self.rules.read)
        query = parse_list_query(self.spec, params, principal)
        if query is None:
            return Page(result=[], next_page_token="")
        rows = await self.repository.list(query)
        token = ""
        if len(rows) >= query.limit:
            rows = rows[: query.limit - 1]
            token = str(rows[-1][self._created])
        wire = self.wire
        return Page(result=[wire(*row) for row in rows], next_page_token=token)

    async def _visible(self, principal: Principal, id: str) -> Row:
        row = await self.repository.get(id)
        if row is None or (
            self._customer is not None and not principal.sees(str(row[self._customer]))
        ):
            raise NotFound(self.resource.not_found)
        return row

    async def get(self, principal: Principal, id_text: str) -> msgspec.Struct:
        principal.require(self.rules.read)
        return self._item(await self._visible(principal, path_id(id_text)))

    async def create(self, principal: Principal, body: bytes) -> msgspec.Struct:
        principal.require(self.rules.create)
        assert self.spec.create is not None
        values = await self.resource.prepare_create(principal, decode_body(body, self.spec.create))
        if self._customer is not None:
            values["customer_id"] = principal.customer_id
        try:
            row = await self.repository.insert(values)
        except UniqueViolation as exc:
            raise self._duplicate(exc) from None
        return self._item(row)

    async def update(self, principal: Principal, id_text: str, body: bytes) -> msgspec.Struct:
        principal.require(self.rules.update)
        id = path_id(id_text)
        assert self.spec.update is not None
        decoded = decode_body(body, self.spec.update)
        row = await self._visible(principal, id)
        if row[self._deleted] != SENTINEL_TEXT:
            raise FailedPrecondition(self.resource.state_invalid)
        values = await self.resource.prepare_update(principal, decoded)
        if not values:
            return self._item(row)
        try:
            updated = await self.repository.update(id, values)
        except UniqueViolation as exc:
            raise self._duplicate(exc) from None
        if updated is None:  # deleted in the meantime
            raise FailedPrecondition(self.resource.state_invalid)
        return self._item(updated)

    async def delete(self, principal: Principal, id_text: str) -> None:
        principal.require(self.rules.delete)
        id = path_id(id_text)
        await self._visible(principal, id)
        await self.repository.soft_delete(id)

    def _duplicate(self, exc: UniqueViolation) -> Exception:
        known = self.resource.unique.get(exc.constraint)
        if known is None:
            return exc
        field, reason = known
        return AlreadyExists(reason, details=[{"field": field, "description": "already exists"}])
