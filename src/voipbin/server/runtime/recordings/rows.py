"""A recording's row as the runtime reads it: the model's fields, then the name of its files,
the files and what ends it (:mod:`voipbin.server.runtime.rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.recording import Recording, RecordingStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, id_or_none, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import Repository

#: The model's fields, in its order: what the API shows and events carry.
RECORDING_FIELDS: tuple[str, ...] = Recording.__struct_fields__
#: What only the runtime reads, after them.
RUNTIME_FIELDS: tuple[str, ...] = ("recording_name", "filenames", "end_of_key", "duration")
FIELDS: tuple[str, ...] = (*RECORDING_FIELDS, *RUNTIME_FIELDS)

RecordingWire = wire_struct(Recording)
_names = msgspec.json.Decoder(list[str])


@dataclass(frozen=True, slots=True)
class RecordingRow(StoredRow):
    """One stored recording, by field name."""

    MODEL_FIELDS = RECORDING_FIELDS
    WIRE = RecordingWire

    @property
    def status(self) -> RecordingStatus:
        return cast(RecordingStatus, self.values["status"])

    @property
    def reference_id(self) -> str:
        return str(self.values["reference_id"])

    @property
    def on_end_flow_id(self) -> str | None:
        return id_or_none(self.values["on_end_flow_id"])

    @property
    def recording_name(self) -> str:
        return str(self.values["recording_name"])

    @property
    def filenames(self) -> list[str]:
        return _names.decode(raw_json(self.values["filenames"]))

    @property
    def end_of_key(self) -> str:
        return str(self.values["end_of_key"])

    @property
    def deleted(self) -> bool:
        return str(self.values["tm_delete"]) != SENTINEL_TEXT

    @property
    def seconds(self) -> float:
        """How long it recorded: ``tm_start`` to ``tm_end`` (0 before both are set)."""
        start, end = self.time("tm_start"), self.time("tm_end")
        if start is None or end is None:
            return 0.0
        return max((end - start).total_seconds(), 0.0)


class RecordingRows(RuntimeRows[RecordingRow]):
    """The recordings' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, RecordingRow, FIELDS)

    async def move(
        self, executor: Executor, recording: RecordingRow, values: Mapping[str, Any]
    ) -> RecordingRow | None:
        """Write ``values`` if the recording is still as read (its status): one conditional
        UPDATE; ``None`` when it changed meanwhile."""
        return await self.update(executor, recording.id, values, {"status": recording.status})
