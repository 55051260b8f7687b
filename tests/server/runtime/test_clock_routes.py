"""``GET /_sim/clock`` and ``POST /_sim/clock/advance``: super-admins read the server's clock
and move a virtual one, every job due on the way run before the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.server.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ManualClock,
    StartApp,
    add_agent,
    assert_error,
    fields_of,
)
from voipbin.common.ids import new_id
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import format_timestamp, parse_timestamp
from voipbin.server.runtime.jobs import Job
from voipbin.server.storage.database import Executor


async def test_a_super_admin_reads_the_virtual_clock_and_moves_it(start_app: StartApp) -> None:
    wall = ManualClock()
    api = await start_app(now=wall, clock="virtual")
    start = wall.value
    wall.advance(3600)  # the wall clock moves; the virtual clock does not

    response = await api.client.get("/_sim/clock", headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"mode": "virtual", "now": format_timestamp(start)}

    ran: list[tuple[str, datetime]] = []
    jobs = api.state.jobs

    async def record(tx: Executor, job: Job) -> None:
        ran.append((job.payload["name"], jobs.clock.now()))

    jobs.register("record", record)
    async with api.state.db.transaction() as tx:
        for name, seconds in (("ten", 10), ("five", 5), ("later", 13)):
            due = start + timedelta(seconds=seconds)
            await jobs.schedule(tx, "record", str(new_id()), due, {"name": name})

    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 12.5}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    after = start + timedelta(seconds=12.5)
    assert response.json() == {"mode": "virtual", "now": format_timestamp(after)}
    assert ran == [("five", start + timedelta(seconds=5)), ("ten", start + timedelta(seconds=10))]

    # Resources are stamped by the same clock.
    tag = await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)
    assert tag.status_code == 201, tag.text
    created = parse_timestamp(tag.json()["tm_create"])
    assert after <= created < after + timedelta(seconds=1)

    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 0}, headers=api.headers
    )
    assert response.json()["now"] == format_timestamp(after)
    assert len(ran) == 2


async def test_a_real_clock_is_read_but_not_moved(start_app: StartApp) -> None:
    api = await start_app()
    before = datetime.now(UTC)
    response = await api.client.get("/_sim/clock", headers=api.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "real"
    assert before - timedelta(seconds=1) <= parse_timestamp(body["now"]) <= datetime.now(UTC)

    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 1}, headers=api.headers
    )
    error = assert_error(response, 409, "FAILED_PRECONDITION", "STATE_INVALID")
    assert "VOIPBIN_CLOCK=virtual" in error["message"]


async def test_only_a_super_admin_may_use_the_clock(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    before = (await api.client.get("/_sim/clock", headers=api.headers)).json()

    response = await api.client.get("/_sim/clock", headers=admin.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 60}, headers=admin.headers
    )
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.post("/_sim/clock/advance", json={"seconds": 60})
    assert response.status_code == 401

    assert (await api.client.get("/_sim/clock", headers=api.headers)).json() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"seconds": -1}',
        b'{"seconds": 1e400}',
        b'{"seconds": 31622401}',
        b'{"seconds": "NaN"}',
        b'{"seconds": null}',
        b"{}",
    ],
)
async def test_a_bad_advance_is_a_400_naming_seconds(start_app: StartApp, body: bytes) -> None:
    api = await start_app(clock="virtual")
    before = (await api.client.get("/_sim/clock", headers=api.headers)).json()
    response = await api.client.post(
        "/_sim/clock/advance",
        content=body,
        headers={**api.headers, "content-type": "application/json"},
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["seconds"]
    assert (await api.client.get("/_sim/clock", headers=api.headers)).json() == before


async def test_the_clock_is_in_the_openapi_document_under_simulator(start_app: StartApp) -> None:
    api = await start_app()
    document = (await api.client.get("/openapi.json")).json()
    advance = document["paths"]["/_sim/clock/advance"]["post"]
    assert advance["tags"] == ["Simulator"]
    assert {"200", "400", "403", "409"} <= set(advance["responses"])
    assert document["paths"]["/_sim/clock"]["get"]["tags"] == ["Simulator"]
    seconds = document["components"]["schemas"]["ClockAdvance"]["properties"]["seconds"]
    assert (seconds["minimum"], seconds["maximum"]) == (0, 366 * 24 * 3600)


async def test_a_login_after_the_virtual_clock_moved_ahead_works(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")
    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 7200}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    # Issued two hours ahead of the wall clock, and checked on the same (virtual) clock.
    login = await api.client.post(
        "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200, login.text
    token = login.json()["token"]
    response = await api.client.get("/_sim/clock", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text

    # A week later (its lifetime) the token has expired, on that clock too.
    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": 604800}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    response = await api.client.get("/_sim/clock", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
