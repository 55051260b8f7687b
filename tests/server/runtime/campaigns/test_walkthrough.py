"""README "An outbound campaign, end to end": 50 targets across the reserved test numbers, a
``type: flow`` campaign with service level 5, run to its end on the virtual clock. What the
campaigncalls and the targets must be is computed here from each number's scripted outcome
(docs/simulator.md) and the outplan's retry rules, not from the server's answers; and no more
than 5 calls are ever up at once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from tests.server.conftest import StartApp
from tests.server.runtime.campaigns.kit import (
    ANSWER,
    BUSY,
    FAIL,
    GREETING,
    HANGUP,
    MACHINE,
    NOANSWER,
    REJECT,
    UNALLOCATED,
    dialer,
)

RESERVED = [ANSWER, BUSY, NOANSWER, FAIL, HANGUP, REJECT, UNALLOCATED, MACHINE]
#: The reserved numbers whose far end answers (the others are busy, ring out, fail, reject).
ANSWERS = {ANSWER, HANGUP, MACHINE}
MAX_TRIES = [2, 1]
OUTPLAN = {
    "max_try_count_0": MAX_TRIES[0],
    "max_try_count_1": MAX_TRIES[1],
    "try_interval": 30_000,
    "dial_timeout": 20_000,
}
SERVICE_LEVEL = 5


def destinations(i: int) -> list[str]:
    """Target ``i``'s numbers: every reserved number first in turn; every other target has
    a second number to fall back on."""
    first = RESERVED[i % len(RESERVED)]
    return [first, RESERVED[(3 * i + 1) % len(RESERVED)]] if i % 2 == 0 else [first]


def expected(numbers: list[str]) -> tuple[list[tuple[int, int, str]], str, list[int]]:
    """The dials of a target with these numbers (index, try, result), its result and its
    try counts: each number in order, each up to its tries, until one answers."""
    dials: list[tuple[int, int, str]] = []
    counts = [0] * len(numbers)
    for index, number in enumerate(numbers):
        for attempt in range(1, MAX_TRIES[index] + 1):
            counts[index] = attempt
            if number in ANSWERS:
                dials.append((index, attempt, "success"))
                return dials, "success", counts
            dials.append((index, attempt, "fail"))
    return dials, "fail", counts


def most_at_once(calls: list[dict[str, Any]]) -> int:
    """The most calls up at one moment (a call is up from its creation to its hangup)."""
    moments: list[tuple[datetime, int]] = []
    for call in calls:
        moments.append((datetime.fromisoformat(call["tm_create"]), 1))
        moments.append((datetime.fromisoformat(call["tm_hangup"]), -1))
    up = most = 0
    for _, step in sorted(moments):  # at one instant, a hangup (-1) counts first
        up += step
        most = max(most, up)
    return most


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_fifty_targets_end_as_their_numbers_and_the_retry_rules_say(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    plan = await d.outplan(**OUTPLAN)
    numbers = [destinations(i) for i in range(50)]
    outdial = await d.outdial(numbers)
    campaign = await d.campaign(
        type="flow",
        service_level=SERVICE_LEVEL,
        actions=GREETING,
        outplan_id=plan,
        outdial_id=outdial,
    )
    await d.status(campaign["id"], "run")
    for _ in range(60):
        await d.advance(60)
        if (await d.get(f"/v1.0/campaigns/{campaign['id']}"))["status"] == "stop":
            break
    ended = await d.get(f"/v1.0/campaigns/{campaign['id']}")
    assert (ended["status"], ended["stop_reason"]) == ("stop", "end")

    targets = await d.targets(outdial)
    position = {t["id"]: i for i, t in enumerate(targets)}
    want_dials: Counter[tuple[int, int, int, str]] = Counter()
    for i, target_numbers in enumerate(numbers):
        dials, result, counts = expected(target_numbers)
        want_dials.update((i, index, attempt, r) for index, attempt, r in dials)
        target = targets[i]
        assert target["destination_0"]["target"] == target_numbers[0]
        assert (target["status"], target["result"]) == ("done", result), i
        got = [target[f"try_count_{n}"] for n in range(len(counts))]
        assert got == counts, i

    campaigncalls = await d.campaigncalls(campaign["id"])
    got_dials = Counter(
        (position[c["outdial_target_id"]], c["destination_index"], c["try_count"], c["result"])
        for c in campaigncalls
    )
    assert got_dials == want_dials
    assert {c["status"] for c in campaigncalls} == {"done"}
    for c in campaigncalls:
        target_numbers = numbers[position[c["outdial_target_id"]]]
        assert c["destination"]["target"] == target_numbers[c["destination_index"]]

    ids = {c["reference_id"] for c in campaigncalls}
    calls = [c for c in await d.all("/v1.0/calls?direction=outgoing") if c["id"] in ids]
    assert len(calls) == len(campaigncalls)
    assert most_at_once(calls) == SERVICE_LEVEL
