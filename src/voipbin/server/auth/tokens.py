"""Login tokens: HS256 JWTs naming an agent, with a standard ``exp``."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

import jwt

from voipbin.common.errors import Unauthenticated
from voipbin.common.ids import canonical_id

_CACHE_LIMIT = 10_000
ACCESSKEY_PREFIX = "vb_"


def token_hash(token: str) -> str:
    """How an access key is stored and looked up: the SHA-256 of its text, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self.secret = secret
        self.ttl = timedelta(seconds=ttl_seconds)
        # Verified tokens: token -> (agent id, exp). Signature checks cost more than a request
        # should; a token's claims never change, and expiry is still checked on every use.
        self._verified: dict[str, tuple[str, float]] = {}

    def issue(self, agent_id: str, customer_id: str, now: datetime) -> str:
        claims = {
            "sub": agent_id,
            "customer_id": customer_id,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def agent_of(self, token: str) -> str:
        """The agent id a valid, unexpired token names; ``401 INVALID_CREDENTIALS`` otherwise."""
        cached = self._verified.get(token)
        if cached is not None:
            agent_id, expires = cached
            if time.time() < expires:
                return agent_id
            del self._verified[token]
            raise Unauthenticated("INVALID_CREDENTIALS")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError:
            raise Unauthenticated("INVALID_CREDENTIALS") from None
        subject, expiry = claims.get("sub"), claims.get("exp")
        if not isinstance(subject, str) or not isinstance(expiry, int | float):
            raise Unauthenticated("INVALID_CREDENTIALS")
        try:
            # Looked up in a uuid column: on PostgreSQL a non-UUID would be a driver error.
            agent_id = canonical_id(subject)
        except ValueError:
            raise Unauthenticated("INVALID_CREDENTIALS") from None
        expires = float(expiry)
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (agent_id, expires)
        return agent_id
