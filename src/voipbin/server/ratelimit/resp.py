"""A minimal pipelined Redis connection: just enough RESP for the limiter's one script (and
for the event stream's pub/sub: ``PUBLISH``, and a ``SUBSCRIBE``d connection's messages).

redis-py spends 100-250 us of CPU per command (packing, a pure-Python parser, a locked
connection pool, a task per timeout); the limiter runs one command per request, so that
was a quarter of a list request. Here every command in flight shares one connection:
commands written in the same event-loop pass go out in one write, and replies are matched
to them in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

Reply = bytes | int | list["Reply"] | None


class ReplyError(Exception):
    """Redis answered a command with an error (``-ERR ...``, ``-NOSCRIPT ...``)."""


def command(*parts: bytes) -> bytes:
    """One command in RESP: an array of bulk strings."""
    encoded = [b"*%d\r\n" % len(parts)]
    for part in parts:
        encoded.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(encoded)


class _Incomplete(Exception):
    pass


def _parse(buffer: bytes, position: int) -> tuple[Reply | ReplyError, int]:
    """One reply starting at ``position``, and where the next one starts."""
    end = buffer.find(b"\r\n", position)
    if end < 0:
        raise _Incomplete
    kind, line = buffer[position : position + 1], buffer[position + 1 : end]
    if kind == b"+":
        return line, end + 2
    if kind == b"-":
        return ReplyError(line.decode("utf-8", "replace")), end + 2
    if kind == b":":
        return int(line), end + 2
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, end + 2
        if len(buffer) < end + 2 + size + 2:
            raise _Incomplete
        return buffer[end + 2 : end + 2 + size], end + 2 + size + 2
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, end + 2
        items: list[Reply] = []
        position = end + 2
        for _ in range(count):
            item, position = _parse(buffer, position)
            if isinstance(item, ReplyError):
                raise item
            items.append(item)
        return items, position
    raise ConnectionError(f"not a RESP reply: {buffer[position:end]!r}")


def _is_message(reply: Reply | ReplyError) -> bool:
    """Whether ``reply`` is a message pushed to a subscriber: ``["message", channel, data]``."""
    return isinstance(reply, list) and len(reply) == 3 and reply[0] == b"message"


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._waiting: deque[asyncio.Future[Reply]] = deque()
        self._outgoing: list[bytes] = []
        self.closed = False
        self.on_message: Callable[[bytes, bytes], None] | None = None
        """Set on a connection that has SUBSCRIBEd: called with each published message's
        channel and payload (messages are pushed, not replies to a command)."""

    @classmethod
    async def open(cls, url: str) -> Connection:
        """A connection to a ``redis://[user:password@]host:port/db`` URL, authenticated and
        on its database."""
        parts = urlsplit(url)
        if parts.scheme != "redis":
            raise ValueError(f"unsupported Redis URL scheme {parts.scheme!r}: use redis://")
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            cls, parts.hostname or "127.0.0.1", parts.port or 6379
        )
        setup = []
        if parts.password is not None:
            user = unquote(parts.username or "default").encode()
            setup.append(connection.send(command(b"AUTH", user, unquote(parts.password).encode())))
        database = (parts.path or "/").strip("/")
        if database:
            setup.append(connection.send(command(b"SELECT", database.encode())))
        for reply in setup:
            await reply
        return connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionError("the Redis connection was lost"))

    def send(self, data: bytes) -> asyncio.Future[Reply]:
        """Send one command; its reply, when it comes (``ReplyError`` for an error)."""
        if self.closed or self._transport is None:
            raise ConnectionError("the Redis connection is closed")
        loop = asyncio.get_running_loop()
        if not self._outgoing:
            loop.call_soon(self._flush)
        self._outgoing.append(data)
        waiter: asyncio.Future[Reply] = loop.create_future()
        self._waiting.append(waiter)
        return waiter

    def _flush(self) -> None:
        if self._outgoing and self._transport is not None and not self.closed:
            self._transport.write(b"".join(self._outgoing))
        self._outgoing.clear()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        position = 0
        while position < len(buffer):
            try:
                reply, position = _parse(buffer, position)
            except _Incomplete:
                break
            except (ReplyError, ConnectionError, ValueError) as exc:
                self._fail(exc)
                return
            if self.on_message is not None and _is_message(reply):
                assert isinstance(reply, list)
                channel, payload = reply[1], reply[2]
                assert isinstance(channel, bytes)
                assert isinstance(payload, bytes)
                self.on_message(channel, payload)
                continue
            waiter = self._waiting.popleft() if self._waiting else None
            if waiter is not None and not waiter.done():
                if isinstance(reply, ReplyError):
                    waiter.set_exception(reply)
                else:
                    waiter.set_result(reply)
        self._buffer = buffer[position:]

    def _fail(self, exc: Exception) -> None:
        self.close()
        self.connection_lost(exc)

    def close(self) -> None:
        if self._transport is not None and not self.closed:
            self._transport.close()
        self.closed = True
