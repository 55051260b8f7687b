"""The README's calls walkthrough (``examples/calls_walkthrough.py``) against the real app on a
virtual clock: every outcome it prints is the one the README and docs/simulator.md promise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from examples import calls_walkthrough as walkthrough
from tests.client.harness import Sleeps, sync_client
from tests.inprocess import serving
from voipbin.client import Client


@pytest.fixture
def client(sqlite_url: str, sleeps: Sleeps) -> Iterator[Client]:
    with serving(sqlite_url, clock="virtual") as served, sync_client(served.transport, sleeps) as c:
        yield c


def test_the_walkthrough_ends_as_the_readme_says(client: Client) -> None:
    ivr = walkthrough.ivr(client)
    assert (ivr["status"], ivr["hangup_by"], ivr["hangup_reason"]) == ("hangup", "local", "normal")
    # A call to a virtual number: 1 token a started minute; answered for 9.9 s.
    assert ivr["billed"] == ("call_vn", 9, 1)
    assert ivr["events"][0] == "call_created"
    assert ivr["events"][-3:] == ["call_updated", "call_terminating", "call_hangup"]
    assert "call_progressing" in ivr["events"]

    source = walkthrough.ready_to_call(client)
    outcomes = walkthrough.reserved_numbers(client, source)
    assert outcomes == {
        "+15005550000": ("progressing", "", ""),
        "+15005550001": ("hangup", "remote", "busy"),
        "+15005550002": ("hangup", "remote", "noanswer"),
        "+15005550003": ("hangup", "remote", "failed"),
        "+15005550004": ("hangup", "remote", "normal"),
        "+15005550005": ("hangup", "remote", "noanswer"),
        "+15005550006": ("hangup", "remote", "failed"),
        "+15005550007": ("progressing", "", ""),
    }

    group = walkthrough.groupcall(client, source)
    assert group["status"] == "progressing"
    assert group["legs"] == {
        "+15005550000": ("progressing", "", ""),
        "+15005550001": ("hangup", "remote", "busy"),
        "+15005550002": ("hangup", "local", "cancel"),
    }
