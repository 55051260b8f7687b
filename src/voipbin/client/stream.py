"""The event stream's I/O-free core: what ``client.events.subscribe`` sends, reads and decides.

The protocol of ``GET /v1.0/ws`` (a websocket, with the usual credentials):

- the client sends ``{"type": "subscribe", "topics": [...]}``; a topic is
  ``<scope>:<scope_id>[:<resource>[:<id>]]``, ``customer_id:<id>:call`` (every call event of
  the customer) or ``agent_id:<id>`` (the agent's own), matched on a prefix at a ``:``;
- the server sends each event as ``{"type": <event type>, "data": {...}}``, the body a
  webhook would carry, and ``{"type": "error", "error": {...}}`` (the error envelope) when it
  refuses the subscription; it may instead close with ``1008`` (a refused topic);
- every 10 s the server sends ``{"type": "ping"}``, which the client answers with
  ``{"type": "pong"}`` (websocket pings do not reach an ASGI application); a connection the
  client sends nothing on for 60 s is dropped.

Subscriptions do not outlive a connection and nothing is replayed: after a drop the client
connects again with backoff and subscribes again; events in between are missed (a resource's
timeline has them). :class:`EventStream` decides, per connection, what to send, which frames
are events, and after a failure whether to wait and connect again or give up. The shells
(``voipbin.client.events``) only connect and read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

from voipbin.client.auth import Credentials
from voipbin.client.errors import error_from_frame
from voipbin.client.retry import Jitter
from voipbin.common.errors import ApiError, ResourceExhausted, Unauthenticated, Unavailable
from voipbin.models.events import EventMessage

WS_PATH = "/v1.0/ws"
#: The server's keepalive frame, and the client's answer to it.
PING_TYPE = "ping"
PONG = '{"type":"pong"}'
#: Close codes after which connecting again cannot help: a refused topic (1008, policy
#: violation), a frame the server does not accept (1003), and the application's own (4xxx).
FINAL_CLOSE_CODES = frozenset({1003, 1008})

log = logging.getLogger("voipbin.client.events")


class EventStreamClosed(Exception):
    """The server closed the event stream for good (a refused topic), or it dropped and
    reconnecting is off or gave up. ``code`` and ``reason`` are the websocket's close frame
    (``None`` and ``""`` when the connection failed without one)."""

    def __init__(self, message: str, code: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Reconnect:
    """How the stream connects again after a drop: full-jitter exponential backoff, a
    random wait up to ``min(max_backoff, backoff * 2 ** (failures - 1))``. ``max_failures``
    failures in a row (none delivered a frame) end the stream; ``None``: never give up."""

    backoff: float = 0.5
    max_backoff: float = 30.0
    max_failures: int | None = None

    def delay(self, failures: int, jitter: Jitter) -> float | None:
        if self.max_failures is not None and failures >= self.max_failures:
            return None
        # The exponent is capped: a stream that keeps trying overnight must not overflow.
        return jitter() * min(self.max_backoff, self.backoff * 2.0 ** min(failures - 1, 30))


NO_RECONNECT = Reconnect(max_failures=1)


def ws_url(base_url: str) -> str:
    """The websocket's URL under an API base URL (``http`` becomes ``ws``, ``https`` ``wss``)."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + WS_PATH, "", ""))


class _Frame(msgspec.Struct):
    type: str
    data: Any = None


_frame = msgspec.json.Decoder(_Frame)


class EventStream:
    """One subscription's decisions, across every connection it makes."""

    def __init__(
        self,
        credentials: Credentials,
        topics: Iterable[str],
        reconnect: Reconnect,
        jitter: Jitter,
    ) -> None:
        self.topics = [topics] if isinstance(topics, str) else list(topics)
        if not self.topics or not all(isinstance(t, str) and t for t in self.topics):
            raise ValueError("subscribe to at least one topic, each a non-empty string")
        self._credentials = credentials
        self._reconnect = reconnect
        self._jitter = jitter
        self._failures = 0
        self._logged_in_again = False

    @property
    def needs_login(self) -> bool:
        return self._credentials.needs_login

    def headers(self) -> dict[str, str]:
        """The headers of the websocket's opening request (the credentials)."""
        return self._credentials.header()

    def subscribe_frame(self) -> str:
        return msgspec.json.encode({"type": "subscribe", "topics": self.topics}).decode()

    def receive(self, message: str | bytes) -> EventMessage | str | None:
        """The event a frame carries; a frame to send back (the answer to a ping, a
        ``str``); ``None`` for a frame that is neither (ignored). An error frame raises its
        :class:`~voipbin.common.errors.ApiError`: the subscription was refused, and
        subscribing again would be refused again."""
        # The connection works: the next drop starts the backoff anew, and a token that
        # expires later (a week-long stream) may be renewed again.
        self._failures = 0
        self._logged_in_again = False
        content = message.encode() if isinstance(message, str) else message
        try:
            frame = _frame.decode(content)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("ignored a frame that is not an event: %.200r", content)
            return None
        if frame.type == "error":
            raise error_from_frame(content)
        if frame.type == PING_TYPE:
            return PONG
        if not isinstance(frame.data, dict):
            log.warning("ignored a %s frame without data", frame.type)
            return None
        return EventMessage(type=frame.type, data=frame.data)

    def refused(self, error: ApiError) -> float:
        """The server answered the opening request with ``error``: the seconds to wait before
        connecting again, or the error raised when trying again cannot help."""
        if (
            isinstance(error, Unauthenticated)
            and error.reason == "INVALID_CREDENTIALS"
            and self._credentials.can_login
            and not self._logged_in_again
        ):
            self._logged_in_again = True
            self._credentials.forget()
            return 0.0
        delay = self._next_delay()
        if delay is None or not isinstance(error, ResourceExhausted | Unavailable):
            raise error
        if isinstance(error, ResourceExhausted) and error.retry_after is not None:
            return max(delay, error.retry_after)
        return delay

    def dropped(self, code: int | None, reason: str = "", error: Exception | None = None) -> float:
        """The connection closed (``code``, ``reason``) or failed (``error``): the seconds to
        wait before connecting again, or :class:`EventStreamClosed` raised."""
        what = f"closed ({code} {reason})".replace(" )", ")") if code else f"failed ({error})"
        if code in FINAL_CLOSE_CODES or (code is not None and 4000 <= code < 5000):
            raise EventStreamClosed(f"the server closed the event stream: {reason}", code, reason)
        delay = self._next_delay()
        if delay is None:
            message = f"the event stream {what}; gave up after {self._failures} failures"
            raise EventStreamClosed(message, code, reason) from error
        log.warning("the event stream %s; connecting again in %.1f s", what, delay)
        return delay

    def _next_delay(self) -> float | None:
        self._failures += 1
        return self._reconnect.delay(self._failures, self._jitter)
