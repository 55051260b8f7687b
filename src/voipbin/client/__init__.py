"""The VoIPBIN Python SDK: ``Client`` and ``AsyncClient``.

::

    from voipbin.client import Client, NotFound

    with Client("http://127.0.0.1:8000", accesskey="vb_...") as client:
        tag = client.tags.create(name="vip")
        for agent in client.agents.iter(status="available"):
            ...
        client.agents.status(agent.id, status="away")
        secret = client.customer.get().webhook_secret

Every resource in ``voipbin.models.RESOURCES`` is an attribute named by its path segment, with
``list``, ``iter``, ``get``, ``create``, ``update``, ``delete`` and its declared actions. Every
own route in ``voipbin.models.OWN_ROUTES`` (the caller's own resource, without an id) is one
too: ``client.customer``, ``client.me``, ``client.outbound_config``, with ``get``, ``update``
where the route is writable, and its actions (``client.customer.webhook_secret_rotate()``). Models
are the ``voipbin.models`` structs (aware datetimes; ``None`` for the unset-time sentinel and
the empty UUID). Errors are the ``voipbin.common.errors`` classes, re-exported here.

``client.timeline("calls", id)`` is a page of a resource's events (``timeline_iter`` walks every
page); ``client.simulator`` is the simulated network's control API (super-admins only):
``clock()``, ``advance(seconds=...)``, ``rules.create/list/delete``, ``devices(extension_id,
devices=[...])``, ``reset()``, and the far end's side of calls: ``calls.create(source=...,
destination=...)`` (an inbound call to one of our numbers), ``calls.dtmf(call_id,
digits=...)`` and ``calls.hangup(call_id)``.

``client.events.subscribe(topics)`` iterates over the customer's events as they happen, over
the websocket ``/v1.0/ws``, connecting again when the connection drops
(``voipbin.client.events``).

The core (``voipbin.client.core``) does no I/O; ``Client`` and ``AsyncClient`` only send.
"""

from voipbin.client.async_client import AsyncClient
from voipbin.client.cache import ETagCache
from voipbin.client.resources import AsyncOwn, AsyncResource, Own, Resource
from voipbin.client.retry import RetryPolicy
from voipbin.client.stream import EventStreamClosed, Reconnect
from voipbin.client.sync_client import Client
from voipbin.common.errors import (
    AlreadyExists,
    ApiError,
    BadGateway,
    FailedPrecondition,
    FieldError,
    Internal,
    InvalidArgument,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PaymentRequired,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unprocessable,
)
from voipbin.common.pagination import Page

__all__ = [
    "AlreadyExists",
    "ApiError",
    "AsyncClient",
    "AsyncOwn",
    "AsyncResource",
    "BadGateway",
    "Client",
    "ETagCache",
    "EventStreamClosed",
    "FailedPrecondition",
    "FieldError",
    "Internal",
    "InvalidArgument",
    "MethodNotAllowed",
    "NotFound",
    "Own",
    "Page",
    "PayloadTooLarge",
    "PaymentRequired",
    "PermissionDenied",
    "Reconnect",
    "Resource",
    "ResourceExhausted",
    "RetryPolicy",
    "Unauthenticated",
    "Unavailable",
    "Unprocessable",
]
