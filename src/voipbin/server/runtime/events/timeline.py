"""Timelines: every event a resource went through, newest first, read from the outbox.

Which resources have a timeline is declared publicly (``TIMELINE_RESOURCES``); how to find
the owner of one is registered here by the part of the server that serves it
(``register("calls", owner_in(calls_repository))``). A timeline whose resource is not
registered yet has no resources: every id is a 404 with that resource's reason.

Rules, in this order: a bad id is ``400 INVALID_ID``; a resource that does not exist, or is
another customer's, is ``404 <RESOURCE>_NOT_FOUND``; a caller who is not a customer admin or
manager (upstream's rule) is ``403``; otherwise a page, empty when nothing happened yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import msgspec

from voipbin.common.errors import NotFound, PermissionDenied
from voipbin.common.pagination import parse_page_size, parse_page_token
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.events import TIMELINE_RESOURCES
from voipbin.server.auth.principal import Principal
from voipbin.server.http import check_parameters, path_id
from voipbin.server.runtime.events.outbox import Outbox
from voipbin.server.storage.repository import Repository

#: Given a resource's id, the customer it belongs to; ``None`` when there is no such
#: resource. A soft-deleted resource still has its owner (its timeline stays readable).
Owner = Callable[[str], Awaitable[str | None]]

#: Who may read a timeline (upstream: customer admins and managers; super-admins too).
READERS = CUSTOMER_MANAGERS

_PARAMETERS = ("page_size", "page_token")


def owner_in(repository: Repository) -> Owner:
    """The owner lookup of a resource stored by ``repository`` (a customer-scoped table)."""

    async def owner(resource_id: str) -> str | None:
        row = await repository.find(("customer_id",), {"id": resource_id}, live=False)
        return None if row is None else str(row[0])

    return owner


class _Event(msgspec.Struct):
    """``TimelineEvent`` as the server encodes it: ``data`` passed through as stored."""

    timestamp: str
    event_type: str
    data: msgspec.Raw


class _Page(msgspec.Struct):
    result: list[_Event]
    next_page_token: str


class Timelines:
    """The timelines of every resource type in ``TIMELINE_RESOURCES``."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._owners: dict[str, Owner] = {}

    def register(self, resource_type: str, owner: Owner) -> None:
        """Make the resources of ``resource_type`` (``calls``) found through ``owner``."""
        if resource_type not in TIMELINE_RESOURCES:
            raise ValueError(f"{resource_type!r} has no timeline")
        self._owners[resource_type] = owner

    async def page(
        self,
        principal: Principal,
        resource_type: str,
        id_text: str,
        params: Mapping[str, str],
    ) -> _Page:
        """One page of the timeline of ``resource_type`` ``id_text``, as the caller asks
        (``page_size``, ``page_token``)."""
        resource = TIMELINE_RESOURCES.get(resource_type)
        if resource is None:
            known = ", ".join(TIMELINE_RESOURCES)
            raise NotFound(
                "ROUTE_NOT_FOUND",
                f"There is no timeline of {resource_type!r}; the timelines are of: {known}.",
            )
        check_parameters(params, _PARAMETERS)
        limit = parse_page_size(params.get("page_size"))
        before = parse_page_token(params.get("page_token"))
        resource_id = path_id(id_text, "resource_id")
        owner = self._owners.get(resource_type)
        customer_id = None if owner is None else await owner(resource_id)
        if customer_id is None or not principal.sees(customer_id):
            raise NotFound(f"{resource.upper()}_NOT_FOUND")
        if not principal.allows(READERS):
            raise PermissionDenied()
        events = await self.outbox.events_of(resource, resource_id, limit + 1, before)
        token = ""
        if len(events) > limit:
            events = events[:limit]
            token = events[-1].tm_create
        return _Page(
            result=[_Event(e.tm_create, e.type, e.data) for e in events], next_page_token=token
        )
