"""``client.events.subscribe``: events as they come over ``/v1.0/ws``, across dropped
connections (connecting again with backoff, with the credentials, subscribing again), and
the ends a reconnect cannot mend: an error frame, a refused topic, refused credentials."""

from __future__ import annotations

import httpx
import pytest

from tests.client.harness import Sleeps
from tests.events_server import DROP, Refusal, Step, event, event_server
from tests.inprocess import BASE_URL
from voipbin.client import (
    AsyncClient,
    Client,
    EventStreamClosed,
    PermissionDenied,
    Reconnect,
    Unauthenticated,
)
from voipbin.client.stream import ws_url

KEY = "vb_" + "k" * 32
TOPICS = ["customer_id:6a3b59b4-4e0e-4c8f-8b8a-1f6a1fbd2f11:call"]
A, B, C, D = (event(t, f"call-{t}") for t in ("call_created", "call_ringing", "call_hangup", "x"))
BAD_CREDENTIALS = Refusal(
    401,
    {"error": {"status": "UNAUTHENTICATED", "reason": "INVALID_CREDENTIALS",
               "message": "Bad credentials.", "request_id": "req_2", "details": []}},
)  # fmt: skip
BUSY = Refusal(
    429,
    {"error": {"status": "RESOURCE_EXHAUSTED", "reason": "RATE_LIMIT_EXCEEDED",
               "message": "Slow down.", "request_id": "req_3", "details": []}},
    {"Retry-After": "2"},
)  # fmt: skip


def test_the_stream_goes_on_across_drops_subscribing_again_each_time() -> None:
    sleeps = Sleeps()
    plans: list[list[Step]] = [
        [A, B, DROP],
        [{"type": "no data"}, "not json", C, (1001, "going away")],
        [D],
    ]
    with (
        event_server(*plans) as server,
        Client(server.url + "/", accesskey=KEY, sleep=sleeps, jitter=lambda: 0.5) as client,
    ):
        received = []
        for message in client.events.subscribe(TOPICS):
            received.append(message)
            if len(received) == 4:
                break

    assert [(m.type, m.data["id"]) for m in received] == [
        (frame["type"], frame["data"]["id"]) for frame in (A, B, C, D)
    ]
    assert [s.subscribe for s in server.seen] == [{"type": "subscribe", "topics": TOPICS}] * 3
    assert {(s.path, s.authorization) for s in server.seen} == {("/v1.0/ws", f"Bearer {KEY}")}
    # A connection that delivered frames resets the backoff: each wait is the first one's.
    assert sleeps.waits == [0.25, 0.25]


def test_the_server_s_pings_are_answered_and_never_yielded() -> None:
    with (
        event_server([{"type": "ping"}, A, {"type": "ping"}, B]) as server,
        Client(server.url, accesskey=KEY) as client,
    ):
        received = []
        for message in client.events.subscribe(TOPICS):
            received.append(message.type)
            if len(received) == 2:
                break

    assert received == ["call_created", "call_ringing"]
    assert server.seen[0].later == [{"type": "pong"}, {"type": "pong"}]


async def test_async_subscribe_ends_with_the_error_frame_s_error() -> None:
    refusal = {
        "type": "error",
        "error": {"status": "PERMISSION_DENIED", "reason": "PERMISSION_DENIED",
                  "message": "Not your topic.", "request_id": "req_1", "details": []},
    }  # fmt: skip
    sleeps = Sleeps()
    with event_server([A, refusal]) as server:
        async with AsyncClient(server.url, accesskey=KEY, sleep=sleeps.asleep) as client:
            received: list[str] = []

            async def read() -> None:
                async for message in client.events.subscribe(TOPICS[0]):
                    received.append(message.type)

            with pytest.raises(PermissionDenied) as raised:
                await read()

    assert received == ["call_created"]
    assert raised.value.reason == "PERMISSION_DENIED"
    assert raised.value.message == "Not your topic."
    assert sleeps.waits == []


def test_a_refused_topic_refused_credentials_and_a_server_that_stays_down_end_the_stream() -> None:
    sleeps = Sleeps()
    with (
        event_server([(1008, "topic not allowed")]) as server,
        Client(server.url, accesskey=KEY, sleep=sleeps) as client,
        pytest.raises(EventStreamClosed) as closed,
    ):
        list(client.events.subscribe(TOPICS))
    assert (closed.value.code, closed.value.reason) == (1008, "topic not allowed")

    with (
        event_server(refusals=[BAD_CREDENTIALS]) as server,
        Client(server.url, accesskey=KEY, sleep=sleeps) as client,
        pytest.raises(Unauthenticated, match="Bad credentials"),
    ):
        list(client.events.subscribe(TOPICS))

    down = server.url  # nothing listens there any more
    with (
        Client(down, accesskey=KEY, sleep=sleeps, jitter=lambda: 1.0) as client,
        pytest.raises(EventStreamClosed, match="gave up after 3 failures"),
    ):
        list(client.events.subscribe(TOPICS, reconnect=Reconnect(backoff=1, max_failures=3)))
    assert sleeps.waits == [1.0, 2.0]


def test_a_refused_login_logs_in_again_and_a_rate_limit_waits_its_retry_after() -> None:
    tokens = iter(["token-1", "token-2"])

    def login(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/auth/login"
        return httpx.Response(200, json={"username": "ann", "token": next(tokens)})

    sleeps = Sleeps()
    with (
        event_server([A], refusals=[BAD_CREDENTIALS, BUSY]) as server,
        Client(
            server.url,
            username="ann",
            password="pw",
            transport=httpx.MockTransport(login),
            sleep=sleeps,
            jitter=lambda: 0.5,
        ) as client,
    ):
        first = next(iter(client.events.subscribe(TOPICS)))

    assert first.type == "call_created"
    assert server.seen[0].authorization == "Bearer token-2"
    assert sleeps.waits == [2.0]


def test_the_websocket_lives_under_the_base_url() -> None:
    assert ws_url(BASE_URL) == "ws://testserver/v1.0/ws"
    assert ws_url("https://api.example.com/voip/") == "wss://api.example.com/voip/v1.0/ws"
    with pytest.raises(ValueError, match="at least one topic"):
        Client(BASE_URL, accesskey=KEY).events.subscribe([]).__next__()
