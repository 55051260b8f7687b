"""Reading the caller's credentials from a request and turning them into a principal.

This is the one place ``/v1.0`` requests are authenticated.
"""

from __future__ import annotations

from starlette.requests import Request

from voipbin.common.errors import Unauthenticated
from voipbin.server.auth.identity import Identity
from voipbin.server.auth.principal import Principal


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("INVALID_CREDENTIALS")
    return token.strip()


class Authenticator:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    async def authenticate(self, request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise Unauthenticated("AUTHENTICATION_REQUIRED")
        tokens = await self.identity.tokens()
        return await self.identity.principal(tokens.agent_of(token))
