"""The queuecalls resource's side of the runtime: each API request on a queuecall as one
transaction of :class:`~voipbin.server.runtime.queues.service.QueueRuntime` (the
``QueueControl`` the resource's hooks are given)."""

from __future__ import annotations

from voipbin.common.errors import NotFound
from voipbin.server.runtime.queues.rows import QueuecallRow
from voipbin.server.runtime.queues.service import QueueRuntime
from voipbin.server.storage.database import Executor, Row


class RuntimeQueueControl:
    """``QueueControl`` over a :class:`QueueRuntime`."""

    def __init__(self, runtime: QueueRuntime) -> None:
        self.runtime = runtime

    async def _queuecall(self, tx: Executor, queuecall_id: str) -> QueuecallRow:
        queuecall = await self.runtime.queuecalls.get(queuecall_id, tx)
        if queuecall is None:
            raise NotFound("QUEUECALL_NOT_FOUND")
        return queuecall

    async def kick(self, queuecall_id: str) -> Row:
        async with self.runtime.db.transaction() as tx:
            queuecall = await self.runtime.kick(tx, await self._queuecall(tx, queuecall_id))
        return queuecall.shown

    async def delete(self, queuecall_id: str) -> None:
        async with self.runtime.db.transaction() as tx:
            await self.runtime.delete(tx, await self._queuecall(tx, queuecall_id))
