"""``POST /auth/signup``: self-service registration, when ``VOIPBIN_SIGNUP=open``.

It creates a customer, its admin agent (username = the email; no password: the access key is
the credential until one is set) and an access key, in one transaction, and answers
``{customer, accesskey}`` with the key's token, shown this once. An email that a live
customer already has gets ``200 {}``, so signup cannot tell anyone which emails exist.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.address import is_email
from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission
from voipbin.models.base import RequestBody
from voipbin.models.customer import CustomerCreate
from voipbin.models.fields import Detail, Email, OptionalName, OptionalPhoneNumber, WebhookMethod
from voipbin.server.auth.principal import Principal
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters
from voipbin.server.resources.accesskeys import new_key
from voipbin.server.resources.base import Values
from voipbin.server.resources.service import ResourceService
from voipbin.server.storage.database import UniqueViolation


class SignupRequest(RequestBody, kw_only=True):
    email: Email
    accepted_tos: bool
    name: OptionalName = ""
    detail: Detail = ""
    phone_number: OptionalPhoneNumber = ""
    address: Detail = ""
    webhook_method: WebhookMethod = ""
    webhook_uri: Detail = ""


#: Whom signup acts as while it builds the new customer's values: nobody yet.
_NOBODY = Principal(
    agent_id=EMPTY_UUID_TEXT, customer_id=EMPTY_UUID_TEXT, permission=Permission.NONE
)


def signup_routes(services: dict[str, ResourceService[Any]]) -> list[Route]:
    customers, agents, keys = services["customer"], services["agent"], services["accesskey"]
    db = customers.repository.db

    async def signup(request: Request) -> Response:
        no_parameters(request)
        body = decode_body(await request.body(), SignupRequest)
        if not is_email(body.email):
            raise InvalidArgument.field("email", "must be a valid email address")
        if not body.accepted_tos:
            raise InvalidArgument.field("accepted_tos", "must be true")
        fields = msgspec.structs.asdict(body)
        del fields["accepted_tos"]
        fields["name"] = body.name or body.email
        # The customer's own rules check its fields (phone number, webhook URI...).
        customer = await customers.resource.prepare_create(
            customers.context(_NOBODY), CustomerCreate(**fields), None
        )
        if await customers.repository.find(("id",), {"email": body.email}) is not None:
            return json_response({})
        try:
            return await create(customer, body.email.lower(), body.name)
        except UniqueViolation:  # the email is an agent's username already
            return json_response({})

    async def create(customer: Values, username: str, name: str) -> Response:
        key, token = new_key("signup", "Created at signup.", None)
        async with db.transaction() as tx:
            row = await customers.repository.insert(customer, executor=tx)
            customer_id = str(row[0])
            await customers.create_companions(customer_id, tx)
            row = await customers.repository.get(customer_id, tx) or row  # as they left it
            await agents.repository.insert(
                {
                    "customer_id": customer_id,
                    "username": username,
                    "password_hash": "",
                    "name": name,
                    "permission": int(Permission.CUSTOMER_ADMIN),
                },
                executor=tx,
            )
            created_key = await keys.repository.insert(
                {**key, "customer_id": customer_id}, executor=tx
            )
        # The one signing up is the new customer's admin: it sees its customer as its own
        # (with the webhook secret), as GET /v1.0/customer shows it.
        return json_response(
            {
                "customer": customers.own_wire(*row),
                "accesskey": keys.created_wire(*created_key, token),
            }
        )

    return [Route("/auth/signup", Endpoint(signup), methods=["POST"])]
