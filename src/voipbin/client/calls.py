"""The calls of one resource, from its declaration in ``voipbin.models``: request building
and response reading for list, get, create, update, delete and the declared actions.

Nothing here is written for a particular resource: a resource added to ``RESOURCES`` gets
every call (and so its SDK accessor and CLI commands) from its ``ResourceSpec``, and an own
route added to ``OWN_ROUTES`` from its ``OwnRoute``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic
from urllib.parse import quote
from uuid import UUID

import msgspec

from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.common.pagination import Page
from voipbin.common.timestamps import format_timestamp
from voipbin.models.base import Action, M, ResourceSpec
from voipbin.models.lookup import Lookup
from voipbin.models.own import OwnRoute
from voipbin.models.wire import decode_wire, decode_wire_page

Id = UUID | str
Body = msgspec.Struct | Mapping[str, Any]
FilterValue = str | int | bool | UUID | datetime | None

#: Filters every list takes (CONVENTIONS.md §5); ``status`` where the resource has one.
COMMON_FILTERS = ("customer_id", "tm_create_from", "tm_create_to", "deleted")

_JSON = {"Content-Type": "application/json"}


def query_value(value: FilterValue) -> str:
    """A filter value in its wire form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    return str(value)


def encode_body(
    kind: type[msgspec.Struct] | None, body: Body | None, fields: Mapping[str, Any]
) -> bytes:
    """The JSON body of a write: ``body`` as given (a struct or a mapping), or ``fields``
    made into ``kind`` (so an unknown or missing field is a ``TypeError`` here)."""
    if body is not None:
        if fields:
            raise TypeError("give a body or fields, not both")
        return msgspec.json.encode(body)
    if kind is None:
        if fields:
            raise TypeError(f"takes no fields, got {', '.join(fields)}")
        return b"{}"
    return msgspec.json.encode(kind(**fields))


class ResourceCalls(Generic[M]):
    """Every call of one resource, as exchanges for a shell to run."""

    def __init__(self, core: ClientCore, spec: ResourceSpec[M]) -> None:
        self.core = core
        self.spec = spec
        self.filters = frozenset(
            (
                *COMMON_FILTERS,
                *(["status"] if spec.statuses else []),
                *(f.name for f in spec.filters),
            )
        )
        self.actions: dict[str, Action] = {a.name: a for a in spec.actions}

    def _verb(self, verb: str) -> None:
        if verb not in self.spec.verbs:
            raise TypeError(f"{self.spec.plural} do not support {verb}")

    def _item_path(self, id: Id) -> str:
        return f"{self.spec.path}/{quote(str(id), safe='')}"

    def list(
        self, page_size: int | None, page_token: str | None, filters: Mapping[str, FilterValue]
    ) -> Exchange[Page[M]]:
        """One page, newest first."""
        self._verb("list")
        unknown = set(filters) - self.filters
        if unknown:
            raise TypeError(
                f"{self.spec.plural} has no filter {', '.join(sorted(unknown))}; "
                f"it has {', '.join(sorted(self.filters))}"
            )
        params = [
            (name, query_value(value)) for name, value in filters.items() if value is not None
        ]
        if page_size is not None:
            params.append(("page_size", str(page_size)))
        if page_token:
            params.append(("page_token", page_token))
        response = yield from self.core.call(Request("GET", self.spec.path, tuple(params)))
        return decode_wire_page(self.spec.model, response.content)

    def get(self, id: Id) -> Exchange[M]:
        self._verb("get")
        request = Request("GET", self._item_path(id))
        response = yield from self.core.call(request, cacheable=True)
        return decode_wire(self.spec.model, response.content)

    def create(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[M]:
        """The new resource (as ``spec.created`` when the answer shows more, like a token)."""
        self._verb("create")
        content = encode_body(self.spec.create, body, fields)
        response = yield from self.core.call(
            Request("POST", self.spec.path, body=content, headers=_JSON)
        )
        model: type[M] = self.spec.created or self.spec.model  # type: ignore[assignment]
        return decode_wire(model, response.content)

    def update(self, id: Id, body: Body | None, fields: Mapping[str, Any]) -> Exchange[M]:
        self._verb("update")
        content = encode_body(self.spec.update, body, fields)
        request = Request("PUT", self._item_path(id), body=content, headers=_JSON)
        response = yield from self.core.call(request)
        return decode_wire(self.spec.model, response.content)

    def delete(self, id: Id) -> Exchange[None]:
        self._verb("delete")
        yield from self.core.call(Request("DELETE", self._item_path(id)))

    def action(
        self,
        name: str,
        id: Id,
        body: Body | None,
        fields: Mapping[str, Any],
        undo: bool = False,
        item: Id | None = None,
    ) -> Exchange[M | None]:
        """The resource as the action left it, or ``None`` for an action without a result.
        ``undo``: the action's undo (``DELETE``), for an action that declares one; ``item``:
        the id of the item an action on an item works on (a contact's address)."""
        action = self.actions[name]
        if undo and not action.undo:
            raise ValueError(f"{self.spec.plural}: {name} has no undo")
        if (item is None) == bool(action.item):
            wanted = f"the {action.item}" if action.item else "no item id"
            raise TypeError(f"{self.spec.plural}: {name} takes {wanted}")
        content = encode_body(action.body, body, fields)
        path = f"{self._item_path(id)}/{action.path_segment}"
        if item is not None:
            path += f"/{quote(str(item), safe='')}"
        method = "DELETE" if undo else action.method
        response = yield from self.core.call(Request(method, path, body=content, headers=_JSON))
        if not action.returns_resource or not response.content:
            return None
        return decode_wire(self.spec.model, response.content)


class OwnCalls:
    """The calls of an own route (``/v1.0/customer``), from its declaration: get, update
    when the route is writable, and its actions. Answers are ``route.model`` (the resource
    as its own people see it: a customer with its webhook secret)."""

    def __init__(self, core: ClientCore, route: OwnRoute) -> None:
        self.core = core
        self.route = route
        self.actions: dict[str, Action] = {a.name: a for a in route.actions}

    def get(self) -> Exchange[Any]:
        response = yield from self.core.call(Request("GET", self.route.path), cacheable=True)
        return decode_wire(self.route.model, response.content)

    def update(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[Any]:
        """The resource with the fields given changed."""
        if self.route.update is None:
            raise TypeError(f"{self.route.name} cannot be updated")
        content = encode_body(self.route.update, body, fields)
        request = Request("PUT", self.route.path, body=content, headers=_JSON)
        response = yield from self.core.call(request)
        return decode_wire(self.route.model, response.content)

    def action(self, name: str, body: Body | None, fields: Mapping[str, Any]) -> Exchange[Any]:
        """The resource as the action left it, or ``None`` for an action without a result."""
        action = self.actions[name]
        content = encode_body(action.body, body, fields)
        path = f"{self.route.path}/{action.name}"
        response = yield from self.core.call(
            Request(action.method, path, body=content, headers=_JSON)
        )
        if not action.returns_resource or not response.content:
            return None
        return decode_wire(self.route.model, response.content)


class LookupCalls:
    """The one call of a lookup (``GET <path>?<query>``), from its declaration."""

    def __init__(self, core: ClientCore, lookup: Lookup) -> None:
        self.core = core
        self.lookup = lookup
        self.parameters = frozenset(f.encode_name for f in msgspec.structs.fields(lookup.query))

    def call(
        self, params: Mapping[str, FilterValue], path: Mapping[str, Id] | None = None
    ) -> Exchange[Any]:
        """The lookup's answer (its ``answer`` struct), ``path`` filling the path's
        parameters; an unknown or missing parameter is a ``TypeError`` here, before anything
        is sent."""
        given = dict(path or {})
        if set(given) != set(self.lookup.path_parameters):
            raise TypeError(
                f"{self.lookup.name} takes the path parameters "
                f"{', '.join(self.lookup.path_parameters) or 'none'}, not "
                f"{', '.join(sorted(given)) or 'none'}"
            )
        target = self.lookup.path.format_map(
            {name: quote(str(value), safe="") for name, value in given.items()}
        )
        unknown = set(params) - self.parameters
        if unknown:
            raise TypeError(
                f"{self.lookup.name} has no parameter {', '.join(sorted(unknown))}; "
                f"it has {', '.join(sorted(self.parameters))}"
            )
        query = tuple(
            (name, query_value(value)) for name, value in params.items() if value is not None
        )
        response = yield from self.core.call(Request("GET", target, query))
        return msgspec.json.decode(response.content, type=self.lookup.answer)
