"""Agents as a queue uses them: the available ones it may ring, and their status, moved by
one UPDATE conditional on the status read (``available -> ringing`` claims an agent: two
dispatchers, on two processes, never ring one agent for two callers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from voipbin.common.timestamps import read_timestamp
from voipbin.server.runtime.queues.machine import Candidate
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery, Repository

#: What the pool reads of an agent.
AGENT_FIELDS: tuple[str, ...] = ("id", "status", "tm_available", "tm_create")
#: The most agents looked at per offer (upstream's).
CANDIDATES = 100

Announce = Callable[[Executor, str], Awaitable[None]]
"""Writes an agent's ``agent_status_updated`` event in the transaction that moved it."""


async def _silent(tx: Executor, agent_id: str) -> None:
    return None


def _time(value: object) -> datetime | None:
    return read_timestamp(str(value))


class AgentPool:
    """The agents' table, read with :data:`AGENT_FIELDS`."""

    def __init__(self, repository: Repository, announce: Announce = _silent) -> None:
        self.repository = repository
        self.announce = announce

    async def available(
        self, tx: Executor, customer_id: str, tag_ids: list[str]
    ) -> list[Candidate]:
        """The customer's available agents holding one of ``tag_ids`` (any, with none)."""
        query = ListQuery(
            limit=CANDIDATES,
            customer_id=customer_id,
            equals={"status": "available"},
            any_of={"tag_ids": tag_ids} if tag_ids else {},
            oldest_first=True,
        )
        found = []
        for row in await self.repository.list(query, tx):
            created = _time(row[3])
            assert created is not None
            found.append(Candidate(str(row[0]), _time(row[2]), created))
        return found

    async def move(self, tx: Executor, agent_id: str, current: str, to: str, now: datetime) -> bool:
        """``current -> to`` if the agent is still ``current``; whether it moved. Becoming
        ``available`` records when (``longest_idle`` reads it)."""
        values: dict[str, object] = {"status": to}
        if to == "available":
            values["tm_available"] = now
        moved = await self.repository.update(
            agent_id, values, expected={"status": current}, executor=tx
        )
        if moved is None:
            return False
        await self.announce(tx, agent_id)
        return True
