"""A call's row as the runtime reads it: the model's fields, then the network leg, the routes
chosen at creation and the one in use (:mod:`voipbin.server.runtime.rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from voipbin.common.address import Address
from voipbin.models.call import Call, CallDirection, CallStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.carrier.base import CarrierRoute, Leg
from voipbin.server.runtime.rows import (
    RuntimeRows,
    StoredRow,
    id_or_none,
    raw_json,
)
from voipbin.server.storage.database import Executor
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


@dataclass(frozen=True, slots=True)
class CallRow(StoredRow):
    """One stored call, by field name."""

    MODEL_FIELDS = CALL_FIELDS
    WIRE = CallWire

    @property
    def status(self) -> CallStatus:
        return cast(CallStatus, self.values["status"])

    @property
    def direction(self) -> CallDirection:
        return cast(CallDirection, self.values["direction"])

    @property
    def destination(self) -> Address:
        return _address.decode(raw_json(self.values["destination"]))

    @property
    def source(self) -> Address:
        return _address.decode(raw_json(self.values["source"]))

    @property
    def remote(self) -> Address:
        """The far end: the destination of an outgoing call, the caller of an incoming one."""
        return self.source if self.direction == "incoming" else self.destination

    @property
    def activeflow_id(self) -> str | None:
        """The call's activeflow, if it runs one."""
        return id_or_none(self.values["activeflow_id"])

    @property
    def master_call_id(self) -> str | None:
        """The call whose flow made this one, if any."""
        return id_or_none(self.values["master_call_id"])

    @property
    def chained_call_ids(self) -> list[str]:
        """Calls that hang up when this one does."""
        return [str(i) for i in _ids.decode(raw_json(self.values["chained_call_ids"]))]

    @property
    def recording_id(self) -> str | None:
        """The recording running now, if any."""
        return id_or_none(self.values["recording_id"])

    @property
    def recording_ids(self) -> list[str]:
        """Every recording of the call, earliest first."""
        return [str(i) for i in _ids.decode(raw_json(self.values["recording_ids"]))]

    @property
    def leg(self) -> Leg:
        return Leg(id=str(self.values["leg_id"]), remote=self.remote)

    @property
    def routes(self) -> list[CarrierRoute]:
        return _routes.decode(raw_json(self.values["routes"]))

    @property
    def route_index(self) -> int:
        return int(self.values["route_index"])


class CallRows(RuntimeRows[CallRow]):
    """The calls' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, CallRow, FIELDS)

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
        return await self.update(executor, call.id, values, wanted)
