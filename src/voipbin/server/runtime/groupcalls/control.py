"""The groupcalls resource's side of the runtime: each API request on a groupcall as one
transaction of :class:`~voipbin.server.runtime.groupcalls.service.GroupcallRuntime` (the
``GroupcallControl`` the resource's hooks are given)."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import NotFound
from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.runtime.groupcalls.rows import GroupcallRow
from voipbin.server.runtime.groupcalls.service import GroupcallRuntime
from voipbin.server.storage.database import Executor, Row


class RuntimeGroupcallControl:
    """``GroupcallControl`` over a :class:`GroupcallRuntime`."""

    def __init__(self, runtime: GroupcallRuntime) -> None:
        self.runtime = runtime

    async def _groupcall(self, tx: Executor, groupcall_id: str) -> GroupcallRow:
        groupcall = await self.runtime.rows.get(groupcall_id, tx)
        if groupcall is None:
            raise NotFound("GROUPCALL_NOT_FOUND")
        return groupcall

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        return await self.runtime.create(ctx, body, commit_with)

    async def hangup(self, groupcall_id: str) -> Row:
        async with self.runtime.db.transaction() as tx:
            groupcall = await self._groupcall(tx, groupcall_id)
            groupcall = await self.runtime.hangup(tx, groupcall)
        return groupcall.shown

    async def delete(self, groupcall_id: str) -> None:
        async with self.runtime.db.transaction() as tx:
            await self.runtime.delete(tx, await self._groupcall(tx, groupcall_id))
