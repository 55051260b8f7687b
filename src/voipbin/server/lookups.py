"""The route of a lookup (``voipbin.models.lookup``): ``GET <path>``, its query checked
against the declaration (unknown parameters and bad values are 400s naming them), the
answer computed by the given function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.pagination import parse_page_size
from voipbin.models.lookup import Lookup
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.auth.principal import Principal
from voipbin.server.body import decode_query
from voipbin.server.http import (
    CREDENTIAL_PARAMETERS,
    Endpoint,
    check_parameters,
    json_response,
    query_params,
)

#: Given the caller and the decoded query, the answer (or an ``ApiError``).
Answer = Callable[[Principal, Any], Awaitable[msgspec.Struct]]


def lookup_route(lookup: Lookup, auth: Authenticator, answer: Answer) -> Route:
    """``GET lookup.path``: authenticate, decode the query, answer."""
    known = lookup.query.__struct_fields__

    async def run(request: Request) -> Response:
        principal = await auth.authenticate(request)
        params = query_params(request.scope)
        check_parameters(params, known)
        wanted = {k: v for k, v in params.items() if k not in CREDENTIAL_PARAMETERS}
        if "page_size" in known:
            # Refused as every list refuses it, before the schema's plainer message.
            parse_page_size(wanted.get("page_size"))
        query = decode_query(wanted, lookup.query)
        return json_response(await answer(principal, query))

    return Route(lookup.path, Endpoint(run), methods=["GET"])
