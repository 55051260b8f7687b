"""A call's row as the runtime reads it: the model's fields, then the network leg, the routes
chosen at creation and the one in use. Reads and conditional writes go through one
:class:`~voipbin.server.storage.repository.Repository`; nothing here talks SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import msgspec

from voipbin.common.address import Address
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import read_timestamp
from voipbin.models.call import Call, CallDirection, CallStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.carrier.base import CarrierRoute, Leg
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

#: The model's fields, in its order: what the API shows and events carry.
CALL_FIELDS: tuple[str, ...] = Call.__struct_fields__
#: What only the runtime reads, after them.
LEG_FIELDS: tuple[str, ...] = ("leg_id", "routes", "route_index")
FIELDS: tuple[str, ...] = (*CALL_FIELDS, *LEG_FIELDS)

CallWire = wire_struct(Call)
_routes = msgspec.json.Decoder(list[CarrierRoute])
_address = msgspec.json.Decoder(Address)
_ids = msgspec.json.Decoder(list[str])
_encoder = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """``value`` as the JSON text a JSON column is written with."""
    return _encoder.encode(value).decode()


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


def _id_or_none(value: Any) -> str | None:
    """An id column's value; ``None`` for the empty UUID."""
    text = str(value)
    return None if text in ("", EMPTY_UUID_TEXT, "None") else text


@dataclass(frozen=True, slots=True)
class CallRow:
    """One stored call, by field name."""

    values: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def customer_id(self) -> str:
        return str(self.values["customer_id"])

    @property
    def status(self) -> CallStatus:
        return cast(CallStatus, self.values["status"])

    @property
    def direction(self) -> CallDirection:
        return cast(CallDirection, self.values["direction"])

    @property
    def destination(self) -> Address:
        return _address.decode(_raw(self.values["destination"]))

    @property
    def source(self) -> Address:
        return _address.decode(_raw(self.values["source"]))

    @property
    def remote(self) -> Address:
        """The far end: the destination of an outgoing call, the caller of an incoming one."""
        return self.source if self.direction == "incoming" else self.destination

    @property
    def activeflow_id(self) -> str | None:
        """The call's activeflow, if it runs one."""
        return _id_or_none(self.values["activeflow_id"])

    @property
    def master_call_id(self) -> str | None:
        """The call whose flow made this one, if any."""
        return _id_or_none(self.values["master_call_id"])

    @property
    def chained_call_ids(self) -> list[str]:
        """Calls that hang up when this one does."""
        return [str(i) for i in _ids.decode(_raw(self.values["chained_call_ids"]))]

    @property
    def recording_id(self) -> str | None:
        """The recording running now, if any."""
        return _id_or_none(self.values["recording_id"])

    @property
    def recording_ids(self) -> list[str]:
        """Every recording of the call, earliest first."""
        return [str(i) for i in _ids.decode(_raw(self.values["recording_ids"]))]

    @property
    def leg(self) -> Leg:
        return Leg(id=str(self.values["leg_id"]), remote=self.remote)

    @property
    def routes(self) -> list[CarrierRoute]:
        return _routes.decode(_raw(self.values["routes"]))

    @property
    def route_index(self) -> int:
        return int(self.values["route_index"])

    def time(self, field: str) -> datetime | None:
        """A timestamp field (stored in wire form) as a time; ``None`` when unset."""
        return read_timestamp(str(self.values[field]))

    @property
    def shown(self) -> Row:
        """The row as the API shows it (the model's fields)."""
        return [self.values[f] for f in CALL_FIELDS]

    @property
    def wire(self) -> msgspec.Struct:
        return CallWire(*self.shown)


class CallRows:
    """The calls' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        if repository.fields != FIELDS:
            raise ValueError("the runtime reads calls with the model's fields and the leg's")
        self.repository = repository

    def _row(self, row: Row | None) -> CallRow | None:
        return None if row is None else CallRow(dict(zip(FIELDS, row, strict=True)))

    async def get(self, call_id: str, executor: Executor | None = None) -> CallRow | None:
        return self._row(await self.repository.get(call_id, executor))

    async def insert(self, values: Mapping[str, Any], executor: Executor) -> CallRow:
        row = self._row(await self.repository.insert(values, executor))
        assert row is not None
        return row

    async def move(
        self,
        executor: Executor,
        call: CallRow,
        values: Mapping[str, Any],
        *,
        expected: Mapping[str, Any] | None = None,
    ) -> CallRow | None:
        """Write ``values`` to the live call if it still holds ``expected`` (by default its
        status and leg as read): one conditional UPDATE; ``None`` when it changed meanwhile."""
        wanted = expected or {"status": call.status, "leg_id": call.values["leg_id"]}
        updated = await self.repository.update(call.id, values, expected=wanted, executor=executor)
        return self._row(updated)

    async def soft_delete(self, executor: Executor, call: CallRow) -> CallRow | None:
        if not await self.repository.soft_delete(call.id, executor=executor):
            return None
        return await self.get(call.id, executor)
