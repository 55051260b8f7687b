"""Rows the runtime owns (calls, groupcalls...): the resource's model fields, then the
runtime's own columns, read by field name and written by conditional UPDATEs through one
:class:`~voipbin.server.storage.repository.Repository`. Nothing here talks SQL.

A kind of row declares its fields and what one row reads like (a :class:`StoredRow`
subclass); :class:`RuntimeRows` gives the reads and writes every kind shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import read_timestamp
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository


def id_or_none(value: Any) -> str | None:
    """An id column's value; ``None`` for the empty UUID."""
    text = str(value)
    return None if text in ("", EMPTY_UUID_TEXT, "None") else text


def raw_json(value: Any) -> bytes:
    """A JSON column's value as bytes."""
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


_encoder = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """``value`` as the JSON text a JSON column is written with."""
    return _encoder.encode(value).decode()


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored row, by field name. Subclasses name the model's fields (``shown``) and
    the struct it is sent as (``wire``)."""

    values: Mapping[str, Any]

    MODEL_FIELDS: ClassVar[tuple[str, ...]] = ()
    WIRE: ClassVar[type[msgspec.Struct]]

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def customer_id(self) -> str:
        return str(self.values["customer_id"])

    def time(self, field: str) -> datetime | None:
        """A timestamp field (stored in wire form) as a time; ``None`` when unset."""
        return read_timestamp(str(self.values[field]))

    @property
    def shown(self) -> Row:
        """The row as the API shows it (the model's fields)."""
        return [self.values[f] for f in self.MODEL_FIELDS]

    @property
    def wire(self) -> msgspec.Struct:
        return self.WIRE(*self.shown)


R = TypeVar("R", bound=StoredRow)


class RuntimeRows(Generic[R]):
    """A runtime table: rows of ``kind`` read with ``fields``."""

    def __init__(self, repository: Repository, kind: type[R], fields: tuple[str, ...]) -> None:
        if repository.fields != fields:
            raise ValueError(f"{kind.__name__}s are read with the model's fields and their own")
        self.repository = repository
        self.kind = kind
        self.fields = fields

    def row(self, row: Row | None) -> R | None:
        return None if row is None else self.kind(dict(zip(self.fields, row, strict=True)))

    async def get(self, id: str, executor: Executor | None = None) -> R | None:
        return self.row(await self.repository.get(id, executor))

    async def insert(self, values: Mapping[str, Any], executor: Executor) -> R:
        row = self.row(await self.repository.insert(values, executor))
        assert row is not None
        return row

    async def update(
        self,
        executor: Executor,
        id: str,
        values: Mapping[str, Any],
        expected: Mapping[str, Any],
    ) -> R | None:
        """Write ``values`` to the live row if it still holds ``expected``: one conditional
        UPDATE; ``None`` when it changed meanwhile."""
        return self.row(
            await self.repository.update(id, values, expected=expected, executor=executor)
        )

    async def soft_delete(self, executor: Executor, row: R) -> R | None:
        """Delete ``row`` (soft); the row after, ``None`` when it was deleted already."""
        if not await self.repository.soft_delete(row.id, executor=executor):
            return None
        return await self.get(row.id, executor)
