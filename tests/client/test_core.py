"""The I/O-free core, driven by hand: each test plays the server's part step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
import pytest

from voipbin.client.auth import Credentials
from voipbin.client.cache import ETagCache
from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Failed, Request, Response, Send, Sleep, Step
from voipbin.client.retry import RetryPolicy, retryable
from voipbin.common.errors import (
    FailedPrecondition,
    Internal,
    NotFound,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

T = TypeVar("T")


def envelope(status: str, reason: str, **extra: Any) -> bytes:
    error = {"status": status, "reason": reason, "message": "m", "request_id": "req_1"}
    return msgspec.json.encode({"error": {**error, "details": [], **extra}})


def answer(status: int, content: bytes = b"{}", **headers: str) -> Response:
    return Response(status, {k.replace("_", "-"): v for k, v in headers.items()}, content)


OK = answer(200, b'{"ok": true}')
UNAVAILABLE = answer(503, envelope("UNAVAILABLE", "SERVICE_UNAVAILABLE"))
LOGGED_IN = answer(200, b'{"username": "u", "token": "jwt-2"}')


def core(**options: Any) -> ClientCore:
    credentials = options.pop("credentials", None) or Credentials(token="jwt-1")
    options.setdefault("retry", RetryPolicy())
    options.setdefault("jitter", lambda: 0.5)
    return ClientCore(credentials, **options)


def play(
    exchange: Exchange[T], server: Callable[[Request], Response | Failed]
) -> tuple[T, list[Step]]:
    """Run ``exchange`` with ``server`` answering each request; its result and steps."""
    steps: list[Step] = []
    reply: Response | Failed | None = None
    while True:
        try:
            step = exchange.send(reply)
        except StopIteration as stop:
            return stop.value, steps
        steps.append(step)
        reply = server(step.request) if isinstance(step, Send) else None


def scripted(*replies: Response | Failed) -> Callable[[Request], Response | Failed]:
    queue = list(replies)
    return lambda request: queue.pop(0)


def sent(steps: list[Step]) -> list[Request]:
    return [s.request for s in steps if isinstance(s, Send)]


def test_a_request_carries_the_credentials() -> None:
    response, steps = play(core().call(Request("GET", "/v1.0/tags")), scripted(OK))

    assert response is OK
    assert sent(steps)[0].headers == {"Authorization": "Bearer jwt-1"}


def test_a_post_carries_one_idempotency_key_through_its_retries() -> None:
    keys = iter(["key-1", "key-2"])
    c = core(idempotency_key=lambda: next(keys))

    _, steps = play(
        c.call(Request("POST", "/v1.0/tags")), scripted(UNAVAILABLE, Failed(OSError()), OK)
    )

    assert [r.headers["Idempotency-Key"] for r in sent(steps)] == ["key-1"] * 3
    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [0.25, 0.5]


def test_a_given_idempotency_key_is_kept() -> None:
    request = Request("POST", "/v1.0/tags", headers={"Idempotency-Key": "mine"})

    _, steps = play(core().call(request), scripted(OK))

    assert sent(steps)[0].headers["Idempotency-Key"] == "mine"


def test_other_methods_carry_no_idempotency_key() -> None:
    for method in ("GET", "PUT", "DELETE"):
        _, steps = play(core().call(Request(method, "/v1.0/tags/x")), scripted(OK))
        assert "Idempotency-Key" not in sent(steps)[0].headers


def test_a_final_error_is_raised_without_a_wait() -> None:
    with pytest.raises(NotFound) as caught:
        play(
            core().call(Request("GET", "/v1.0/tags/x")),
            scripted(answer(404, envelope("NOT_FOUND", "TAG_NOT_FOUND"))),
        )

    assert caught.value.reason == "TAG_NOT_FOUND"


def test_a_connection_error_is_raised_once_the_attempts_run_out() -> None:
    error = OSError("refused")
    c = core(retry=RetryPolicy(max_attempts=2))

    with pytest.raises(OSError, match="refused"):
        play(c.call(Request("GET", "/v1.0/tags")), scripted(Failed(error), Failed(error)))


def test_a_429_waits_its_retry_after() -> None:
    limited = answer(429, envelope("RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED"), retry_after="3")

    _, steps = play(core().call(Request("GET", "/v1.0/tags")), scripted(limited, OK))

    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [3.0]


def test_a_username_and_password_log_in_first_and_once_more_on_invalid_credentials() -> None:
    credentials = Credentials(username="u", password="p")
    expired = answer(401, envelope("UNAUTHENTICATED", "INVALID_CREDENTIALS"))
    c = core(credentials=credentials)

    _, steps = play(
        c.call(Request("GET", "/v1.0/tags")),
        scripted(answer(200, b'{"username": "u", "token": "jwt-1"}'), expired, LOGGED_IN, OK),
    )

    requests = sent(steps)
    assert [r.path for r in requests] == ["/auth/login", "/v1.0/tags", "/auth/login", "/v1.0/tags"]
    assert msgspec.json.decode(requests[0].body or b"") == {"username": "u", "password": "p"}
    assert requests[1].headers["Authorization"] == "Bearer jwt-1"
    assert requests[3].headers["Authorization"] == "Bearer jwt-2"


def test_a_second_refusal_after_logging_in_again_is_raised() -> None:
    expired = answer(401, envelope("UNAUTHENTICATED", "INVALID_CREDENTIALS"))
    c = core(credentials=Credentials(username="u", password="p"))

    with pytest.raises(Unauthenticated):
        play(c.call(Request("GET", "/v1.0/tags")), scripted(LOGGED_IN, expired, LOGGED_IN, expired))


def test_the_cache_revalidates_and_serves_the_kept_answer_on_304() -> None:
    c = core(cache=ETagCache())
    first = answer(200, b'{"v": 1}', etag='"a"')

    one, _ = play(c.call(Request("GET", "/v1.0/tags/x"), cacheable=True), scripted(first))
    two, steps = play(
        c.call(Request("GET", "/v1.0/tags/x"), cacheable=True),
        scripted(answer(304, b"", etag='"a"')),
    )

    assert one is first
    assert two is first
    assert sent(steps)[0].headers["If-None-Match"] == '"a"'


def test_the_cache_keeps_the_newest_answers_only() -> None:
    cache = ETagCache(max_entries=2)
    for n in range(3):
        request = Request("GET", f"/v1.0/tags/{n}")
        cache.resolve(request, answer(200, b"{}", etag=f'"{n}"'))

    assert len(cache) == 2
    assert "If-None-Match" not in cache.prepare(Request("GET", "/v1.0/tags/0")).headers
    assert cache.prepare(Request("GET", "/v1.0/tags/2")).headers["If-None-Match"] == '"2"'


def test_an_answer_without_an_etag_drops_what_was_kept() -> None:
    cache = ETagCache()
    request = Request("GET", "/v1.0/tags/x")
    cache.resolve(request, answer(200, b"{}", etag='"a"'))

    cache.resolve(request, answer(200, b"{}"))

    assert len(cache) == 0


# -- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (None, True),
        (OSError(), True),
        (Unavailable(), True),
        (Unavailable("REQUEST_TIMEOUT"), True),
        (ResourceExhausted(), True),
        (FailedPrecondition("IDEMPOTENCY_KEY_IN_USE"), True),
        (FailedPrecondition(), False),
        (NotFound(), False),
        (Internal(), False),
    ],
)
def test_what_may_succeed_when_tried_again(error: Exception | None, expected: bool) -> None:
    assert retryable(error) is expected


def test_full_jitter_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(max_attempts=10, backoff=0.5, max_backoff=4.0)

    ceilings = [policy.delay(n, Unavailable(), lambda: 1.0) for n in range(1, 7)]

    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.delay(3, None, lambda: 0.0) == 0.0


def test_retry_after_is_capped_and_attempts_are_counted() -> None:
    limited = ResourceExhausted(headers={"Retry-After": "120"})
    policy = RetryPolicy(max_attempts=3, max_retry_after=30.0)

    assert limited.retry_after == 120.0
    assert policy.delay(1, limited, lambda: 0.0) == 30.0
    assert policy.delay(3, limited, lambda: 0.0) is None
    assert RetryPolicy(max_attempts=1).delay(1, Unavailable(), lambda: 0.0) is None


def test_a_429_without_retry_after_backs_off() -> None:
    assert RetryPolicy(backoff=2.0).delay(1, ResourceExhausted(), lambda: 0.5) == 1.0


@pytest.mark.parametrize("options", [{"max_attempts": 0}, {"backoff": -1.0}])
def test_a_policy_that_cannot_work_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        RetryPolicy(**options)
