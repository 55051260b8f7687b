"""Reading the caller's credentials from a request and turning them into a principal.

This is the one place ``/v1.0`` requests are authenticated. Credentials are looked for in
this order, and the first found is the only one used:

1. ``Authorization: Bearer <JWT or access key>``
2. cookie ``token`` (a JWT)
3. query ``token`` (a JWT)
4. cookie ``accesskey``
5. query ``accesskey``

An access key is told from a JWT by its ``vb_`` prefix, wherever it is found.
"""

from __future__ import annotations

from starlette.requests import Request

from voipbin.common.errors import Unauthenticated
from voipbin.server.auth.identity import Identity
from voipbin.server.auth.principal import Principal
from voipbin.server.ratelimit.limiter import RateLimiter


def credential(request: Request) -> str | None:
    """The first credential the request carries, by the order above."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("INVALID_CREDENTIALS")
        return token.strip()
    if not request.scope["query_string"] and b"cookie" not in dict(request.scope["headers"]):
        return None
    cookies, query = request.cookies, request.query_params
    for value in (
        cookies.get("token"),
        query.get("token"),
        cookies.get("accesskey"),
        query.get("accesskey"),
    ):
        if value:
            return value
    return None


class Authenticator:
    def __init__(self, identity: Identity, limiter: RateLimiter | None = None) -> None:
        self.identity = identity
        self.limiter = limiter

    async def authenticate(self, request: Request) -> Principal:
        """The caller, once their customer's rate limit has let the request through."""
        token = credential(request)
        if token is None:
            raise Unauthenticated("AUTHENTICATION_REQUIRED")
        principal = await self.identity.authenticate(token)
        if self.limiter is not None:
            await self.limiter.check_customer(request.scope, principal.customer_id)
        return principal
