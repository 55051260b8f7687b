"""What the edge does to a request's input before any route sees it.

- The path loses a trailing slash (``/v1.0/tags/`` is ``/v1.0/tags``; ``/`` stays).
- A body (POST, PUT, PATCH) is read here, once, in chunks, and cut off with
  ``413 PAYLOAD_TOO_LARGE`` as soon as it passes ``max_body_bytes`` (before reading anything
  when ``Content-Length`` already says so): at most the limit is ever held in memory. Then it
  passes :func:`~voipbin.server.body.check_body` (nesting depth, storable text),
  and the app is handed a ``receive`` that replays it. Every endpoint reading a body is
  covered, whatever it does with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Message, Receive, Scope

from voipbin.common.errors import PayloadTooLarge
from voipbin.server.body import DEFAULT_MAX_JSON_DEPTH, check_body

#: Default of the ``max_body_bytes`` setting: 1 MiB.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def normalise_path(scope: Scope) -> None:
    """Drop the trailing slashes of a path other than ``/``."""
    path: str = scope["path"]
    if len(path) > 1 and path.endswith("/"):
        scope["path"] = path.rstrip("/") or "/"
        raw = scope.get("raw_path")
        if raw:
            scope["raw_path"] = raw.rstrip(b"/") or b"/"


@dataclass(frozen=True)
class InputLimits:
    """The bounds on a request body (settings ``max_body_bytes``, ``max_json_depth``)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            message=(
                f"The request body is larger than the server accepts ({self.max_body_bytes} bytes)."
            )
        )

    async def read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or ``None`` when the client went away first."""
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_body_bytes:
                    raise self.too_large()
                break
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise self.too_large()
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def admit(self, scope: Scope, receive: Receive) -> Receive | None:
        """The ``receive`` the app gets: ``receive`` itself when the method carries no body;
        else one replaying the checked body. ``None`` when the client disconnected."""
        if scope["method"] not in _BODY_METHODS:
            return receive
        body = await self.read_body(scope, receive)
        if body is None:
            return None
        check_body(body, self.max_json_depth)
        return _replay(body, receive)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:  # after the body, only a disconnect can come
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
