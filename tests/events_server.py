"""A tiny ``/v1.0/ws`` server for the event stream's tests, speaking its protocol (see
``voipbin.client.stream``): each connection it accepts reads the subscribe frame, then plays
the next plan: frames to send, then a dropped TCP connection, a close frame, or (when the
plan ends) waiting until the client goes. It can also refuse the first opening requests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

DROP = "drop"
"""A plan step: the TCP connection ends without a close frame."""

Step = dict[str, Any] | str | tuple[int, str]
"""A frame to send (a dict), ``DROP``, or a close frame ``(code, reason)``."""


@dataclass(frozen=True)
class Refusal:
    """An error answer to an opening request: its status, JSON body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One connection, as the server saw it."""

    path: str
    authorization: str | None
    subscribe: Any
    later: list[Any] = field(default_factory=list)
    """The frames the client sent after its subscribe frame (until the plan ended)."""


@dataclass
class EventServer:
    plans: list[list[Step]]
    refusals: list[Refusal] = field(default_factory=list)
    """Answers to the first opening requests, one each, before any is accepted."""
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if not self.refusals:
            return None
        refusal = self.refusals.pop(0)
        response = connection.respond(refusal.status, json.dumps(refusal.body))
        response.headers["Content-Type"] = "application/json"
        for name, value in refusal.headers.items():
            response.headers[name] = value
        return response

    def _handle(self, connection: ServerConnection) -> None:
        index = len(self.seen)
        subscribe = json.loads(connection.recv(timeout=5))
        request = connection.request
        assert request is not None
        seen = Seen(request.path, request.headers.get("Authorization"), subscribe)
        self.seen.append(seen)
        for step in self.plans[index] if index < len(self.plans) else []:
            if step == DROP:
                connection.socket.shutdown(socket.SHUT_RDWR)
                return
            if isinstance(step, tuple):
                connection.close(*step)
                return
            connection.send(json.dumps(step))
        for message in connection:
            seen.later.append(json.loads(message))


@contextmanager
def event_server(*plans: list[Step], refusals: Iterable[Refusal] = ()) -> Iterator[EventServer]:
    """An :class:`EventServer` on a free port; ``url`` is its API base URL."""
    server = EventServer(list(plans), list(refusals))
    with serve(server._handle, "127.0.0.1", 0, process_request=server._process_request) as running:
        server.url = f"http://127.0.0.1:{running.socket.getsockname()[1]}"
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        try:
            yield server
        finally:
            running.shutdown()
            thread.join(5)


def event(type: str, id: str, **fields: Any) -> dict[str, Any]:
    """An event frame: ``{"type", "data"}`` with the resource's id and ``fields``."""
    return {"type": type, "data": {"id": id, **fields}}
