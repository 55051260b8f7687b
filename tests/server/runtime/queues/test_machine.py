"""The queuecall rules as data (every transition's effect on its queue), the order agents
are offered callers in, and the agent claim two dispatchers race for (both databases)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from tests.server.conftest import StartApp
from tests.server.runtime.queues.kit import center
from voipbin.server.runtime.queues import machine
from voipbin.server.runtime.queues.agents import AGENT_FIELDS, AgentPool
from voipbin.server.runtime.queues.machine import Candidate, QueueChange
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import agent_agents

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_transition_and_what_it_does_to_its_queue() -> None:
    moves = {(a, b) for a, targets in machine.TRANSITIONS.items() for b in targets}
    assert moves == {
        ("initiating", "waiting"),
        ("initiating", "abandoned"),
        ("waiting", "connecting"),
        ("waiting", "abandoned"),
        ("connecting", "service"),
        ("connecting", "waiting"),
        ("connecting", "abandoned"),
        ("service", "done"),
    }
    assert {to for _, to in moves} == set(machine.EVENTS)
    changes = {move: machine.queue_change(*move) for move in moves}
    assert changes[("initiating", "waiting")] == QueueChange(incoming=1, wait_add=True)
    assert changes[("connecting", "service")] == QueueChange(
        serviced=1, wait_remove=True, service_add=True
    )
    assert changes[("service", "done")] == QueueChange(service_remove=True)
    for current in ("waiting", "connecting"):
        assert changes[(current, "abandoned")] == QueueChange(abandoned=1, wait_remove=True)
    # Ringing an agent, and back in line: the caller keeps its place.
    assert changes[("waiting", "connecting")].empty
    assert changes[("connecting", "waiting")].empty
    assert machine.applied(["a", "b"], "a", add=True, remove=False) == ["a", "b"]


def test_longest_idle_offers_the_agent_available_longest_first() -> None:
    never = Candidate("never", None, T0 + timedelta(hours=1))
    early = Candidate("early", T0 + timedelta(minutes=1), T0)
    late = Candidate("late", T0 + timedelta(minutes=5), T0)
    assert machine.routed("longest_idle", [late, early, never], random.Random(0)) == [
        "never",
        "early",
        "late",
    ]
    shuffled = machine.routed("random", [late, early, never], random.Random(0))
    assert sorted(shuffled) == ["early", "late", "never"]


async def test_two_dispatchers_claiming_one_agent_at_once_ring_it_once(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    agent_id = await c.agent("eve")
    state = c.api.state
    pool = AgentPool(Repository(state.db, agent_agents, AGENT_FIELDS, state.clock))

    async def claim() -> bool:
        async with state.db.transaction() as tx:
            won = await pool.move(tx, agent_id, "available", "ringing", T0)
            await asyncio.sleep(0.05)  # hold the claim a moment before committing
            return won

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]
    assert await c.agent_status(agent_id) == "ringing"
