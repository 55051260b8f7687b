"""The dialer on the virtual clock, on both databases: a flow campaign's retries and its end,
a call campaign feeding its queue's agents, a stop while calls are live, a customer who
cannot pay, the next campaign, and two dialers sharing one running campaign without ever
dialling a target twice."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.conftest import StartApp
from tests.server.runtime.campaigns.kit import (
    ANSWER,
    BUSY,
    GREETING,
    MACHINE,
    NOANSWER,
    Dialer,
    agent,
    campaign_runtime,
    dialer,
)
from voipbin.server.runtime.campaigns.service import CampaignRuntime

#: Two tries of ``destination_0``, one of ``destination_1``, a minute apart.
PLAN = {"max_try_count_0": 2, "max_try_count_1": 1, "try_interval": 60_000, "dial_timeout": 20_000}
#: A greeting of about 10 s: calls stay up a while.
LONG = [{"type": "talk", "option": {"text": "Hello! " * 10}}]


def _dials(campaigncalls: list[dict[str, Any]]) -> list[tuple[str, int, int, str, str]]:
    return [
        (
            c["destination"]["target"],
            c["destination_index"],
            c["try_count"],
            c["status"],
            c["result"],
        )
        for c in campaigncalls
    ]


async def _flow_campaign(d: Dialer, targets: list[list[str]], **body: Any) -> tuple[str, str]:
    plan = await d.outplan(**PLAN)
    outdial = await d.outdial(targets)
    fields = {"type": "flow", "service_level": 2, "actions": GREETING, **body}
    campaign = await d.campaign(outplan_id=plan, outdial_id=outdial, **fields)
    return str(campaign["id"]), outdial


async def test_a_flow_campaign_tries_each_destination_in_order_then_ends(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    campaign_id, outdial = await _flow_campaign(d, [[ANSWER], [BUSY, MACHINE], [NOANSWER]])
    running = await d.status(campaign_id, "run")
    assert (running["status"], running["stop_reason"]) == ("run", "")
    await d.advance(600)

    dials = sorted(_dials(await d.campaigncalls(campaign_id)))
    assert dials == sorted(
        [
            (ANSWER, 0, 1, "done", "success"),
            (BUSY, 0, 1, "done", "fail"),
            (BUSY, 0, 2, "done", "fail"),
            (MACHINE, 1, 1, "done", "success"),
            (NOANSWER, 0, 1, "done", "fail"),  # the outplan's 20 s dial timeout
            (NOANSWER, 0, 2, "done", "fail"),
        ]
    )
    targets = await d.targets(outdial)
    assert [(t["status"], t["result"], t["try_count_0"], t["try_count_1"]) for t in targets] == [
        ("done", "success", 1, 0),
        ("done", "success", 2, 1),
        ("done", "fail", 2, 0),
    ]
    ended = await d.get(f"/v1.0/campaigns/{campaign_id}")
    assert (ended["status"], ended["stop_reason"]) == ("stop", "end")
    assert await d.events("campaigns", campaign_id) == [
        "campaign_created",
        "campaign_status_run",
        "campaign_status_stop",
    ]
    answered = next(c for c in await d.campaigncalls(campaign_id) if c["result"] == "success")
    assert await d.events("campaigncalls", answered["id"]) == [
        "campaigncall_created",
        "campaigncall_updated",  # progressing: answered
        "campaigncall_updated",  # done
    ]
    call = await d.get(f"/v1.0/calls/{answered['reference_id']}")
    assert call["activeflow_id"] == answered["activeflow_id"]
    assert call["status"] == "hangup"


async def test_a_retry_waits_the_outplan_s_try_interval(start_app: StartApp) -> None:
    d = await dialer(start_app)
    campaign_id, _ = await _flow_campaign(d, [[BUSY]])
    await d.status(campaign_id, "run")
    await d.advance(61)  # busy at 2 s: the next try is due at 62 s
    assert len(await d.campaigncalls(campaign_id)) == 1
    await d.advance(2)
    assert [c["try_count"] for c in await d.campaigncalls(campaign_id)] == [1, 2]


async def test_stopping_a_running_campaign_lets_its_calls_finish(start_app: StartApp) -> None:
    d = await dialer(start_app)
    campaign_id, outdial = await _flow_campaign(d, [[ANSWER]] * 4, actions=LONG)
    await d.status(campaign_id, "run")
    await d.advance(5)  # two calls up (service level 2), talking
    assert [c["status"] for c in await d.campaigncalls(campaign_id)] == ["progressing"] * 2

    stopping = await d.status(campaign_id, "stop")
    assert (stopping["status"], stopping["stop_reason"]) == ("stopping", "user")
    again = await d.status(campaign_id, "stop")  # a second stop changes nothing
    assert again["status"] == "stopping"
    await d.advance(120)
    stopped = await d.get(f"/v1.0/campaigns/{campaign_id}")
    assert (stopped["status"], stopped["stop_reason"]) == ("stop", "user")
    assert [c["result"] for c in await d.campaigncalls(campaign_id)] == ["success"] * 2
    targets = await d.targets(outdial)
    assert [t["status"] for t in targets].count("idle") == 2
    assert await d.events("campaigns", campaign_id) == [
        "campaign_created",
        "campaign_status_run",
        "campaign_status_stopping",
        "campaign_status_stop",
    ]

    await d.status(campaign_id, "run")  # run again: the two left are dialled
    await d.advance(120)
    assert [c["result"] for c in await d.campaigncalls(campaign_id)] == ["success"] * 4
    assert (await d.get(f"/v1.0/campaigns/{campaign_id}"))["status"] == "stop"


async def test_a_customer_who_cannot_pay_stops_the_campaign(start_app: StartApp) -> None:
    # One minute of a call costs 0.01: enough for the first two dials, not for a third
    # once the first call is billed.
    d = await dialer(start_app, dollars="0.015")
    campaign_id, outdial = await _flow_campaign(d, [[MACHINE], [ANSWER], [ANSWER]])
    await d.status(campaign_id, "run")
    await d.advance(6.5)  # the machine's call (answered at 2 s) ended and was billed
    stopping = await d.get(f"/v1.0/campaigns/{campaign_id}")
    assert (stopping["status"], stopping["stop_reason"]) == ("stopping", "insufficient_balance")
    await d.advance(60)
    stopped = await d.get(f"/v1.0/campaigns/{campaign_id}")
    assert (stopped["status"], stopped["stop_reason"]) == ("stop", "insufficient_balance")
    assert len(await d.campaigncalls(campaign_id)) == 2
    assert [t["status"] for t in await d.targets(outdial)] == ["done", "done", "idle"]
    events = await d.get(f"/v1.0/timelines/campaigns/{campaign_id}/events")
    stopping_event = next(
        e for e in events["result"] if e["event_type"] == "campaign_status_stopping"
    )
    assert stopping_event["data"]["stop_reason"] == "insufficient_balance"


async def test_a_campaign_that_ends_runs_its_next_campaign(start_app: StartApp) -> None:
    d = await dialer(start_app)
    second_id, _ = await _flow_campaign(d, [[ANSWER]])
    first_id, _ = await _flow_campaign(d, [[ANSWER]], next_campaign_id=second_id)
    await d.status(first_id, "run")
    await d.advance(60)
    assert (await d.get(f"/v1.0/campaigns/{first_id}"))["stop_reason"] == "end"
    assert len(await d.campaigncalls(second_id)) == 1
    await d.advance(60)
    assert (await d.get(f"/v1.0/campaigns/{second_id}"))["status"] == "stop"


async def test_continue_keeps_a_finished_campaign_waiting_for_new_targets(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    campaign_id, outdial = await _flow_campaign(d, [[ANSWER]], end_handle="continue")
    await d.status(campaign_id, "run")
    await d.advance(60)
    assert (await d.get(f"/v1.0/campaigns/{campaign_id}"))["status"] == "run"
    body = [{"destination_0": {"type": "tel", "target": ANSWER}}]
    await d.send("POST", f"/v1.0/outdials/{outdial}/targets", body)
    await d.advance(30)
    assert [c["result"] for c in await d.campaigncalls(campaign_id)] == ["success"] * 2


async def test_a_call_campaign_dials_for_its_queue_s_available_agents(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    await agent(d, "ann")
    await agent(d, "bob")
    queue = await d.send("POST", "/v1.0/queues", {"name": "sales"}, 201)
    plan = await d.outplan(**PLAN)
    outdial = await d.outdial([[ANSWER]] * 4)
    campaign = await d.campaign(
        type="call", service_level=100, queue_id=queue["id"], outplan_id=plan, outdial_id=outdial
    )
    await d.status(campaign["id"], "run")
    await d.advance(1)
    # Two available agents at 100%: two calls ring, no more.
    assert [c["status"] for c in await d.campaigncalls(campaign["id"])] == ["dialing"] * 2
    await d.advance(600)
    dials = await d.campaigncalls(campaign["id"])
    assert [c["result"] for c in dials] == ["success"] * 4
    served = await d.get(f"/v1.0/queues/{queue['id']}")
    assert served["total_serviced_count"] == 4
    queuecalls = await d.all(f"/v1.0/queuecalls?queue_id={queue['id']}")
    assert {q["reference_id"] for q in queuecalls} == {c["reference_id"] for c in dials}
    assert (await d.get(f"/v1.0/campaigns/{campaign['id']}"))["stop_reason"] == "end"


async def test_two_dialers_sharing_a_running_campaign_dial_each_target_once(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    second = await start_app()  # a second app (its own dialer) on the same database
    campaign_id, outdial = await _flow_campaign(d, [[ANSWER]] * 6, service_level=20)
    await d.status(campaign_id, "run")
    runtimes = [d.runtime, campaign_runtime(second)]

    async def look(runtime: CampaignRuntime) -> int:
        async with runtime.db.transaction() as tx:
            dialled: int = await runtime.dial_once(tx, campaign_id)
            return dialled

    counts = await asyncio.gather(*(look(r) for r in runtimes * 2))
    assert sum(counts) == 6
    dials = await d.campaigncalls(campaign_id)
    assert sorted(c["outdial_target_id"] for c in dials) == sorted(
        t["id"] for t in await d.targets(outdial)
    )
    targets = await d.targets(outdial)
    assert [(t["status"], t["try_count_0"]) for t in targets] == [("progressing", 1)] * 6
