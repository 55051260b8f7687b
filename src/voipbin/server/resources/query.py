"""Parsing a list request's query parameters (CONVENTIONS.md §4-5) into a ``ListQuery``, and
refusing the parameters an endpoint does not know (a typo never passes silently)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import canonical_id
from voipbin.common.pagination import parse_page_size, parse_page_token, parse_query_timestamp
from voipbin.models.base import Filter, ResourceSpec
from voipbin.server.auth.principal import Principal
from voipbin.server.http import check_parameters
from voipbin.server.storage.repository import Deleted, ListQuery

_DELETED: dict[str, Deleted] = {"false": "false", "true": "true", "all": "all"}

#: The most ids a ``uuids`` filter takes.
MAX_FILTER_IDS = 100
_PAGING = ("page_size", "page_token", "tm_create_from", "tm_create_to", "deleted")


def _bad(name: str, description: str) -> InvalidArgument:
    return InvalidArgument.field(name, description, "INVALID_REQUEST_PARAMETER")


def _id(name: str, text: str) -> str:
    try:
        return canonical_id(text)
    except ValueError:
        raise _bad(name, "must be a UUID") from None


@cache
def list_parameters(resource: ResourceSpec[Any]) -> frozenset[str]:
    """The query parameters a list of ``resource`` knows (worked out once per resource)."""
    names = {*_PAGING, *(f.name for f in resource.filters)}
    if resource.customer_scoped and not resource.under:  # the owner decides the customer
        names.add("customer_id")
    if resource.statuses:
        names.add("status")
    return frozenset(names)


def _filter_value(spec: Filter, text: str) -> Any:
    if spec.kind == "uuid":
        return _id(spec.name, text)
    if spec.kind == "uuids":
        ids = [_id(spec.name, part.strip()) for part in text.split(",") if part.strip()]
        if not ids or len(ids) > MAX_FILTER_IDS:
            raise _bad(spec.name, f"must be 1 to {MAX_FILTER_IDS} comma-separated UUIDs")
        return list(dict.fromkeys(ids))
    if spec.kind in ("enum", "held") and text not in spec.values:
        raise _bad(spec.name, f"must be one of: {', '.join(spec.values)}")
    if spec.kind == "bool":
        if text not in ("true", "false"):
            raise _bad(spec.name, "must be true or false")
        return text == "true"
    return text


def parse_list_query(
    resource: ResourceSpec[Any], params: Mapping[str, str], principal: Principal
) -> ListQuery | None:
    """The query a list request asks for; ``None`` when it can only be empty (another
    customer's items asked for by someone who may not see them)."""
    check_parameters(params, list_parameters(resource))
    limit = parse_page_size(params.get("page_size"))
    before = parse_page_token(params.get("page_token"))
    equals: dict[str, Any] = {}
    any_of: dict[str, list[str]] = {}
    customer_id: str | None = None
    if resource.customer_scoped:
        customer_id = principal.customer_id
        wanted = params.get("customer_id")
        if wanted:
            wanted = _id("customer_id", wanted)
            if not principal.sees(wanted):
                return None
            customer_id = wanted
    status = params.get("status")
    if status and resource.statuses:
        equals["status"] = _filter_value(Filter("status", "enum", resource.statuses), status)
    for extra in resource.filters:
        text = params.get(extra.name)
        if text:
            value = _filter_value(extra, text)
            column = extra.column or extra.name
            if extra.kind == "uuids":
                any_of[column] = value
            elif extra.kind == "held":
                any_of[column] = [value]
            else:
                equals[column] = value
    deleted = _DELETED.get(params.get("deleted") or "false")
    if deleted is None:
        raise _bad("deleted", "must be false, true or all")
    from_text, to_text = params.get("tm_create_from"), params.get("tm_create_to")
    return ListQuery(
        limit=limit + 1,
        customer_id=customer_id,
        equals=equals,
        any_of=any_of,
        tm_create_from=parse_query_timestamp("tm_create_from", from_text) if from_text else None,
        tm_create_to=parse_query_timestamp("tm_create_to", to_text) if to_text else None,
        before=before,
        deleted=deleted,
    )
