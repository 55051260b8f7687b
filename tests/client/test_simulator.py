"""``client.simulator`` (the simulated network's control API) and ``client.timeline`` (a
resource's events), sync and async, against the real app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.client.harness import (
    Recording,
    Sleeps,
    async_client,
    resource_requests,
    sync_client,
)
from tests.inprocess import Served, serving, started
from voipbin.client import (
    AsyncClient,
    Client,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from voipbin.common.timestamps import parse_timestamp
from voipbin.models.call import Call
from voipbin.models.events import TimelineEvent
from voipbin.models.simulator import RuleCreate


@pytest.fixture
def virtual(sqlite_url: str) -> Iterator[Served]:
    """The app on a virtual clock."""
    with serving(sqlite_url, clock="virtual") as s:
        yield s


@pytest.fixture
def sim(virtual: Served, sleeps: Sleeps) -> Iterator[Client]:
    with sync_client(virtual.transport, sleeps) as c:
        yield c


@pytest.fixture
async def virtual_app(sqlite_url: str) -> AsyncIterator[Starlette]:
    async with started(sqlite_url, clock="virtual") as a:
        yield a


@pytest.fixture
async def asim(virtual_app: Starlette, sleeps: Sleeps) -> AsyncIterator[AsyncClient]:
    async with async_client(httpx.ASGITransport(app=virtual_app), sleeps) as c:
        yield c


def test_the_virtual_clock_is_read_and_advanced(sim: Client) -> None:
    before = sim.simulator.clock()
    assert before.mode == "virtual"

    after = sim.simulator.advance(seconds=12.5)

    assert after.mode == "virtual"
    assert parse_timestamp(after.now) - parse_timestamp(before.now) == timedelta(seconds=12.5)
    assert sim.simulator.clock() == after


def test_a_real_clock_cannot_be_advanced(client: Client) -> None:
    assert client.simulator.clock().mode == "real"
    with pytest.raises(FailedPrecondition) as caught:
        client.simulator.advance(seconds=1)
    assert caught.value.http_status == 409


def test_a_negative_advance_is_refused_by_the_server(sim: Client) -> None:
    with pytest.raises(InvalidArgument) as caught:
        sim.simulator.advance({"seconds": -1})
    assert caught.value.http_status == 400


def test_rules_are_created_listed_and_deleted(client: Client) -> None:
    busy = client.simulator.rules.create(type="tel", pattern=r"\+1555.*", outcome="busy")
    answer = client.simulator.rules.create(
        RuleCreate(type="sip", pattern="bob@.*", answer_after=5, hangup_after=20)
    )
    assert (busy.outcome, busy.outcome_after, busy.answer_after) == ("busy", 2.0, None)
    assert (answer.outcome, answer.answer_after, answer.hangup_after) == ("answer", 5.0, 20.0)

    assert [rule.id for rule in client.simulator.rules.list()] == [busy.id, answer.id]

    client.simulator.rules.delete(busy.id)
    assert [rule.id for rule in client.simulator.rules.list()] == [answer.id]
    with pytest.raises(NotFound):
        client.simulator.rules.delete(busy.id)


def test_a_field_the_outcome_does_not_use_is_a_400_naming_it(client: Client) -> None:
    with pytest.raises(InvalidArgument) as caught:
        client.simulator.rules.create(type="tel", pattern=".*", outcome="busy", hangup_after=3)
    assert caught.value.details_as_dicts()[0]["field"] == "hangup_after"


def test_an_unknown_field_is_a_type_error_before_sending(served: Served, sleeps: Sleeps) -> None:
    transport = Recording(served.transport)
    with sync_client(transport, sleeps) as client, pytest.raises(TypeError):
        client.simulator.rules.create(type="tel", pattern=".*", colour="red")
    assert resource_requests(transport.log) == []


def test_devices_are_registered_and_reset_forgets_them_and_the_rules(client: Client) -> None:
    extension = client.extensions.create(extension="2001", password="phone-secret-1")

    devices = client.simulator.devices(
        extension.id, devices=[{"outcome": "busy"}, {"answer_after": 2}]
    )

    assert devices.extension_id == extension.id
    assert [d.outcome for d in devices.devices] == ["busy", "answer"]
    assert [d.address.target for d in devices.devices] == [
        f"{extension.id}.{i}@devices.sim.invalid" for i in range(2)
    ]
    client.simulator.rules.create(type="tel", pattern=".*")
    client.simulator.reset()
    assert client.simulator.rules.list() == []


def test_devices_of_no_live_extension_are_a_404(client: Client) -> None:
    with pytest.raises(NotFound):
        client.simulator.devices("6f1c9a43-4d2f-4a42-9d38-5a8f1b2e8c11", devices=[{}])


def test_the_control_api_is_for_super_admins_only(served: Served, client: Client) -> None:
    key = client.accesskeys.create(name="k")
    with Client("http://testserver", accesskey=key.token, transport=served.transport) as c:
        with pytest.raises(PermissionDenied):
            c.simulator.clock()
        with pytest.raises(PermissionDenied):
            c.simulator.rules.list()


def test_a_503_on_the_clock_is_retried(served: Served, sleeps: Sleeps) -> None:
    failed: list[str] = []

    def intercept(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if request.url.path == "/_sim/clock" and not failed:
            failed.append(request.url.path)
            return httpx.Response(503, json={"error": {"status": "UNAVAILABLE"}})
        return forward()

    with sync_client(Recording(served.transport, intercept), sleeps) as client:
        assert client.simulator.clock().mode == "real"
    assert failed == ["/_sim/clock"]
    assert sleeps.waits == [0.25]


OUR_NUMBER = "+14155550100"
CALLER = {"type": "tel", "target": "+15005550000"}
#: Answers, then waits a minute for ten keys: the call stays up while keys are pressed.
IVR = [
    {"type": "answer"},
    {"type": "digits_receive", "option": {"duration": 60000, "length": 10}},
]


def _number(app: Starlette, customer_id: Any, flow_id: Any) -> Callable[[], Any]:
    """Gives ``customer_id`` the live number ``OUR_NUMBER``, running ``flow_id``."""

    async def insert() -> None:
        await app.state.voipbin.services["number"].repository.insert(
            {
                "customer_id": str(customer_id),
                "number": OUR_NUMBER,
                "type": "normal",
                "status": "active",
                "call_flow_id": str(flow_id),
            }
        )

    return insert


def test_the_far_end_calls_in_presses_keys_and_hangs_up(virtual: Served, sim: Client) -> None:
    with pytest.raises(NotFound) as caught:
        sim.simulator.calls.create(source=CALLER, destination={"type": "tel", "target": OUR_NUMBER})
    assert caught.value.reason == "NUMBER_NOT_FOUND"
    flow = sim.flows.create(name="ivr", actions=IVR)
    virtual.portal.call(_number(virtual.app, flow.customer_id, flow.id))

    call = sim.simulator.calls.create(
        {"source": CALLER, "destination": {"type": "tel", "target": OUR_NUMBER}}
    )

    assert isinstance(call, Call)
    assert (call.direction, call.destination.target) == ("incoming", OUR_NUMBER)
    sim.simulator.advance(seconds=0)
    assert sim.calls.get(call.id).status == "progressing"
    sim.simulator.calls.dtmf(call.id, digits="12")
    with pytest.raises(InvalidArgument):
        sim.simulator.calls.dtmf(call.id, {"digits": "x"})
    sim.simulator.calls.hangup(call.id)
    sim.simulator.advance(seconds=0)
    ended = sim.calls.get(call.id)
    assert (ended.status, ended.hangup_by) == ("hangup", "remote")
    with pytest.raises(FailedPrecondition) as late:
        sim.simulator.calls.dtmf(call.id, digits="1")
    assert late.value.reason == "CALL_ALREADY_HANGUP"
    sim.simulator.calls.hangup(call.id)  # already ended: left as it is, no error
    with pytest.raises(NotFound):
        sim.simulator.calls.hangup("6f1c9a43-4d2f-4a42-9d38-5a8f1b2e8c11")


def _emit(app: Starlette, flow: Any, *types: str) -> Callable[[], Any]:
    async def emit() -> None:
        for type in types:
            async with app.state.voipbin.db.transaction() as tx:
                await app.state.voipbin.outbox.emit(
                    tx, str(flow.customer_id), type, "flow", str(flow.id), {"name": type}
                )

    return emit


TYPES = ("flow_created", "flow_updated", "flow_deleted")


def test_a_timeline_is_read_by_the_page_and_walked_whole(served: Served, client: Client) -> None:
    # Made by the API: its flow_created is the server's own.
    flow = client.flows.create(name="flow_created")
    served.portal.call(_emit(served.app, flow, *TYPES[1:]))

    page = client.timeline("flows", flow.id, page_size=2)

    assert [e.event_type for e in page.result] == ["flow_deleted", "flow_updated"]
    assert page.next_page_token != ""
    events = list(client.timeline_iter("flows", flow.id, page_size=2))
    assert all(isinstance(e, TimelineEvent) for e in events)
    assert [e.event_type for e in events] == list(reversed(TYPES))
    assert [e.data["name"] for e in events] == list(reversed(TYPES))


def test_a_timeline_of_no_such_resource_or_type_is_a_404(client: Client) -> None:
    flow = client.flows.create(name="f")
    with pytest.raises(NotFound) as caught:
        client.timeline("flows", "6f1c9a43-4d2f-4a42-9d38-5a8f1b2e8c11")
    assert caught.value.reason == "FLOW_NOT_FOUND"
    with pytest.raises(NotFound) as caught:
        client.timeline("tags", flow.id)
    assert caught.value.reason == "ROUTE_NOT_FOUND"
    assert [e.event_type for e in client.timeline("flows", flow.id).result] == ["flow_created"]


async def test_async_simulator_and_timeline(virtual_app: Starlette, asim: AsyncClient) -> None:
    before = await asim.simulator.clock()
    after = await asim.simulator.advance(seconds=60)
    assert parse_timestamp(after.now) - parse_timestamp(before.now) == timedelta(seconds=60)

    rule = await asim.simulator.rules.create(type="tel", pattern=".*", outcome="reject")
    assert [r.id for r in await asim.simulator.rules.list()] == [rule.id]
    await asim.simulator.rules.delete(rule.id)
    extension = await asim.extensions.create(extension="2002", password="phone-secret-1")
    devices = await asim.simulator.devices(extension.id, devices=[{"outcome": "noanswer"}])
    assert [d.outcome for d in devices.devices] == ["noanswer"]
    await asim.simulator.reset()
    assert await asim.simulator.rules.list() == []

    flow = await asim.flows.create(name="flow_created")
    await _emit(virtual_app, flow, *TYPES[1:])()
    page = await asim.timeline("flows", flow.id, page_size=1)
    assert [e.event_type for e in page.result] == ["flow_deleted"]
    walked = [e.event_type async for e in asim.timeline_iter("flows", flow.id, page_size=1)]
    assert walked == list(reversed(TYPES))
    with pytest.raises(NotFound):
        await asim.timeline("calls", flow.id)

    ivr = await asim.flows.create(name="ivr", actions=IVR)
    await _number(virtual_app, ivr.customer_id, ivr.id)()
    destination = {"type": "tel", "target": OUR_NUMBER}
    call = await asim.simulator.calls.create(source=CALLER, destination=destination)
    assert call.direction == "incoming"
    await asim.simulator.advance(seconds=0)
    await asim.simulator.calls.dtmf(call.id, digits="1")
    await asim.simulator.calls.hangup(call.id)
    await asim.simulator.advance(seconds=0)
    assert (await asim.calls.get(call.id)).hangup_by == "remote"
    with pytest.raises(FailedPrecondition):
        await asim.simulator.calls.dtmf(call.id, digits="1")
