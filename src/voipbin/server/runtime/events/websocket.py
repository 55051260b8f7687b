"""``GET /v1.0/ws``: the event stream, a websocket with the usual credentials.

- The opening request is authenticated like any request (``Authorization: Bearer``, or the
  ``token`` / ``accesskey`` query parameters and cookies); a refusal is the error envelope
  with its HTTP status (or, on a server without the denial-response extension, a close
  with 1008).
- The client sends text frames ``{"type": "subscribe" | "unsubscribe", "topics": [...]}``
  (``topics.py``). A frame that is not valid, or names a topic that is not valid or not
  allowed, is answered with an error frame ``{"type": "error", "error": {...}}`` (the
  envelope's object) and changes nothing; the connection stays open. A binary frame
  closes it (1003).
- The server sends each event whose topics match as ``{"type": <event type>, "data":
  {...}}``, at most once per connection, in the order the feed reads them.
- Keepalive: ASGI carries no websocket pings, so they are frames of the protocol: every
  ``ping_seconds`` (10) the server sends ``{"type": "ping"}``, which a client answers with
  ``{"type": "pong"}``; a connection the client has sent nothing on for
  ``read_deadline`` seconds (60) is closed (1001), and the client connects again.
- A client that reads slower than events come is closed with 4008 once ``queue_size``
  frames wait for it (``feed.Listener``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import msgspec
from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from voipbin.common.errors import ApiError, InvalidArgument
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.auth.principal import Principal
from voipbin.server.errors import envelope
from voipbin.server.middleware.request_context import new_request_id
from voipbin.server.runtime.events.feed import Close, EventFeed, Listener
from voipbin.server.runtime.events.topics import parse_topics

WS_PATH = "/v1.0/ws"
PING = '{"type":"ping"}'
#: A frame from the client is at most this long.
MAX_FRAME = 65536
#: Close codes (RFC 6455): the client went quiet, or sent a binary frame.
CLOSE_QUIET = 1001
CLOSE_BINARY = 1003
CLOSE_POLICY = 1008
#: How long the close frame may take to go out.
CLOSE_TIMEOUT = 5.0


@dataclass(frozen=True)
class StreamLimits:
    """The keepalive and backpressure figures of every connection."""

    ping_seconds: float = 10.0
    read_deadline: float = 60.0
    queue_size: int = 1000
    max_topics: int = 100


class _Frame(msgspec.Struct):
    type: str
    topics: object = None


_frame = msgspec.json.Decoder(_Frame)


def error_frame(error: ApiError, request_id: str) -> str:
    body, _ = envelope(error, request_id)
    return '{"type":"error",' + body.decode()[1:]


class Connection:
    """One accepted websocket: its reader, its writer and its pings, until one ends."""

    def __init__(
        self,
        websocket: WebSocket,
        principal: Principal,
        feed: EventFeed,
        limits: StreamLimits,
        request_id: str,
    ) -> None:
        self.websocket = websocket
        self.principal = principal
        self.feed = feed
        self.limits = limits
        self.request_id = request_id
        self.listener = Listener(limits.queue_size)

    async def run(self) -> None:
        self.feed.attach(self.listener)
        writer = asyncio.ensure_future(self._write())
        tasks = [asyncio.ensure_future(self._read()), writer, asyncio.ensure_future(self._ping())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if self.listener.closed:
                # The reader gave up on the client (quiet, binary): the writer sends the close.
                await asyncio.wait([writer], timeout=CLOSE_TIMEOUT)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, OSError):
                    await task
            self.feed.detach(self.listener)

    async def _read(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.limits.read_deadline):
                    message = await self.websocket.receive()
            except TimeoutError:
                quiet = f"nothing from the client for {self.limits.read_deadline:g} s"
                self.listener.close(CLOSE_QUIET, quiet)
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                self.listener.close(CLOSE_BINARY, "frames are JSON text")
                return
            try:
                self.handle(text)
            except ApiError as error:
                self.listener.offer(error_frame(error, self.request_id))

    def handle(self, text: str) -> None:
        """Apply one frame of the client; the ``ApiError`` that refuses it."""
        if len(text) > MAX_FRAME:
            raise InvalidArgument.field("frame", f"at most {MAX_FRAME} characters")
        try:
            frame = _frame.decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise InvalidArgument("INVALID_JSON_BODY") from None
        if frame.type in ("pong", "ping"):
            return
        limit = self.limits.max_topics
        if frame.type == "unsubscribe":
            topics = parse_topics(self.principal, frame.topics, limit, check=False)
            self.feed.unsubscribe(self.listener, [t.text for t in topics])
        elif frame.type == "subscribe":
            topics = parse_topics(self.principal, frame.topics, limit)
            held = self.listener.topics
            if len(held.keys() | {t.text for t in topics}) > limit:
                raise InvalidArgument.field("topics", f"at most {limit} topics per connection")
            self.feed.subscribe(self.listener, topics)
        else:
            raise InvalidArgument.field("type", "subscribe, unsubscribe or pong")

    async def _write(self) -> None:
        queue = self.listener.queue
        while True:
            item = await queue.get()
            if isinstance(item, Close):
                await self.websocket.close(item.code, item.reason)
                return
            await self.websocket.send_text(item)

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(self.limits.ping_seconds)
            self.listener.offer(PING)


def websocket_route(feed: EventFeed, auth: Authenticator, limits: StreamLimits) -> WebSocketRoute:
    """The ``/v1.0/ws`` route."""

    async def stream(websocket: WebSocket) -> None:
        request_id = new_request_id()
        try:
            if auth.limiter is not None:
                limited = auth.limiter.check_ip(websocket.scope)
                if limited is not None:
                    raise limited
            principal = await auth.authenticate(websocket)
        except ApiError as error:
            await _refuse(websocket, error, request_id)
            return
        await websocket.accept()
        await Connection(websocket, principal, feed, limits, request_id).run()

    return WebSocketRoute(WS_PATH, stream)


async def _refuse(websocket: WebSocket, error: ApiError, request_id: str) -> None:
    """Answer the opening request with the error's status and envelope."""
    if "websocket.http.response" not in websocket.scope.get("extensions", {}):
        await websocket.close(CLOSE_POLICY, f"{error.reason}: {error.message}"[:120])
        return
    body, headers = envelope(error, request_id)
    headers = {**headers, "X-Request-Id": request_id}
    response = Response(body, error.http_status, headers, media_type="application/json")
    await websocket.send_denial_response(response)
