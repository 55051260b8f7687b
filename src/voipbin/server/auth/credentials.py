"""Reading the caller's credentials from a request and turning them into a principal.

This is the one place ``/v1.0`` requests are authenticated. Credentials are looked for in
this order, and the first found is the only one used:

1. ``Authorization: Bearer <JWT or access key>``
2. cookie ``token`` (a JWT)
3. query ``token`` (a JWT)
4. cookie ``accesskey``
5. query ``accesskey``

An access key is told from a JWT by its ``vb_`` prefix, wherever it is found.

A frozen customer's credentials still authenticate, but every write (any method but
GET/HEAD: a create, an update, a delete, an action, an own route's PUT) is refused here, once
for every route: ``403 ACCOUNT_FROZEN``. Super-admins are never refused (as in VoIPBIN, whose
check skips them): support must be able to act on a frozen customer, and to recover it.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from voipbin.common.errors import PermissionDenied, Unauthenticated
from voipbin.server.auth.identity import Identity
from voipbin.server.auth.principal import Principal
from voipbin.server.ratelimit.limiter import RateLimiter

#: The methods a frozen customer may still use.
READS = frozenset({"GET", "HEAD"})


def credential(request: HTTPConnection) -> str | None:
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

    async def authenticate(self, request: HTTPConnection) -> Principal:
        """The caller, once their customer's rate limit has let the request through (a
        request, or a websocket's opening request, which counts as a read)."""
        token = credential(request)
        if token is None:
            raise Unauthenticated("AUTHENTICATION_REQUIRED")
        principal = await self.identity.authenticate(token)
        if self.limiter is not None:
            await self.limiter.check_customer(request.scope, principal.customer_id)
        method = request.scope.get("method", "GET")
        if principal.frozen and method not in READS and not principal.is_super_admin:
            raise PermissionDenied("ACCOUNT_FROZEN")
        return principal
