"""The calls resource's side of the runtime: each API request on a call as one transaction
of :class:`~voipbin.server.runtime.calls.service.CallRuntime` (the ``CallControl`` the
resource's hooks are given)."""

from __future__ import annotations

from typing import Any, cast

import msgspec

from voipbin.common.errors import NotFound
from voipbin.common.ids import new_id
from voipbin.models.recording import RecordingStart
from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime
from voipbin.server.runtime.carrier.base import Direction, Media, Toggle
from voipbin.server.runtime.recordings.service import RecordingRuntime
from voipbin.server.storage.database import Executor, Row


class RuntimeCallControl:
    """``CallControl`` over a :class:`CallRuntime` (and its recordings)."""

    def __init__(self, runtime: CallRuntime, recordings: RecordingRuntime) -> None:
        self.runtime = runtime
        self.recordings = recordings

    async def _call(self, tx: Executor, call_id: str) -> CallRow:
        call = await self.runtime.rows.get(call_id, tx)
        if call is None:
            raise NotFound("CALL_NOT_FOUND")
        return call

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        return await self.runtime.create(ctx, body, commit_with)

    async def hangup(self, call_id: str) -> Row:
        async with self.runtime.db.transaction() as tx:
            call = await self.runtime.hangup(tx, await self._call(tx, call_id))
        return call.shown

    async def delete(self, call_id: str) -> None:
        async with self.runtime.db.transaction() as tx:
            await self.runtime.delete(tx, await self._call(tx, call_id))

    async def toggle(self, call_id: str, toggle: str, on: bool, direction: str) -> None:
        async with self.runtime.db.transaction() as tx:
            call = await self._call(tx, call_id)
            await self.runtime.toggle(
                tx, call, cast(Toggle, toggle), on, cast(Direction, direction or "both")
            )

    async def talk(self, call_id: str, text: str, language: str) -> None:
        async with self.runtime.db.transaction() as tx:
            call = await self._call(tx, call_id)
            await self.runtime.answer(tx, call)
            media = Media(text=text, language=language)
            await self.runtime.play(tx, call, media, str(new_id()))

    async def recording_start(self, call_id: str, options: RecordingStart) -> Row:
        async with self.runtime.db.transaction() as tx:
            call = await self.recordings.start(tx, await self._call(tx, call_id), options)
        return call.shown

    async def recording_stop(self, call_id: str) -> Row:
        async with self.runtime.db.transaction() as tx:
            call = await self.recordings.stop(tx, await self._call(tx, call_id))
        return call.shown
