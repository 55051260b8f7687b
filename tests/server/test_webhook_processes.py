"""Webhook delivery with two real ``voipbin serve`` processes on one PostgreSQL database:
every event is delivered by exactly one of them; then one is killed (SIGKILL) while its
attempt is at the receiver, and the other delivers everything, the lost attempt again with
the same event id and body, each resource's events still in order."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from typing import Any

import anyio
import asyncpg
import httpx
import pytest

from tests.backends import postgres_database
from tests.processes import Server, prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.server.runtime.webhooks.receiver import Answer, Received, Receiver
from tests.server.test_runtime_processes import checked, ready_customer

SETTINGS = {
    "VOIPBIN_JOBS_POLL_SECONDS": "0.1",
    "VOIPBIN_JOBS_LEASE_SECONDS": "2",
    "VOIPBIN_WEBHOOK_ALLOW_PRIVATE": "true",
    "VOIPBIN_WEBHOOK_TIMEOUT_SECONDS": "2",
    "VOIPBIN_WEBHOOK_RETRY_SCHEDULE": "1,1,1",
    "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
    "VOIPBIN_RATELIMIT_IP_RATE": "0",
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0",
}
PATIENCE = 20.0
FLOW = [{"type": "variable_set", "option": {"key": "a", "value": "b"}}]


@pytest.fixture
def database() -> Iterator[str]:
    with postgres_database() as url:
        prepare_database(url)
        yield url


@pytest.fixture
async def connection(database: str) -> AsyncIterator[asyncpg.Connection]:
    opened = await asyncpg.connect(database)
    try:
        yield opened
    finally:
        await opened.close()


def _socket_inodes(port: int) -> set[str]:
    """The inodes of the TCP sockets whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    return inodes


def _sender_of(port: int, servers: list[Server]) -> Server:
    """The server whose process group holds the socket of local ``port``."""
    inodes = {f"socket:[{inode}]" for inode in _socket_inodes(port)}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            group = os.getpgid(int(pid))
        except OSError:
            continue
        if links & inodes:
            for server in servers:
                if server.process.pid == group:
                    return server
    raise AssertionError(f"no server sent from port {port}")


async def _eventually(what: str, probe: Any) -> Any:
    deadline = time.monotonic() + PATIENCE
    while True:
        found = await probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await anyio.sleep(0.05)


async def test_two_processes_deliver_each_event_once_and_a_killed_one_loses_nothing(
    database: str, connection: asyncpg.Connection
) -> None:
    held = threading.Event()
    release = threading.Event()
    ports: list[int] = []
    holding = {"on": False}

    def hold_one(got: Received) -> Answer | None:
        if holding["on"] and not held.is_set():
            ports.append(got.peer_port)
            held.set()
            release.wait(10)
        return None

    receiver = Receiver(script=hold_one)
    with ExitStack() as stack:
        servers = [stack.enter_context(serving(database, **SETTINGS)) for _ in range(2)]
        async with httpx.AsyncClient(timeout=10) as client:
            with httpx.Client(timeout=10) as sync_client:
                wait_until_up(servers, sync_client)
            a, b = servers
            login = checked(
                await client.post(
                    f"{a.url}/auth/login",
                    json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
                )
            )
            admin = {"Authorization": f"Bearer {login['token']}"}
            own = {"Authorization": f"Bearer {await ready_customer(client, a.url, admin)}"}
            me = checked(await client.get(f"{a.url}/v1.0/customer", headers=own))
            checked(
                await client.put(
                    f"{a.url}/v1.0/customers/{me['id']}",
                    json={"webhook_uri": receiver.url},
                    headers=admin,
                )
            )

            async def run_flows(count: int) -> None:
                for i in range(count):
                    server = servers[i % 2] if a.process.poll() is None else b
                    checked(
                        await client.post(
                            f"{server.url}/v1.0/activeflows",
                            json={"actions": FLOW},
                            headers=own,
                        ),
                        201,
                    )

            async def undelivered() -> int:
                count: int = await connection.fetchval(
                    "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'"
                )
                return count

            async def all_delivered() -> bool:
                return await undelivered() == 0

            # Both processes deliver: each event once.
            await run_flows(10)
            await _eventually("every delivery", all_delivered)
            first = [r.headers["X-VoIPBIN-Event-Id"] for r in receiver.received]
            assert len(first) == len(set(first)) >= 20

            # One is killed while the receiver holds its attempt.
            holding["on"] = True
            await run_flows(6)
            await anyio.to_thread.run_sync(held.wait, PATIENCE)
            victim = _sender_of(ports[0], servers)
            victim.kill()
            release.set()
            await _eventually("every delivery after the kill", all_delivered)
            events = await connection.fetch(
                "SELECT id::text, resource_id::text FROM event_outbox "
                "WHERE customer_id = $1 ORDER BY tm_create",
                me["id"],
            )

    received = [(r.headers["X-VoIPBIN-Event-Id"], r.body) for r in receiver.received]
    ids = [event_id for event_id, _ in received]
    # Nothing lost; a duplicate carries the same id and body.
    assert set(ids) == {row["id"] for row in events}
    assert len(ids) > len(set(ids))
    bodies: dict[str, bytes] = {}
    for event_id, body in received:
        assert bodies.setdefault(event_id, body) == body
    # Each resource's events arrived (first copies) in the order they were written.
    order = {row["id"]: i for i, row in enumerate(events)}
    per_resource: dict[str, list[int]] = {}
    for event_id in dict.fromkeys(ids):
        data = json.loads(bodies[event_id])["data"]
        per_resource.setdefault(data["id"], []).append(order[event_id])
    assert all(seen == sorted(seen) for seen in per_resource.values())
