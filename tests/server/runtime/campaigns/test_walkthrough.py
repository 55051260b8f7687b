"""README "An outbound campaign, end to end": 50 targets across the reserved test numbers, a
``type: flow`` campaign with service level 5, run to its end on the virtual clock. What the
campaigncalls and the targets must be is computed here from each number's scripted outcome
(docs/simulator.md) and the outplan's retry rules, not from the server's answers; and no more
than 5 calls are ever up at once. Then the section's ``type: call`` campaign feeding a queue
of two agents, and a flow campaign stopped while it runs, step by step with every figure the
README shows."""

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
    Dialer,
    agent,
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


def most_at_once(calls: list[dict[str, Any]], until: str = "tm_hangup") -> int:
    """The most calls up at one moment: a call is up from its creation to its hangup (or,
    with ``until="tm_progressing"``, ringing until it is answered)."""
    moments: list[tuple[datetime, int]] = []
    for call in calls:
        moments.append((datetime.fromisoformat(call["tm_create"]), 1))
        moments.append((datetime.fromisoformat(call[until]), -1))
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


def statuses(items: list[dict[str, Any]], field: str = "status") -> dict[str, int]:
    return dict(Counter(str(i[field]) for i in items))


async def agent_statuses(d: Dialer, agent_ids: list[str]) -> list[str]:
    return [(await d.get(f"/v1.0/agents/{a}"))["status"] for a in agent_ids]


async def test_a_call_campaign_rings_for_its_queue_s_available_agents(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    await agent(d, "ann")  # available, but without the queue's tag: never asked
    tag = (await d.send("POST", "/v1.0/tags", {"name": "callbacks"}, 201))["id"]
    agents = [await agent(d, "dave"), await agent(d, "erin")]  # answer at 2 s, talk 20 s
    for agent_id in agents:
        await d.send("PUT", f"/v1.0/agents/{agent_id}/tag_ids", {"tag_ids": [tag]})
    body = {"name": "callbacks", "routing_method": "longest_idle", "tag_ids": [tag]}
    queue = (await d.send("POST", "/v1.0/queues", body, 201))["id"]
    outdial = await d.outdial([[ANSWER]] * 8)
    plan = await d.outplan()  # one try a target
    campaign = (
        await d.campaign(
            type="call", service_level=100, outplan_id=plan, outdial_id=outdial, queue_id=queue
        )
    )["id"]
    assert (await d.status(campaign, "run"))["status"] == "run"

    await d.advance(1)  # two agents available at 100 %: two ring
    assert [c["status"] for c in await d.campaigncalls(campaign)] == ["dialing"] * 2
    await d.advance(9)  # 10 s: answered at 3 s, in the queue; both agents taken
    assert [c["status"] for c in await d.campaigncalls(campaign)] == ["progressing"] * 4
    queuecalls = list(reversed(await d.all(f"/v1.0/queuecalls?queue_id={queue}")))
    assert [q["status"] for q in queuecalls] == ["service", "service", "waiting", "waiting"]
    assert await agent_statuses(d, agents) == ["busy", "busy"]
    await d.advance(10)  # 20 s: no agent available, nothing dialled
    idle = await d.all(f"/v1.0/outdials/{outdial}/targets?status=idle")
    assert len(idle) == 4

    await d.advance(300)
    ended = await d.get(f"/v1.0/campaigns/{campaign}")
    assert (ended["status"], ended["stop_reason"]) == ("stop", "end")
    dials = await d.campaigncalls(campaign)
    assert [c["result"] for c in dials] == ["success"] * 8
    counters = await d.get(f"/v1.0/queues/{queue}")
    assert {k: counters[k] for k in ("wait_queuecall_ids", "service_queuecall_ids")} == {
        "wait_queuecall_ids": [],
        "service_queuecall_ids": [],
    }
    totals = ("total_incoming_count", "total_serviced_count", "total_abandoned_count")
    assert [counters[k] for k in totals] == [8, 8, 0]
    assert await agent_statuses(d, agents) == ["available", "available"]
    queuecalls = await d.all(f"/v1.0/queuecalls?queue_id={queue}")
    assert {q["reference_id"] for q in queuecalls} == {c["reference_id"] for c in dials}

    # Never more ringing at once than available agents x 100 %: two.
    ids = {c["reference_id"] for c in dials}
    calls = [c for c in await d.all("/v1.0/calls?direction=outgoing") if c["id"] in ids]
    assert most_at_once(calls, until="tm_progressing") == len(agents)
    # Each agent serves one caller at a time, 2 s ringing and 20 s talking: four rounds of
    # two, the last ending 3 + 4 x 22 s after the start at the earliest.
    first = min(datetime.fromisoformat(c["tm_create"]) for c in calls)
    last = max(datetime.fromisoformat(c["tm_hangup"]) for c in calls)
    assert (last - first).total_seconds() >= 3 + 4 * 22


#: The stopped campaign's notice: answered at 3 s, 0.15 s a character of text (60: 9 s).
NOTICE = "The office is closed on Monday. Please call back on Tuesday."


async def test_stopping_a_running_campaign_dials_nothing_more(start_app: StartApp) -> None:
    d = await dialer(start_app)
    outdial = await d.outdial([[ANSWER]] * 30)
    plan = await d.outplan()
    talk = [{"type": "talk", "option": {"text": NOTICE}}]
    campaign = (
        await d.campaign(
            name="notice",
            type="flow",
            service_level=SERVICE_LEVEL,
            actions=talk,
            outplan_id=plan,
            outdial_id=outdial,
        )
    )["id"]
    await d.status(campaign, "run")
    await d.advance(20)
    # Calls of about 3 + 9 s, five at a time: the first five ended, the next five talk.
    length = 3 + 0.15 * len(NOTICE)
    waves = int(20 // length) + 1
    assert statuses(await d.campaigncalls(campaign)) == {
        "done": SERVICE_LEVEL * (waves - 1),
        "progressing": SERVICE_LEVEL,
    }
    stopping = await d.status(campaign, "stop")
    assert (stopping["status"], stopping["stop_reason"]) == ("stopping", "user")
    stopped_at = datetime.fromisoformat(stopping["tm_update"])
    await d.advance(2)
    assert (await d.get(f"/v1.0/campaigns/{campaign}"))["status"] == "stopping"
    await d.advance(60)
    stopped = await d.get(f"/v1.0/campaigns/{campaign}")
    assert (stopped["status"], stopped["stop_reason"]) == ("stop", "user")

    dials = await d.campaigncalls(campaign)
    assert statuses(dials, "result") == {"success": SERVICE_LEVEL * waves}
    assert all(datetime.fromisoformat(c["tm_create"]) < stopped_at for c in dials)
    ids = {c["reference_id"] for c in dials}
    calls = [c for c in await d.all("/v1.0/calls?direction=outgoing") if c["id"] in ids]
    assert len(calls) == len(dials)
    assert all(datetime.fromisoformat(c["tm_create"]) < stopped_at for c in calls)
    # It stopped as its last call ended (the clock's tick apart).
    last = max(datetime.fromisoformat(c["tm_hangup"]) for c in calls)
    assert 0 <= (datetime.fromisoformat(stopped["tm_update"]) - last).total_seconds() < 0.01
    targets = await d.targets(outdial)
    assert statuses(targets) == {"done": SERVICE_LEVEL * waves, "idle": 30 - SERVICE_LEVEL * waves}
    assert await d.events("campaigns", campaign) == [
        "campaign_created",
        "campaign_status_run",
        "campaign_status_stopping",
        "campaign_status_stop",
    ]
