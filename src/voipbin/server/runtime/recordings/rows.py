"""A recording's row as the runtime reads it: the model's fields, then the name of its files,
the files and what ends it. Reads and conditional writes go through one
:class:`~voipbin.server.storage.repository.Repository`; nothing here talks SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import msgspec

from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import SENTINEL_TEXT, read_timestamp
from voipbin.models.recording import Recording, RecordingStatus
from voipbin.models.wire import wire_struct
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

#: The model's fields, in its order: what the API shows and events carry.
RECORDING_FIELDS: tuple[str, ...] = Recording.__struct_fields__
#: What only the runtime reads, after them.
RUNTIME_FIELDS: tuple[str, ...] = ("recording_name", "filenames", "end_of_key", "duration")
FIELDS: tuple[str, ...] = (*RECORDING_FIELDS, *RUNTIME_FIELDS)

RecordingWire = wire_struct(Recording)
_names = msgspec.json.Decoder(list[str])


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


@dataclass(frozen=True, slots=True)
class RecordingRow:
    """One stored recording, by field name."""

    values: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def customer_id(self) -> str:
        return str(self.values["customer_id"])

    @property
    def status(self) -> RecordingStatus:
        return cast(RecordingStatus, self.values["status"])

    @property
    def reference_id(self) -> str:
        return str(self.values["reference_id"])

    @property
    def on_end_flow_id(self) -> str | None:
        value = str(self.values["on_end_flow_id"])
        return None if value == EMPTY_UUID_TEXT else value

    @property
    def recording_name(self) -> str:
        return str(self.values["recording_name"])

    @property
    def filenames(self) -> list[str]:
        return _names.decode(_raw(self.values["filenames"]))

    @property
    def end_of_key(self) -> str:
        return str(self.values["end_of_key"])

    @property
    def deleted(self) -> bool:
        return str(self.values["tm_delete"]) != SENTINEL_TEXT

    def time(self, field: str) -> datetime | None:
        """A timestamp field (stored in wire form) as a time; ``None`` when unset."""
        return read_timestamp(str(self.values[field]))

    @property
    def seconds(self) -> float:
        """How long it recorded: ``tm_start`` to ``tm_end`` (0 before both are set)."""
        start, end = self.time("tm_start"), self.time("tm_end")
        if start is None or end is None:
            return 0.0
        return max((end - start).total_seconds(), 0.0)

    @property
    def shown(self) -> Row:
        """The row as the API shows it (the model's fields)."""
        return [self.values[f] for f in RECORDING_FIELDS]

    @property
    def wire(self) -> msgspec.Struct:
        return RecordingWire(*self.shown)


class RecordingRows:
    """The recordings' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        if repository.fields != FIELDS:
            raise ValueError("the runtime reads recordings with the model's fields and its own")
        self.repository = repository

    def _row(self, row: Row | None) -> RecordingRow | None:
        return None if row is None else RecordingRow(dict(zip(FIELDS, row, strict=True)))

    async def get(self, recording_id: str, executor: Executor | None = None) -> RecordingRow | None:
        return self._row(await self.repository.get(recording_id, executor))

    async def insert(self, values: Mapping[str, Any], executor: Executor) -> RecordingRow:
        row = self._row(await self.repository.insert(values, executor))
        assert row is not None
        return row

    async def move(
        self, executor: Executor, recording: RecordingRow, values: Mapping[str, Any]
    ) -> RecordingRow | None:
        """Write ``values`` if the recording is still as read (its status): one conditional
        UPDATE; ``None`` when it changed meanwhile."""
        updated = await self.repository.update(
            recording.id, values, expected={"status": recording.status}, executor=executor
        )
        return self._row(updated)

    async def soft_delete(self, executor: Executor, recording: RecordingRow) -> bool:
        return await self.repository.soft_delete(recording.id, executor=executor)
