"""The SDK's I/O-free core: one API call from request to result, written once.

:meth:`ClientCore.call` adds what every request needs (credentials, an ``Idempotency-Key`` on
a POST, ``If-None-Match`` when caching), retries what the policy says may succeed later, logs
in again once when a token has stopped working, and turns error answers into the
``voipbin.common.errors`` classes. The shells (``Client``, ``AsyncClient``) only drive it.
"""

from __future__ import annotations

from collections.abc import Callable

from voipbin.client.auth import Credentials
from voipbin.client.cache import ETagCache
from voipbin.client.errors import error_from_response
from voipbin.client.exchange import Exchange, Failed, Request, Response, Send, Sleep
from voipbin.client.retry import Jitter, RetryPolicy
from voipbin.common.errors import Unauthenticated
from voipbin.common.ids import new_id

IDEMPOTENCY_KEY = "Idempotency-Key"


def new_idempotency_key() -> str:
    return str(new_id())


class ClientCore:
    """What a client knows and decides, without sending anything itself."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        retry: RetryPolicy,
        jitter: Jitter,
        cache: ETagCache | None = None,
        idempotency_key: Callable[[], str] = new_idempotency_key,
    ) -> None:
        self.credentials = credentials
        self.retry = retry
        self.jitter = jitter
        self.cache = cache
        self.idempotency_key = idempotency_key

    def call(self, request: Request, *, cacheable: bool = False) -> Exchange[Response]:
        """Send ``request`` until it succeeds (its response) or fails for good (raised).

        ``cacheable`` marks a GET of a single resource, revalidated through the cache when
        the client has one.
        """
        if request.method == "POST" and IDEMPOTENCY_KEY not in request.headers:
            # One key for every attempt: a retry of a POST the server did handle is replayed.
            request = request.with_headers({IDEMPOTENCY_KEY: self.idempotency_key()})
        cache = self.cache if cacheable else None
        logged_in_again = False
        while True:
            if self.credentials.needs_login:
                yield from self.login()
            outgoing = request.with_headers(self.credentials.header())
            if cache is not None:
                outgoing = cache.prepare(outgoing)
            try:
                response = yield from self._attempts(outgoing)
            except Unauthenticated as error:
                if (
                    logged_in_again
                    or not self.credentials.can_login
                    or error.reason != "INVALID_CREDENTIALS"
                ):
                    raise
                logged_in_again = True
                self.credentials.forget()
                continue
            return response if cache is None else cache.resolve(outgoing, response)

    def login(self) -> Exchange[None]:
        """Exchange the username and password for a token."""
        response = yield from self._attempts(self.credentials.login_request())
        self.credentials.accept_login(response)

    def _attempts(self, request: Request) -> Exchange[Response]:
        attempt = 0
        while True:
            attempt += 1
            reply = yield Send(request)
            error: Exception
            if isinstance(reply, Response):
                if reply.ok:
                    return reply
                error = error_from_response(reply.status, reply.headers, reply.content)
            elif isinstance(reply, Failed):
                error = reply.error
            else:
                raise TypeError(f"a Send step needs a Response or Failed back, not {reply!r}")
            delay = self.retry.delay(attempt, error, self.jitter)
            if delay is None:
                raise error
            yield Sleep(delay)


def build_core(
    *,
    accesskey: str | None,
    token: str | None,
    username: str | None,
    password: str | None,
    retry: RetryPolicy | None,
    cache: bool | ETagCache,
    jitter: Jitter,
) -> ClientCore:
    """The core both shells build from their constructor's arguments."""
    credentials = Credentials(
        accesskey=accesskey, token=token, username=username, password=password
    )
    return ClientCore(
        credentials,
        retry=retry or RetryPolicy(),
        jitter=jitter,
        cache=ETagCache() if cache is True else cache if isinstance(cache, ETagCache) else None,
    )
