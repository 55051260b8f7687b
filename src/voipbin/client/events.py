"""``client.events``: the customer's events as they happen, over the websocket ``/v1.0/ws``.

::

    for event in client.events.subscribe([f"customer_id:{customer_id}:call"]):
        print(event.type, event.data["id"])           # an EventMessage, as a webhook's body

    async for event in async_client.events.subscribe(topics):   # asyncio
        ...

The iteration goes on across dropped connections (it connects again with backoff and
subscribes again; ``reconnect=`` says how) until the loop stops, the server refuses the
subscription (its :class:`~voipbin.common.errors.ApiError`), or the server closes the stream
for good (:class:`~voipbin.client.stream.EventStreamClosed`). The decisions live in
``voipbin.client.stream``; these shells only connect and read, with the ``websockets``
library (the async one runs on asyncio, not trio).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from voipbin.client.core import ClientCore
from voipbin.client.errors import error_from_response
from voipbin.client.exchange import Exchange
from voipbin.client.stream import EventStream, Reconnect, ws_url
from voipbin.common.errors import ApiError
from voipbin.models.events import EventMessage

if TYPE_CHECKING:
    from websockets.exceptions import ConnectionClosed, InvalidStatus

# websockets is imported when a subscription starts: importing the client stays quick.


def _refusal(exc: InvalidStatus) -> ApiError:
    """The API error of an opening request the server answered with an error status."""
    response = exc.response
    headers = {name.lower(): value for name, value in response.headers.raw_items()}
    return error_from_response(response.status_code, headers, bytes(response.body or b""))


def _closed(exc: ConnectionClosed) -> tuple[int | None, str]:
    return (exc.rcvd.code, exc.rcvd.reason) if exc.rcvd is not None else (None, "")


class _Shell:
    def __init__(self, core: ClientCore, base_url: str, user_agent: str, timeout: float) -> None:
        self._core = core
        self._url = ws_url(base_url)
        self._user_agent = user_agent
        self._timeout = timeout

    def _stream(self, topics: Iterable[str], reconnect: Reconnect) -> EventStream:
        return EventStream(self._core.credentials, topics, reconnect, self._core.jitter)


class Events(_Shell):
    """``client.events`` of :class:`~voipbin.client.Client`."""

    def __init__(
        self,
        core: ClientCore,
        base_url: str,
        run: Callable[[Exchange[Any]], Any],
        sleep: Callable[[float], None],
        *,
        user_agent: str,
        timeout: float,
    ) -> None:
        super().__init__(core, base_url, user_agent, timeout)
        self._run = run
        self._sleep = sleep

    def subscribe(
        self, topics: Iterable[str], *, reconnect: Reconnect | None = None
    ) -> Iterator[EventMessage]:
        """The events of ``topics`` as they happen, until the loop stops (module doc)."""
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
        from websockets.sync.client import connect

        stream = self._stream(topics, reconnect or Reconnect())
        while True:
            if stream.needs_login:
                self._run(self._core.login())
            try:
                with connect(
                    self._url,
                    additional_headers=stream.headers(),
                    user_agent_header=self._user_agent,
                    open_timeout=self._timeout,
                ) as ws:
                    ws.send(stream.subscribe_frame())
                    for message in ws:
                        event = stream.receive(message)
                        if isinstance(event, str):
                            ws.send(event)
                        elif event is not None:
                            yield event
                    delay = stream.dropped(ws.close_code, ws.close_reason or "")
            except InvalidStatus as exc:
                delay = stream.refused(_refusal(exc))
            except ConnectionClosed as exc:
                delay = stream.dropped(*_closed(exc), error=exc)
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                delay = stream.dropped(None, error=exc)
            if delay > 0:
                self._sleep(delay)


class AsyncEvents(_Shell):
    """``client.events`` of :class:`~voipbin.client.AsyncClient` (asyncio)."""

    def __init__(
        self,
        core: ClientCore,
        base_url: str,
        run: Callable[[Exchange[Any]], Awaitable[Any]],
        sleep: Callable[[float], Awaitable[None]],
        *,
        user_agent: str,
        timeout: float,
    ) -> None:
        super().__init__(core, base_url, user_agent, timeout)
        self._run = run
        self._sleep = sleep

    async def subscribe(
        self, topics: Iterable[str], *, reconnect: Reconnect | None = None
    ) -> AsyncIterator[EventMessage]:
        """The events of ``topics`` as they happen, until the loop stops (module doc)."""
        from websockets.asyncio.client import connect as connect_async
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

        stream = self._stream(topics, reconnect or Reconnect())
        while True:
            if stream.needs_login:
                await self._run(self._core.login())
            try:
                async with connect_async(
                    self._url,
                    additional_headers=stream.headers(),
                    user_agent_header=self._user_agent,
                    open_timeout=self._timeout,
                ) as ws:
                    await ws.send(stream.subscribe_frame())
                    async for message in ws:
                        event = stream.receive(message)
                        if isinstance(event, str):
                            await ws.send(event)
                        elif event is not None:
                            yield event
                    delay = stream.dropped(ws.close_code, ws.close_reason or "")
            except InvalidStatus as exc:
                delay = stream.refused(_refusal(exc))
            except ConnectionClosed as exc:
                delay = stream.dropped(*_closed(exc), error=exc)
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                delay = stream.dropped(None, error=exc)
            if delay > 0:
                await self._sleep(delay)
