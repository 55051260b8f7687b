"""GET /v1.0/timelines/{resource_type}/{resource_id}/events: a resource's events, newest
first, paged like every list, read by the resource's customer's admins and managers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Api, StartApp, add_agent, add_customer, assert_error
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import parse_timestamp
from voipbin.models.events import TimelinePage
from voipbin.server.storage.tables import event_outbox

Json = dict[str, Any]
TYPES = ["flow_created", "flow_updated", "flow_deleted"]


async def _flow(api: Api, headers: dict[str, str] | None = None) -> Json:
    response = await api.client.post(
        "/v1.0/flows", json={"name": "f"}, headers=headers or api.headers
    )
    assert response.status_code == 201, response.text
    flow: Json = response.json()
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


async def _emit(api: Api, flow: Json, *types: str) -> None:
    for type in types:
        async with api.state.db.transaction() as tx:
            await api.state.outbox.emit(
                tx, flow["customer_id"], type, "flow", flow["id"], {**flow, "name": type}
            )


def _path(flow_id: str, resource_type: str = "flows") -> str:
    return f"/v1.0/timelines/{resource_type}/{flow_id}/events"


async def test_events_come_newest_first_in_upstreams_shape_with_our_timestamps(
    api: Api,
) -> None:
    flow = await _flow(api)
    await _emit(api, flow, *TYPES)

    response = await api.client.get(_path(flow["id"]), headers=api.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"result", "next_page_token"}
    assert body["next_page_token"] == ""
    assert [e["event_type"] for e in body["result"]] == TYPES[::-1]
    assert [e["data"]["name"] for e in body["result"]] == TYPES[::-1]
    for event in body["result"]:
        assert set(event) == {"timestamp", "event_type", "data"}
        assert (
            parse_timestamp(event["timestamp"]).strftime("%Y-%m-%d %H:%M:%S.%f")
            == (event["timestamp"])
        )
    times = [e["timestamp"] for e in body["result"]]
    assert times == sorted(times, reverse=True)


async def test_a_resource_of_the_caller_with_no_events_answers_an_empty_page(api: Api) -> None:
    flow = await _flow(api)

    response = await api.client.get(_path(flow["id"]), headers=api.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"result": [], "next_page_token": ""}


async def test_only_the_resources_own_events_are_shown(api: Api) -> None:
    mine, other = await _flow(api), await _flow(api)
    await _emit(api, other, "flow_updated")
    await _emit(api, mine, "flow_created")
    await _emit(api, other, "flow_deleted")

    response = await api.client.get(_path(mine["id"]), headers=api.headers)

    assert [e["event_type"] for e in response.json()["result"]] == ["flow_created"]


async def test_walking_the_pages_returns_every_event_once_even_in_one_microsecond(
    start_app: StartApp,
) -> None:
    frozen = datetime.now(UTC)
    api = await start_app(now=lambda: frozen)
    flow = await _flow(api)
    await _emit(api, flow, *(TYPES * 4))

    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        params = {"page_size": "5", **({"page_token": token} if token else {})}
        response = await api.client.get(_path(flow["id"]), params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["result"]) <= 5
        seen += [e["timestamp"] for e in page["result"]]
        pages += 1
        token = page["next_page_token"]
        if not token:
            break

    assert pages == 3
    assert len(seen) == len(set(seen)) == 12
    assert seen == sorted(seen, reverse=True)


async def test_another_customers_resource_is_404_with_the_resources_reason(api: Api) -> None:
    outsider = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    flow = await _flow(api)
    await _emit(api, flow, "flow_created")

    response = await api.client.get(_path(flow["id"]), headers=outsider.headers)

    assert_error(response, 404, "NOT_FOUND", "FLOW_NOT_FOUND")


async def test_a_resource_that_does_not_exist_is_404(api: Api) -> None:
    response = await api.client.get(_path(str(uuid.uuid4())), headers=api.headers)

    assert_error(response, 404, "NOT_FOUND", "FLOW_NOT_FOUND")


async def test_a_resource_type_no_part_of_the_server_serves_yet_has_no_resources(
    api: Api,
) -> None:
    response = await api.client.get(_path(str(uuid.uuid4()), "calls"), headers=api.headers)

    assert_error(response, 404, "NOT_FOUND", "CALL_NOT_FOUND")


async def test_an_unknown_resource_type_is_404_no_such_route_naming_the_known_ones(
    api: Api,
) -> None:
    response = await api.client.get(_path(str(uuid.uuid4()), "widgets"), headers=api.headers)

    error = assert_error(response, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")
    assert "calls, groupcalls, activeflows, flows" in error["message"]


async def test_a_malformed_id_is_400_invalid_id(api: Api) -> None:
    response = await api.client.get(_path("not-a-uuid"), headers=api.headers)

    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ID")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "0"}, "page_size"),
        ({"page_token": "yesterday"}, "page_token"),
        ({"status": "x"}, "status"),
    ],
)
async def test_bad_or_unknown_parameters_are_400(
    api: Api, params: dict[str, str], field: str
) -> None:
    flow = await _flow(api)

    response = await api.client.get(_path(flow["id"]), params=params, headers=api.headers)

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize(
    ("permission", "status"),
    [
        (Permission.CUSTOMER_ADMIN, 200),
        (Permission.CUSTOMER_MANAGER, 200),
        (Permission.CUSTOMER_AGENT, 403),
    ],
)
async def test_customer_admins_and_managers_read_timelines_and_agents_may_not(
    api: Api, permission: Permission, status: int
) -> None:
    customer_id = await add_customer(api)
    caller = await add_agent(api, permission=permission, customer_id=customer_id)
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN, customer_id=customer_id)
    flow = await _flow(api, admin.headers)
    await _emit(api, flow, "flow_created")

    response = await api.client.get(_path(flow["id"]), headers=caller.headers)

    if status == 403:
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    else:
        assert response.status_code == 200, response.text
        assert [e["event_type"] for e in response.json()["result"]] == ["flow_created"]


async def test_a_super_admin_reads_any_customers_timeline(api: Api) -> None:
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    flow = await _flow(api, admin.headers)
    await _emit(api, flow, "flow_created")

    response = await api.client.get(_path(flow["id"]), headers=api.headers)

    assert response.status_code == 200, response.text
    assert [e["event_type"] for e in response.json()["result"]] == ["flow_created"]


async def test_a_deleted_resources_timeline_stays_readable(api: Api) -> None:
    flow = await _flow(api)
    await _emit(api, flow, "flow_created")
    deleted = await api.client.delete(f"/v1.0/flows/{flow['id']}", headers=api.headers)
    assert deleted.status_code == 204

    response = await api.client.get(_path(flow["id"]), headers=api.headers)

    assert [e["event_type"] for e in response.json()["result"]] == ["flow_deleted", "flow_created"]


async def test_no_credentials_is_401(api: Api) -> None:
    response = await api.client.get(_path(str(uuid.uuid4())))

    assert_error(response, 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED")


async def test_the_answer_decodes_as_the_published_page(api: Api) -> None:
    import msgspec

    flow = await _flow(api)
    await _emit(api, flow, "flow_created")

    response = await api.client.get(_path(flow["id"]), headers=api.headers)

    page = msgspec.json.decode(response.content, type=TimelinePage)
    assert [e.event_type for e in page.result] == ["flow_created"]
    assert page.result[0].data["id"] == flow["id"]
