"""Conferences' and participants' rows as the runtime reads them (the model's fields), read
and written by conditional UPDATEs (:mod:`voipbin.server.runtime.rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from voipbin.models.conference import (
    Conference,
    Conferencecall,
    ConferencecallStatus,
    ConferenceStatus,
)
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, id_or_none, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery, Repository

CONFERENCE_FIELDS: tuple[str, ...] = Conference.__struct_fields__
#: A conference's fields as the runtime reads them: the model's, then its version.
FIELDS: tuple[str, ...] = (*CONFERENCE_FIELDS, "version")
CONFERENCECALL_FIELDS: tuple[str, ...] = Conferencecall.__struct_fields__

ConferenceWire = wire_struct(Conference)
ConferencecallWire = wire_struct(Conferencecall)
_ids = msgspec.json.Decoder(list[str])
#: Most participations one call is looked up with (a call joins one conference at a time).
_PER_CALL = 100


@dataclass(frozen=True, slots=True)
class ConferenceRow(StoredRow):
    """One stored conference, by field name."""

    MODEL_FIELDS = CONFERENCE_FIELDS
    WIRE = ConferenceWire

    @property
    def status(self) -> ConferenceStatus:
        return cast(ConferenceStatus, self.values["status"])

    @property
    def type(self) -> str:
        return str(self.values["type"])

    def ids(self, field: str) -> list[str]:
        """A JSON list of ids (``conferencecall_ids``, ``recording_ids``)."""
        return _ids.decode(raw_json(self.values[field]))

    def flow(self, field: str) -> str | None:
        """``pre_flow_id`` or ``post_flow_id``; ``None`` when unset."""
        return id_or_none(self.values[field])

    @property
    def recording_id(self) -> str | None:
        return id_or_none(self.values["recording_id"])

    @property
    def deleted(self) -> bool:
        return self.time("tm_delete") is not None


@dataclass(frozen=True, slots=True)
class ConferencecallRow(StoredRow):
    """One stored participant, by field name."""

    MODEL_FIELDS = CONFERENCECALL_FIELDS
    WIRE = ConferencecallWire

    @property
    def status(self) -> ConferencecallStatus:
        return cast(ConferencecallStatus, self.values["status"])

    @property
    def conference_id(self) -> str:
        return str(self.values["conference_id"])

    @property
    def reference_id(self) -> str:
        return str(self.values["reference_id"])

    @property
    def activeflow_id(self) -> str | None:
        return id_or_none(self.values["activeflow_id"])


class ConferenceRows(RuntimeRows[ConferenceRow]):
    """The conferences' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, ConferenceRow, FIELDS)

    async def move(
        self, executor: Executor, conference: ConferenceRow, values: Mapping[str, Any]
    ) -> ConferenceRow | None:
        """Write ``values`` if the conference is still as read (its version): one
        conditional UPDATE; ``None`` when it changed meanwhile."""
        version = int(conference.values["version"])
        return await self.update(
            executor, conference.id, {**values, "version": version + 1}, {"version": version}
        )


class ConferencecallRows(RuntimeRows[ConferencecallRow]):
    """The participants' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, ConferencecallRow, CONFERENCECALL_FIELDS)

    async def move(
        self, executor: Executor, call: ConferencecallRow, values: Mapping[str, Any]
    ) -> ConferencecallRow | None:
        """Write ``values`` if the participant is still as read (its status)."""
        return await self.update(executor, call.id, values, {"status": call.status})

    async def of_call(self, executor: Executor, call_id: str) -> list[ConferencecallRow]:
        """The live participations of the call ``call_id``, newest first."""
        query = ListQuery(limit=_PER_CALL, equals={"reference_id": call_id})
        rows = await self.repository.list(query, executor)
        return [r for r in (self.row(row) for row in rows) if r is not None]
