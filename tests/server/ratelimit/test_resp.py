"""The limiter's Redis connection: replies are parsed however the bytes are split, matched
to their commands in order, and errors and lost connections reach the waiting command."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.server.ratelimit.resp import Connection, ReplyError, command


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def close(self) -> None:
        self.closed = True


def connected() -> tuple[Connection, FakeTransport]:
    connection, transport = Connection(), FakeTransport()
    connection.connection_made(transport)
    return connection, transport


def test_a_command_is_an_array_of_bulk_strings() -> None:
    assert command(b"GET", b"k") == b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"


REPLIES = (
    b"*4\r\n$1\r\n1\r\n$2\r\n32\r\n$1\r\n0\r\n$6\r\n1.5e+5\r\n+OK\r\n-NOSCRIPT no\r\n:7\r\n$-1\r\n"
)


@given(st.lists(st.integers(min_value=1, max_value=len(REPLIES) - 1), max_size=8))
def test_replies_split_anywhere_reach_their_commands_in_order(cuts: list[int]) -> None:
    async def run() -> list[object]:
        connection, transport = connected()
        waiters = [connection.send(command(b"X")) for _ in range(5)]
        await asyncio.sleep(0)  # one write for all five
        assert len(transport.written) == 1
        bounds = [0, *sorted(set(cuts)), len(REPLIES)]
        for start, end in itertools.pairwise(bounds):
            connection.data_received(REPLIES[start:end])
        results: list[object] = []
        for waiter in waiters:
            try:
                results.append(await waiter)
            except ReplyError as exc:
                results.append(f"error {exc}")
        return results

    assert asyncio.run(run()) == [
        [b"1", b"32", b"0", b"1.5e+5"],
        b"OK",
        "error NOSCRIPT no",
        7,
        None,
    ]


def test_a_lost_connection_fails_the_waiting_commands() -> None:
    async def run() -> None:
        connection, _ = connected()
        waiter = connection.send(command(b"X"))
        connection.connection_lost(None)
        with pytest.raises(ConnectionError):
            await waiter
        with pytest.raises(ConnectionError):
            connection.send(command(b"X"))

    asyncio.run(run())


def test_garbage_closes_the_connection() -> None:
    async def run() -> None:
        connection, transport = connected()
        waiter = connection.send(command(b"X"))
        connection.data_received(b"?what\r\n")
        with pytest.raises(ConnectionError):
            await waiter
        assert transport.closed

    asyncio.run(run())
