"""``GET /_sim/emails``: the simulator's local outbox, for super-admins (403 for anyone else).

Every email the local transport delivered (no ``VOIPBIN_SMTP_URL``), newest first, paged as
every list (``page_size``, ``page_token``); ``customer_id`` and ``email_id`` narrow it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import InvalidArgument, PermissionDenied
from voipbin.common.ids import canonical_id
from voipbin.common.pagination import parse_page_size, parse_page_token
from voipbin.models.simulator import EMAILS_PATH, DeliveredEmail
from voipbin.models.wire import wire_struct
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.http import Endpoint, check_parameters, json_response, query_params
from voipbin.server.storage.repository import ListQuery, Repository

_PARAMETERS = ("page_size", "page_token", "customer_id", "email_id")
#: The outbox's fields, in the order its rows are read and shown.
FIELDS: tuple[str, ...] = DeliveredEmail.__struct_fields__
_wire = wire_struct(DeliveredEmail)


def _id(params: dict[str, str], name: str) -> str | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return canonical_id(text)
    except ValueError:
        raise InvalidArgument.field(name, "must be a UUID", "INVALID_REQUEST_PARAMETER") from None


def sim_email_routes(auth: Authenticator, local_outbox: Repository) -> list[Route]:
    """The route of the local outbox (``local_outbox`` reads ``FIELDS``)."""

    async def delivered(request: Request) -> Response:
        principal = await auth.authenticate(request)
        if not principal.is_super_admin:
            raise PermissionDenied(message="The simulator is controlled by super-admins only.")
        params = query_params(request.scope)
        check_parameters(params, _PARAMETERS)
        limit = parse_page_size(params.get("page_size"))
        email_id = _id(params, "email_id")
        query = ListQuery(
            limit=limit + 1,
            customer_id=_id(params, "customer_id"),
            equals={} if email_id is None else {"email_id": email_id},
            before=parse_page_token(params.get("page_token")),
        )
        rows = await local_outbox.list(query)
        token = ""
        if len(rows) > limit:
            rows = rows[:limit]
            token = str(rows[-1][FIELDS.index("tm_create")])
        return json_response({"result": [_wire(*row) for row in rows], "next_page_token": token})

    return [Route(EMAILS_PATH, Endpoint(delivered), methods=["GET"])]
