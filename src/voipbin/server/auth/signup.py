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
from voipbin.models.fields import Detail, Email, OptionalName, WebhookMethod
from voipbin.server.auth.tokens import token_hash
from voipbin.server.http import Endpoint, json_response
from voipbin.server.resources.accesskeys import new_token
from voipbin.server.resources.body import decode_body
from voipbin.server.resources.fields import check_phone_number, check_webhook_uri
from voipbin.server.resources.service import ResourceService
from voipbin.server.storage.database import UniqueViolation


class SignupRequest(msgspec.Struct, kw_only=True):
    email: Email
    accepted_tos: bool
    name: OptionalName = ""
    detail: Detail = ""
    phone_number: OptionalName = ""
    address: Detail = ""
    webhook_method: WebhookMethod = ""
    webhook_uri: Detail = ""


def signup_routes(services: dict[str, ResourceService[Any]]) -> list[Route]:
    customers, agents, keys = services["customer"], services["agent"], services["accesskey"]
    db = customers.repository.db

    async def signup(request: Request) -> Response:
        body = decode_body(await request.body(), SignupRequest)
        if not is_email(body.email):
            raise InvalidArgument.field("email", "must be a valid email address")
        if not body.accepted_tos:
            raise InvalidArgument.field("accepted_tos", "must be true")
        check_phone_number(body.phone_number)
        check_webhook_uri(body.webhook_uri)
        if await customers.repository.find(("id",), {"email": body.email}) is not None:
            return json_response({})
        token = new_token()
        try:
            return await create(body, token)
        except UniqueViolation:  # the email is an agent's username already
            return json_response({})

    async def create(body: SignupRequest, token: str) -> Response:
        async with db.transaction() as tx:
            customer = await customers.repository.insert(
                {
                    **{
                        k: v for k, v in msgspec.structs.asdict(body).items() if k != "accepted_tos"
                    },
                    "name": body.name or body.email,
                    "status": "active",
                    "billing_account_id": EMPTY_UUID_TEXT,
                },
                executor=tx,
            )
            customer_id = str(customer[0])
            await agents.repository.insert(
                {
                    "customer_id": customer_id,
                    "username": body.email.lower(),
                    "password_hash": "",
                    "name": body.name,
                    "ring_method": "ringall",
                    "status": "offline",
                    "permission": int(Permission.CUSTOMER_ADMIN),
                    "tag_ids": "[]",
                    "addresses": "[]",
                },
                executor=tx,
            )
            key = await keys.repository.insert(
                {
                    "customer_id": customer_id,
                    "name": "signup",
                    "detail": "Created at signup.",
                    "token_hash": token_hash(token),
                    "token_prefix": token[:11],
                    "tm_expire": None,
                },
                executor=tx,
            )
        created = keys.created_wire

        return json_response(
            {"customer": customers.wire(*customer), "accesskey": created(*key, token)}
        )

    return [Route("/auth/signup", Endpoint(signup), methods=["POST"])]
