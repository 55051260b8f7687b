"""The two layers and their headers.

Per client IP, in this process: ``/auth/*`` and everything else have limits of their own.
Per customer, after authentication: shared through Redis when it is configured. Every
response to a request that went through a limiter carries the headers of the tightest layer
it went through; a refused request is ``429`` naming the layer that refused it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.types import Scope

from voipbin.common.errors import ResourceExhausted
from voipbin.server.ratelimit.client_ip import ClientAddress
from voipbin.server.ratelimit.gcra import Decision, Limit
from voipbin.server.ratelimit.memory import MemoryBuckets
from voipbin.server.ratelimit.redis import RedisBuckets
from voipbin.server.settings import Settings

SCOPE_KEY = "voipbin.ratelimit"

Applied = tuple[str, Limit, Decision]
"""(policy name, its limit, the decision) for one layer a request went through."""


@dataclass(frozen=True)
class Limits:
    auth: Limit
    ip: Limit
    customer: Limit


class RateLimiter:
    def __init__(
        self,
        limits: Limits,
        *,
        trusted_proxies: tuple[str, ...] = (),
        ip_buckets: MemoryBuckets | None = None,
        customer_buckets: MemoryBuckets | RedisBuckets | None = None,
    ) -> None:
        self.limits = limits
        self.client = ClientAddress(trusted_proxies)
        self.ip_buckets = ip_buckets or MemoryBuckets()
        self.customer_buckets = customer_buckets or MemoryBuckets()

    def check_ip(self, scope: Scope) -> ResourceExhausted | None:
        """Check the client IP's bucket; the error to answer with when it is empty."""
        auth = scope["path"].startswith("/auth/")
        limit = self.limits.auth if auth else self.limits.ip
        if not limit.enabled:
            return None
        name = "auth" if auth else "ip"
        decision = self.ip_buckets.check(f"{name}:{self.client.of(scope)}", limit)
        return self._record(scope, name, limit, decision, "ip")

    async def check_customer(self, scope: Scope, customer_id: str) -> None:
        """Check the customer's bucket; raise the 429 when it is empty."""
        limit = self.limits.customer
        if not limit.enabled:
            return
        decision = await self.customer_buckets.take(f"customer:{customer_id}", limit)
        error = self._record(scope, "customer", limit, decision, "customer")
        if error is not None:
            raise error

    def _record(
        self, scope: Scope, name: str, limit: Limit, decision: Decision, layer: str
    ) -> ResourceExhausted | None:
        applied: list[Applied] = scope.setdefault(SCOPE_KEY, [])
        applied.append((name, limit, decision))
        if decision.allowed:
            return None
        retry = max(1, math.ceil(decision.retry_after))
        return ResourceExhausted(
            details=[{"limited_by": layer}], headers={"Retry-After": str(retry)}
        )

    async def close(self) -> None:
        if isinstance(self.customer_buckets, RedisBuckets):
            await self.customer_buckets.close()


def rate_limit_headers(scope: Scope, now: float | None = None) -> list[tuple[bytes, bytes]]:
    """The headers of the tightest layer this request went through (none if it went
    through none)."""
    applied: list[Applied] | None = scope.get(SCOPE_KEY)
    if not applied:
        return []
    name, _, decision = min(applied, key=_tightness)
    now = time.time() if now is None else now
    reset = math.ceil(decision.reset_after)
    policies = ", ".join(
        f'"{n}";q={lim.burst};w={max(1, math.ceil(lim.window))}' for n, lim, _ in applied
    )
    return [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(decision.remaining).encode()),
        (b"x-ratelimit-reset", str(math.ceil(now + decision.reset_after)).encode()),
        (b"ratelimit-policy", policies.encode()),
        (b"ratelimit", f'"{name}";r={decision.remaining};t={reset}'.encode()),
    ]


def _tightness(item: Applied) -> tuple[int, int, float]:
    _, _, decision = item
    return (int(decision.allowed), decision.remaining, -decision.reset_after)


def limiter_from_settings(settings: Settings) -> RateLimiter:
    limits = Limits(
        auth=Limit(settings.ratelimit_auth_rate, settings.ratelimit_auth_burst),
        ip=Limit(settings.ratelimit_ip_rate, settings.ratelimit_ip_burst),
        customer=Limit(settings.ratelimit_customer_rate, settings.ratelimit_customer_burst),
    )
    customer: MemoryBuckets | RedisBuckets = (
        RedisBuckets(settings.redis_url) if settings.redis_url else MemoryBuckets()
    )
    return RateLimiter(limits, trusted_proxies=settings.trusted_proxies, customer_buckets=customer)
