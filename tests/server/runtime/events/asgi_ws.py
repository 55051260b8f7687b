"""A websocket client that speaks ASGI to the app directly, on the test's own event loop (as
httpx's ASGI transport does for requests): the app's lifespan, database and clock are the
test's. ``hold()`` makes the client slow: what the app sends then waits, as it would on a
full TCP connection."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message

Json = dict[str, Any]


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class Refused(Exception):
    def __init__(self, status: int, body: Json) -> None:
        super().__init__(f"refused {status}")
        self.status = status
        self.body = body


class WsClient:
    def __init__(self, app: ASGIApp, headers: dict[str, str], query: dict[str, str]) -> None:
        self._inbound: asyncio.Queue[Message] = asyncio.Queue()
        self._outbound: asyncio.Queue[Message] = asyncio.Queue()
        self._flowing = asyncio.Event()
        self._flowing.set()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": "/v1.0/ws",
            "raw_path": b"/v1.0/ws",
            "root_path": "",
            "query_string": urlencode(query).encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}},
            "state": {},
        }
        self._inbound.put_nowait({"type": "websocket.connect"})
        self.task = asyncio.ensure_future(app(scope, self._inbound.get, self._send))

    async def _send(self, message: Message) -> None:
        await self._flowing.wait()
        await self._outbound.put(message)

    def hold(self) -> None:
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    async def opened(self) -> None:
        """Wait for the app to accept; ``Refused`` with its answer when it refuses."""
        message = await asyncio.wait_for(self._outbound.get(), 5)
        if message["type"] == "websocket.accept":
            return
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason", ""))
        assert message["type"] == "websocket.http.response.start", message
        status = message["status"]
        body = b""
        while True:
            part = await asyncio.wait_for(self._outbound.get(), 5)
            body += part.get("body", b"")
            if not part.get("more_body"):
                break
        raise Refused(status, json.loads(body))

    def send(self, frame: Json | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        self._inbound.put_nowait({"type": "websocket.receive", "text": text})

    def send_bytes(self, data: bytes) -> None:
        self._inbound.put_nowait({"type": "websocket.receive", "bytes": data})

    async def receive(self, within: float = 5) -> Json:
        """The next frame; ``Closed`` when the app closed instead."""
        message = await asyncio.wait_for(self._outbound.get(), within)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason", ""))
        frame: Json = json.loads(message["text"])
        return frame

    async def quiet(self, seconds: float) -> list[Json]:
        """Every frame that comes within ``seconds``."""
        frames = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                frames.append(await self.receive(left))
            except TimeoutError:
                break
        return frames

    async def disconnect(self) -> None:
        self.release()
        self._inbound.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 5)
