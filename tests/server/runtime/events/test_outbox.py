"""The outbox: an event is written exactly when the transaction of its change commits, and
only event types of the catalogue are written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Api
from voipbin.server.runtime.events.outbox import UnknownEventType
from voipbin.server.storage.tables import event_outbox


class _Boom(Exception):
    pass


async def _flow(api: Api) -> dict[str, Any]:
    response = await api.client.post("/v1.0/flows", json={"name": "f"}, headers=api.headers)
    assert response.status_code == 201, response.text
    flow: dict[str, Any] = response.json()
    await _without_events(api, flow["id"])
    return flow


async def _without_events(api: Api, resource_id: str) -> None:
    """Forget the events the server wrote of ``resource_id`` itself (a flow's
    ``flow_created``): these tests write the events they read."""
    t = event_outbox
    statement = api.state.db.compile(
        ("test", "forget events"),
        lambda: sa.delete(t).where(t.c.resource_id == sa.bindparam("id")),
    )
    await api.state.db.execute(statement, {"id": resource_id})


async def _timeline(api: Api, flow_id: str) -> list[dict[str, Any]]:
    response = await api.client.get(f"/v1.0/timelines/flows/{flow_id}/events", headers=api.headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["result"]
    return result


async def test_an_event_emitted_in_a_committed_transaction_is_stored_with_its_data(
    api: Api,
) -> None:
    flow = await _flow(api)

    async with api.state.db.transaction() as tx:
        event_id = await api.state.outbox.emit(
            tx, flow["customer_id"], "flow_created", "flow", flow["id"], flow
        )

    events = await api.state.outbox.events_of("flow", flow["id"], 10)
    assert [(e.id, e.type) for e in events] == [(event_id, "flow_created")]
    assert [e["data"] for e in await _timeline(api, flow["id"])] == [flow]


async def test_an_event_emitted_in_a_transaction_that_rolls_back_leaves_no_row(api: Api) -> None:
    flow = await _flow(api)

    async def change_that_fails() -> None:
        async with api.state.db.transaction() as tx:
            await api.state.outbox.emit(
                tx, flow["customer_id"], "flow_updated", "flow", flow["id"], flow
            )
            raise _Boom

    with pytest.raises(_Boom):
        await change_that_fails()

    assert await api.state.outbox.events_of("flow", flow["id"], 10) == []
    assert await _timeline(api, flow["id"]) == []


@pytest.mark.parametrize(
    ("type", "resource"),
    [("flow_exploded", "flow"), ("call_hangup", "flow"), ("", "flow")],
)
async def test_a_type_not_in_the_catalogue_for_the_resource_is_refused_and_not_written(
    api: Api, type: str, resource: str
) -> None:
    flow = await _flow(api)

    async def emit() -> None:
        async with api.state.db.transaction() as tx:
            await api.state.outbox.emit(tx, flow["customer_id"], type, resource, flow["id"], {})

    with pytest.raises(UnknownEventType):
        await emit()

    assert await api.state.outbox.events_of(resource, flow["id"], 10) == []


async def test_the_tail_reads_the_events_of_some_resources_in_a_window_oldest_first(
    api: Api,
) -> None:
    from voipbin.common.timestamps import parse_timestamp
    from voipbin.server.storage.outbox import OutboxTail

    first, second, other = await _flow(api), await _flow(api), await _flow(api)
    for flow, type in [(first, "flow_created"), (other, "flow_created"), (second, "flow_updated")]:
        async with api.state.db.transaction() as tx:
            await api.state.outbox.emit(tx, flow["customer_id"], type, "flow", flow["id"], flow)
    created = {
        f["id"]: parse_timestamp(
            (await api.state.outbox.events_of("flow", f["id"], 1))[0].tm_create
        )
        for f in (first, second, other)
    }
    tail = OutboxTail(api.state.db)
    ids = [first["id"], second["id"]]

    rows = await tail.earlier_of(["flow"], ids, created[first["id"]], created[second["id"]])
    assert [(r[2], str(r[4])) for r in rows] == [("flow_created", first["id"])]
    wider = created[second["id"]] + (created[second["id"]] - created[first["id"]])
    rows = await tail.earlier_of(["flow"], ids, created[first["id"]], wider)
    assert [str(r[4]) for r in rows] == ids
    assert await tail.earlier_of(["call"], ids, created[first["id"]], wider) == []
