"""The README's contact center walkthrough (``examples/contact_center.py``) against the real
app on a virtual clock: callers served in arrival order, one call at a time per agent, two
callers giving up, and every figure the README shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from examples import contact_center as walkthrough
from tests.client.harness import Sleeps, sync_client
from tests.inprocess import serving
from voipbin.client import Client


@pytest.fixture
def client(sqlite_url: str, sleeps: Sleeps) -> Iterator[Client]:
    with serving(sqlite_url, clock="virtual") as served, sync_client(served.transport, sleeps) as c:
        yield c


def test_the_contact_center_ends_as_the_readme_says(client: Client) -> None:
    agents = walkthrough.staff(client)
    queue_id = walkthrough.open_queue(client)
    day = walkthrough.rush_hour(client, queue_id, agents)
    # 18 s: the fourth caller (first in line) rings Cleo, freed by the third's ring; the
    # fifth, who came later, is next in line.
    assert day["at_18s"] == [("connecting", "cleo", 0), ("waiting", "", 1)]
    assert day["callers"] == [
        ("done", "ann"),
        ("done", "bob"),
        ("abandoned", ""),
        ("done", "cleo"),
        ("abandoned", ""),
    ]
    assert day["counts"] == (5, 3, 2)
    assert day["lists"] == ([], [])
    assert day["agents"] == {"ann": "available", "bob": "available", "cleo": "available"}
    # Each agent's status moves are events (agent_status_updated, upstream's): set available,
    # then rung, bridged and let go by the queue, in that order.
    for name, agent_id in agents.items():
        events = list(client.timeline_iter("agents", agent_id))[::-1]
        assert {e.event_type for e in events} <= {"agent_created", "agent_status_updated"}
        moves = [e.data["status"] for e in events if e.event_type == "agent_status_updated"]
        served = [c for c in day["callers"] if c[1] == name]
        expected = {
            "ann": ["available", "ringing", "busy", "available"],
            "bob": ["available", "ringing", "busy", "available"],
            # Cleo's first ring was for the caller who gave up: answered, let go at once.
            "cleo": ["available", "ringing", "available", "ringing", "busy", "available"],
        }[name]
        assert moves == expected, (name, served)
