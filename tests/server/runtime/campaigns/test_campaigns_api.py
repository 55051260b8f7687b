"""Campaigns and campaigncalls over HTTP (SQLite: the rules are the same on both databases):
what a campaign is made with, the 4xx that refuse a bad one, its actions and their events,
what keeps it from running, and the campaign's campaigncalls."""

from __future__ import annotations

import pytest

from tests.server.conftest import StartApp, assert_error
from tests.server.runtime.calls.kit import ready_customer
from tests.server.runtime.campaigns.kit import ANSWER, GREETING, Dialer, dialer

EMPTY = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_a_campaign_is_made_stopped_with_upstream_s_fields(start_app: StartApp) -> None:
    d = await dialer(start_app)
    created = await d.campaign()
    assert {k: created[k] for k in ("type", "status", "service_level", "end_handle")} == {
        "type": "call",
        "status": "stop",
        "service_level": 100,
        "end_handle": "stop",
    }
    assert created["actions"] == []
    assert created["stop_reason"] == ""
    for field in ("outplan_id", "outdial_id", "queue_id", "next_campaign_id"):
        assert created[field] == EMPTY
    assert await d.events("campaigns", created["id"]) == ["campaign_created"]


async def test_bad_campaigns_are_refused_naming_the_field(start_app: StartApp) -> None:
    d = await dialer(start_app)
    client, headers = d.api.client, d.headers
    cases = [
        ({"type": "sms"}, 400, "INVALID_ARGUMENT", "type"),
        ({"service_level": -1}, 400, "INVALID_ARGUMENT", "service_level"),
        ({"end_handle": "pause"}, 400, "INVALID_ARGUMENT", "end_handle"),
        ({"outplan_id": "not-a-uuid"}, 400, "INVALID_ARGUMENT", "outplan_id"),
        ({"queue_id": "6f0b3b4c-7a57-4c2e-9d3e-2b4f5f0f9a11"}, 422, "INVALID_ARGUMENT", "queue_id"),
        (
            {"outdial_id": "6f0b3b4c-7a57-4c2e-9d3e-2b4f5f0f9a11"},
            422,
            "INVALID_ARGUMENT",
            "outdial_id",
        ),
        ({"actions": [{"type": "dance"}]}, 400, "INVALID_ARGUMENT", None),
    ]
    for body, code, status, field in cases:
        response = await client.post("/v1.0/campaigns", json=body, headers=headers)
        assert response.status_code == code, (body, response.text)
        error = response.json()["error"]
        assert error["status"] == status
        if field is not None:
            assert error["details"][0]["field"] == field, body
    assert (await d.all("/v1.0/campaigns")) == []


async def test_the_actions_change_the_campaign_each_with_campaign_updated(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    campaign = await d.campaign(type="flow")
    path = f"/v1.0/campaigns/{campaign['id']}"
    plan = await d.outplan()
    outdial = await d.outdial([])
    queue = await d.send("POST", "/v1.0/queues", {"name": "sales"}, 201)
    other = await d.campaign(name="next")

    level = await d.send("PUT", f"{path}/service_level", {"service_level": 7})
    assert level["service_level"] == 7
    actions = await d.send("PUT", f"{path}/actions", {"actions": GREETING})
    assert [a["type"] for a in actions["actions"]] == ["talk"]
    info = {"outplan_id": plan, "outdial_id": outdial, "queue_id": queue["id"]}
    resources = await d.send("PUT", f"{path}/resource_info", info)
    assert (resources["outplan_id"], resources["outdial_id"]) == (plan, outdial)
    following = await d.send("PUT", f"{path}/next_campaign_id", {"next_campaign_id": other["id"]})
    assert following["next_campaign_id"] == other["id"]
    cleared = await d.send("PUT", f"{path}/resource_info", {"queue_id": None})
    assert (cleared["queue_id"], cleared["outplan_id"]) == (EMPTY, plan)
    renamed = await d.send("PUT", path, {"name": "spring", "end_handle": "continue"})
    assert (renamed["name"], renamed["end_handle"], renamed["service_level"]) == (
        "spring",
        "continue",
        7,
    )
    assert (
        await d.events("campaigns", campaign["id"])
        == ["campaign_created"] + ["campaign_updated"] * 6
    )

    itself = await d.api.client.put(
        f"{path}/next_campaign_id", json={"next_campaign_id": campaign["id"]}, headers=d.headers
    )
    assert (
        assert_error(itself, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")["details"][0]["field"]
        == "next_campaign_id"
    )
    status = await d.api.client.put(f"{path}/status", json={"status": "pause"}, headers=d.headers)
    assert_error(status, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")


async def test_a_campaign_runs_only_with_what_it_dials_with(start_app: StartApp) -> None:
    d = await dialer(start_app)

    async def refused(campaign_id: str) -> str:
        response = await d.api.client.put(
            f"/v1.0/campaigns/{campaign_id}/status", json={"status": "run"}, headers=d.headers
        )
        error = assert_error(response, 422, "INVALID_ARGUMENT", "CAMPAIGN_NOT_RUNNABLE")
        return str(error["details"][0]["field"])

    plan = await d.outplan()
    outdial = await d.outdial([[ANSWER]])
    bare = await d.campaign(type="flow", actions=GREETING)
    assert await refused(bare["id"]) == "outplan_id"
    no_list = await d.campaign(type="flow", actions=GREETING, outplan_id=plan)
    assert await refused(no_list["id"]) == "outdial_id"
    silent = await d.campaign(type="flow", outplan_id=plan, outdial_id=outdial)
    assert await refused(silent["id"]) == "actions"
    no_queue = await d.campaign(type="call", outplan_id=plan, outdial_id=outdial)
    assert await refused(no_queue["id"]) == "queue_id"
    await d.send("DELETE", f"/v1.0/outplans/{plan}", status=204)
    gone = await d.campaign(type="flow", actions=GREETING, outdial_id=outdial)
    assert await refused(gone["id"]) == "outplan_id"
    # Nothing ran: no campaigncall, every campaign still stopped.
    assert await d.all("/v1.0/campaigncalls") == []
    assert {c["status"] for c in await d.all("/v1.0/campaigns")} == {"stop"}


async def test_a_deleted_campaign_dials_no_more(start_app: StartApp) -> None:
    d = await dialer(start_app)
    plan = await d.outplan()
    outdial = await d.outdial([[ANSWER]] * 3)
    campaign = await d.campaign(
        type="flow", service_level=1, actions=GREETING, outplan_id=plan, outdial_id=outdial
    )
    await d.status(campaign["id"], "run")
    await d.advance(1)
    await d.send("DELETE", f"/v1.0/campaigns/{campaign['id']}", status=204)
    await d.send("DELETE", f"/v1.0/campaigns/{campaign['id']}", status=204)
    await d.advance(120)
    deleted = await d.get(f"/v1.0/campaigns/{campaign['id']}")
    assert deleted["tm_delete"] != "9999-01-01 00:00:00.000000"
    assert (deleted["status"], deleted["stop_reason"]) == ("stop", "user")
    assert [c["result"] for c in await d.campaigncalls(campaign["id"])] == ["success"]
    events = await d.events("campaigns", campaign["id"])
    assert events[-1] == "campaign_deleted"
    late = await d.api.client.put(
        f"/v1.0/campaigns/{campaign['id']}/status", json={"status": "run"}, headers=d.headers
    )
    assert_error(late, 409, "FAILED_PRECONDITION", "CAMPAIGN_STATE_INVALID")


async def _one_call(d: Dialer) -> tuple[str, str]:
    plan = await d.outplan()
    outdial = await d.outdial([[ANSWER]])
    campaign = await d.campaign(
        type="flow", service_level=1, actions=GREETING, outplan_id=plan, outdial_id=outdial
    )
    await d.status(campaign["id"], "run")
    await d.advance(1)
    (campaigncall,) = await d.campaigncalls(campaign["id"])
    return str(campaign["id"]), str(campaigncall["id"])


async def test_campaigncalls_are_listed_by_campaign_and_deleted_once_done(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    campaign_id, campaigncall_id = await _one_call(d)
    live = await d.api.client.delete(f"/v1.0/campaigncalls/{campaigncall_id}", headers=d.headers)
    assert_error(live, 409, "FAILED_PRECONDITION", "CAMPAIGNCALL_STATE_INVALID")

    filtered = await d.all(f"/v1.0/campaigncalls?campaign_id={campaign_id}&status=dialing")
    assert [c["id"] for c in filtered] == [campaigncall_id]
    await d.advance(60)
    assert await d.all(f"/v1.0/campaigncalls?campaign_id={campaign_id}&result=fail") == []
    done = await d.all(f"/v1.0/campaigns/{campaign_id}/campaigncalls?result=success")
    assert [c["id"] for c in done] == [campaigncall_id]

    await d.send("DELETE", f"/v1.0/campaigncalls/{campaigncall_id}", status=204)
    assert await d.campaigncalls(campaign_id) == []
    shown = await d.all(f"/v1.0/campaigns/{campaign_id}/campaigncalls?deleted=true")
    assert [c["id"] for c in shown] == [campaigncall_id]
    assert (await d.events("campaigncalls", campaigncall_id))[-1] == "campaigncall_deleted"

    wrong = await d.api.client.get(
        f"/v1.0/campaigns/{campaign_id}/campaigncalls?campaign_id={campaign_id}",
        headers=d.headers,
    )
    assert_error(wrong, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")


async def test_another_customer_s_campaign_is_a_404(start_app: StartApp) -> None:
    d = await dialer(start_app)
    campaign_id, campaigncall_id = await _one_call(d)
    stranger = await ready_customer(d.api, source="+14155550199")
    for path in (
        f"/v1.0/campaigns/{campaign_id}",
        f"/v1.0/campaigns/{campaign_id}/campaigncalls",
        f"/v1.0/campaigncalls/{campaigncall_id}",
    ):
        response = await d.api.client.get(path, headers=stranger.headers)
        assert response.status_code == 404, path
    listed = await d.api.client.get("/v1.0/campaigncalls", headers=stranger.headers)
    assert listed.json()["result"] == []


async def test_a_refused_destination_is_a_failed_try_a_refused_customer_a_stop(
    start_app: StartApp,
) -> None:
    d = await dialer(start_app)
    plan = await d.outplan(max_try_count_0=1)
    outdial = await d.outdial([["+442071234567"], [ANSWER]])  # GB: not whitelisted
    campaign = await d.campaign(type="flow", actions=GREETING, outplan_id=plan, outdial_id=outdial)
    await d.status(campaign["id"], "run")
    await d.advance(30)
    dials = {c["destination"]["target"]: c for c in await d.campaigncalls(campaign["id"])}
    refused = dials["+442071234567"]
    assert (refused["status"], refused["result"], refused["reference_id"]) == (
        "done",
        "fail",
        EMPTY,
    )
    assert dials[ANSWER]["result"] == "success"
    assert (await d.get(f"/v1.0/campaigns/{campaign['id']}"))["stop_reason"] == "end"

    unverified = Dialer(await ready_customer(d.api, verified=False, source="+14155550142"))
    plan = await unverified.outplan()
    outdial = await unverified.outdial([[ANSWER]])
    halted = await unverified.campaign(
        type="flow", actions=GREETING, outplan_id=plan, outdial_id=outdial
    )
    await unverified.status(halted["id"], "run")
    await unverified.advance(1)
    stopped = await unverified.get(f"/v1.0/campaigns/{halted['id']}")
    assert (stopped["status"], stopped["stop_reason"]) == ("stop", "refused")
    assert await unverified.campaigncalls(halted["id"]) == []
    assert [t["status"] for t in await unverified.targets(outdial)] == ["idle"]
