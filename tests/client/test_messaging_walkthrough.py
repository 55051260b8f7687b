"""The README's messaging walkthrough (``examples/messaging_walkthrough.py``) against the real app
on a virtual clock: every outcome it prints is the one the README and docs/simulator.md promise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from examples import messaging_walkthrough as walkthrough
from tests.client.harness import Sleeps, sync_client
from tests.inprocess import serving
from voipbin.client import Client


@pytest.fixture
def client(sqlite_url: str, sleeps: Sleeps, tmp_path: Path) -> Iterator[Client]:
    data = str(tmp_path / "data")
    with (
        serving(sqlite_url, clock="virtual", data_dir=data) as served,
        sync_client(served.transport, sleeps) as c,
    ):
        yield c


def test_the_messaging_walkthrough_ends_as_the_readme_says(client: Client) -> None:
    number = walkthrough.ready_to_send(client)
    recorded = walkthrough.recording(client, number)
    assert recorded == {
        "status": "ended",
        "files": {"in.wav": 61.0, "out.wav": 61.0},
        "billed": ("recording", 61, 2),
    }
    assert walkthrough.sms(client, number) == {
        "xxxxxxxxxxxx -> +15005550100": (2, "delivered"),
        "xxxxxxxxxxxx -> +15005550101": (2, "failed"),
        "xxxxxxxxxxxx -> +15005550102": (2, "dlr_timeout"),
        "xxxxxxxxxxxx -> +15005550103": (2, "gw_timeout"),
        "See you at 8 -> +15005550100": (1, "delivered"),
    }
    assert walkthrough.inbound_reply(client, number) == "You said: hello"
    # The number, the call and its recording, then one sms a target: 4 + 1 + the reply.
    paid = [(kind, cost) for kind, cost, _ in walkthrough.charges(client)]
    assert paid == [
        ("top_up", ""),
        ("adjustment", ""),
        ("usage", "number"),
        ("usage", "recording"),
        ("usage", "call_pstn_outgoing"),
        *[("usage", "sms")] * 6,
    ]
