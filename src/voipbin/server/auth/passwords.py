"""Password hashing with argon2id. The hasher is injected so tests can use cheap parameters.

The parameters are OWASP's recommended minimum (19 MiB, two passes, one lane): on two cores
argon2-cffi's default (64 MiB, three passes, four lanes) takes five times as long, which every
login and the first start would pay, for no gain OWASP recognises.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        # Checked when the username is unknown, so both failures take the same time.
        self._dummy = self.hasher.hash("voipbin: no such agent")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``. Without a stored hash (no such agent, or
        an agent with no password yet) it does the same work and answers no."""
        try:
            self.hasher.verify(stored or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(stored)
