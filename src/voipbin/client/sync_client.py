"""``Client``: the SDK over ``httpx.Client``. It only sends; the core decides."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from voipbin import __version__
from voipbin.client.cache import ETagCache
from voipbin.client.calls import FilterValue, Id, LookupCalls, OwnCalls, ResourceCalls
from voipbin.client.contacts import Contacts
from voipbin.client.core import build_core
from voipbin.client.events import Events
from voipbin.client.exchange import Exchange, Failed, Reply, Request, Response, Sleep
from voipbin.client.outdials import Outdials
from voipbin.client.paging import Pager
from voipbin.client.recordingfiles import RecordingFiles
from voipbin.client.resources import Own, Resource
from voipbin.client.retry import Jitter, RetryPolicy
from voipbin.client.simulator import Simulator
from voipbin.models.base import M, ResourceSpec
from voipbin.models.contact import CONTACTS
from voipbin.models.events import TIMELINE, TimelineEvent, TimelinePage
from voipbin.models.outdial import OUTDIALS
from voipbin.models.registry import LOOKUPS, OWN_ROUTES, RESOURCES

T = TypeVar("T")

#: Failures where the request may not have reached the server or its answer was lost.
CONNECTION_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
USER_AGENT = f"voipbin-python/{__version__}"


class Client:
    """A VoIPBIN API client. Give one of ``accesskey``, ``token`` (a JWT), or ``username``
    and ``password``. Every resource is an attribute named by its path (``client.tags``), every
    own route by its name (``client.customer``: the caller's own customer).

    ``retry`` says how failed calls are retried; ``cache=True`` (or an ``ETagCache``)
    revalidates single-resource GETs instead of downloading them again; ``transport``,
    ``sleep`` and ``jitter`` replace the network, the clock's waiting and the randomness.
    """

    def __init__(
        self,
        base_url: str,
        *,
        accesskey: str | None = None,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        retry: RetryPolicy | None = None,
        cache: bool | ETagCache = False,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Jitter = random.random,
    ) -> None:
        self._core = build_core(
            accesskey=accesskey,
            token=token,
            username=username,
            password=password,
            retry=retry,
            cache=cache,
            jitter=jitter,
        )
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
        )
        self._sleep = sleep
        self._resources: dict[str, Resource[Any]] = {
            spec.plural: Resource(ResourceCalls(self._core, spec), self._run) for spec in RESOURCES
        }
        # Contacts: the generic calls, and the lookup by phone number or email address.
        self._resources["contacts"] = Contacts(ResourceCalls(self._core, CONTACTS), self._run)
        # Outdials: the generic calls, and their targets (one, a list, pages).
        self._resources["outdials"] = Outdials(ResourceCalls(self._core, OUTDIALS), self._run)

        self._own: dict[str, Own] = {
            route.name: Own(OwnCalls(self._core, route), self._run) for route in OWN_ROUTES
        }
        self.simulator = Simulator(self._core, self._run)
        """The simulated network's control API (super-admins only)."""
        self.events = Events(
            self._core, base_url, self._run, self._sleep, user_agent=USER_AGENT, timeout=timeout
        )
        """The live event stream (``subscribe(topics)``), over the websocket ``/v1.0/ws``."""
        self.recordingfiles = RecordingFiles(self._core, self._run)
        """Recordings' files: ``download(recording_id)``, the zip of its WAVs."""

    def resource(self, spec: ResourceSpec[M]) -> Resource[M]:
        """The accessor of ``spec``, typed by its model (``client.resource(TAGS)``)."""
        return Resource(ResourceCalls(self._core, spec), self._run)

    @property
    def resources(self) -> Mapping[str, Resource[Any]]:
        """Every resource's accessor by its path segment."""
        return self._resources

    @property
    def own_routes(self) -> Mapping[str, Own]:
        """Every own route's accessor by its name (``customer``, ``me``)."""
        return self._own

    def __getattr__(self, name: str) -> Any:
        """A resource's accessor (``Resource``) or an own route's (``Own``), by name.
        Resources and own routes never share a name (``voipbin.models.registry``)."""
        resources: dict[str, Resource[Any]] = self.__dict__.get("_resources", {})
        if name in resources:
            return resources[name]
        own: dict[str, Own] = self.__dict__.get("_own", {})
        if name in own:
            return own[name]
        raise AttributeError(f"{type(self).__name__!r} has no resource or attribute {name!r}")

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._resources, *self._own]

    def lookup(self, name: str, **params: FilterValue) -> Any:
        """The answer of a read-only lookup that is no resource, by its name:
        ``client.lookup("available_numbers", country_code="US")``."""
        for lookup in LOOKUPS:
            if lookup.name == name:
                return self._run(LookupCalls(self._core, lookup).call(params))
        known = ", ".join(lookup.name for lookup in LOOKUPS)
        raise ValueError(f"no lookup {name!r}; the lookups are: {known}")

    def timeline(
        self,
        resource_type: str,
        resource_id: Id,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> TimelinePage:
        """One page of a resource's events, newest first: ``client.timeline("calls", id)``
        (any of ``voipbin.models.events.TIMELINE_RESOURCES``: ``calls``, ``agents``...)."""
        calls = LookupCalls(self._core, TIMELINE)
        params: dict[str, FilterValue] = {"page_size": page_size, "page_token": page_token or None}
        path: dict[str, Id] = {"resource_type": resource_type, "resource_id": resource_id}
        page: TimelinePage = self._run(calls.call(params, path))
        return page

    def timeline_iter(
        self, resource_type: str, resource_id: Id, *, page_size: int | None = None
    ) -> Iterator[TimelineEvent]:
        """Every event of the resource, newest first, fetching pages as the iteration
        reaches them."""
        pager = Pager()
        while not pager.done:
            page = self.timeline(
                resource_type, resource_id, page_size=page_size, page_token=pager.token
            )
            yield from page.result
            pager.advance(page)

    def login(self) -> None:
        """Log in now (with a username and password) rather than before the first call."""
        self._run(self._core.login())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, exchange: Exchange[T]) -> T:
        reply: Reply = None
        while True:
            try:
                step = exchange.send(reply)
            except StopIteration as stop:
                result: T = stop.value
                return result
            if isinstance(step, Sleep):
                self._sleep(step.seconds)
                reply = None
            else:
                reply = self._send(step.request)

    def _send(self, request: Request) -> Response | Failed:
        try:
            response = self._http.request(
                request.method,
                request.path,
                params=request.params,
                content=request.body,
                headers=request.headers,
            )
        except CONNECTION_ERRORS as exc:
            return Failed(exc)
        return Response(response.status_code, dict(response.headers), response.content)
