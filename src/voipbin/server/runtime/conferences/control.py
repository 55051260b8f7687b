"""The conferences and conferencecalls resources' side of the runtime: each API request as
one transaction of :class:`~voipbin.server.runtime.conferences.service.ConferenceRuntime`
(the ``ConferenceControl`` the resources' hooks are given)."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.runtime.conferences.service import ConferenceRuntime
from voipbin.server.storage.database import Row


class RuntimeConferenceControl:
    """``ConferenceControl`` over a :class:`ConferenceRuntime`."""

    def __init__(self, runtime: ConferenceRuntime) -> None:
        self.runtime = runtime

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        return await self.runtime.create(ctx, body, commit_with)

    async def update(self, conference_id: str, values: dict[str, Any]) -> Row:
        return (await self.runtime.update(conference_id, values)).shown

    async def delete(self, conference_id: str) -> bool:
        return await self.runtime.delete(conference_id)

    async def recording_start(self, conference_id: str, options: Any) -> Row:
        return (await self.runtime.recording_start(conference_id, options)).shown

    async def recording_stop(self, conference_id: str) -> Row:
        return (await self.runtime.recording_stop(conference_id)).shown

    async def kick(self, conferencecall_id: str) -> None:
        await self.runtime.kick(conferencecall_id)
