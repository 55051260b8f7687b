"""The I/O-free protocol between the SDK's core and its shells.

The core writes each API call once, as a generator (an :data:`Exchange`): it yields
:class:`Send` when it needs a request sent and :class:`Sleep` when it needs to wait, and is
sent back a :class:`Response` (or :class:`Failed`, when the connection failed) for each
``Send``. The sync and async shells only drive that generator with httpx and a sleep
function, so retries, authentication, caching and error mapping exist once.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """A request to send, relative to the client's base URL."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def with_headers(self, headers: Mapping[str, str]) -> Request:
        """This request with ``headers`` added (replacing any of the same name)."""
        return Request(self.method, self.path, self.params, self.body, {**self.headers, **headers})


@dataclass(frozen=True)
class Response:
    """What came back. ``headers`` has lowercase names."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass(frozen=True)
class Failed:
    """The request could not be sent or answered (a connection error, a timeout)."""

    error: Exception


@dataclass(frozen=True)
class Send:
    """Step: send this request and send back its :class:`Response` or :class:`Failed`."""

    request: Request


@dataclass(frozen=True)
class Sleep:
    """Step: wait this many seconds, then send back ``None``."""

    seconds: float


Step = Send | Sleep
Reply = Response | Failed | None
Exchange = Generator[Step, Reply, T]
"""One API call: yields the steps it needs, returns its result."""
