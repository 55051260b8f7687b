"""Login tokens: HS256 JWTs naming an agent, with a standard ``exp``.

A token also carries ``gen``, the agent's token generation when it was issued (see
``agent_agents.token_generation``): a password change moves the generation on, which ends
every token issued before it. Tokens made before the claim existed read as generation 0,
the value of an agent whose password never changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import jwt

from voipbin.common.errors import Unauthenticated
from voipbin.common.ids import canonical_id

_CACHE_LIMIT = 10_000
ACCESSKEY_PREFIX = "vb_"


def token_hash(token: str) -> str:
    """How an access key is stored and looked up: the SHA-256 of its text, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class Subject(NamedTuple):
    """Whom a valid token names, and under which of the agent's token generations."""

    agent_id: str
    generation: int


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class Tokens:
    def __init__(
        self, secret: str, ttl_seconds: int, now: Callable[[], datetime] = _wall_clock
    ) -> None:
        self.secret = secret
        self.ttl = timedelta(seconds=ttl_seconds)
        # The server's clock, which issues tokens: expiry is checked against it too, so a
        # token issued on a virtual clock that was moved ahead is not "from the future".
        self._now = now
        # Verified tokens: token -> (subject, exp). Signature checks cost more than a request
        # should; a token's claims never change, and expiry is still checked on every use.
        self._verified: dict[str, tuple[Subject, float]] = {}

    def issue(self, agent_id: str, customer_id: str, now: datetime, generation: int = 0) -> str:
        claims = {
            "sub": agent_id,
            "customer_id": customer_id,
            "gen": generation,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def subject_of(self, token: str) -> Subject:
        """The agent a valid, unexpired token names; ``401 INVALID_CREDENTIALS`` otherwise."""
        cached = self._verified.get(token)
        if cached is not None:
            subject, expires = cached
            if self._now().timestamp() < expires:
                return subject
            del self._verified[token]
            raise Unauthenticated("INVALID_CREDENTIALS")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                # Expiry is checked below, on the server's clock rather than PyJWT's.
                options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise Unauthenticated("INVALID_CREDENTIALS") from None
        sub, expiry, generation = claims.get("sub"), claims.get("exp"), claims.get("gen", 0)
        if (
            not isinstance(sub, str)
            or not isinstance(expiry, int | float)
            or not isinstance(generation, int)
            or isinstance(generation, bool)
        ):
            raise Unauthenticated("INVALID_CREDENTIALS")
        try:
            # Looked up in a uuid column: on PostgreSQL a non-UUID would be a driver error.
            subject = Subject(canonical_id(sub), generation)
        except ValueError:
            raise Unauthenticated("INVALID_CREDENTIALS") from None
        expires = float(expiry)
        if self._now().timestamp() >= expires:
            raise Unauthenticated("INVALID_CREDENTIALS")
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (subject, expires)
        return subject
