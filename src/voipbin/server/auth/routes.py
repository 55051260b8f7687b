"""``POST /auth/login``: a username and password for a token."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.models.base import RequestBody
from voipbin.models.fields import Email, LoginPassword
from voipbin.server.auth.identity import Identity
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters


class LoginRequest(RequestBody, kw_only=True):
    username: Email
    password: LoginPassword


class LoginResponse(msgspec.Struct, kw_only=True):
    username: str
    token: str


def auth_routes(identity: Identity) -> list[Route]:
    async def login(request: Request) -> Response:
        no_parameters(request)
        body = decode_body(await request.body(), LoginRequest)
        token = await identity.login(body.username, body.password)
        return json_response(LoginResponse(username=body.username, token=token))

    return [Route("/auth/login", Endpoint(login), methods=["POST"])]
