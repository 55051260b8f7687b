"""Password hashing with argon2id, off the event loop and a few at a time.

The parameters are OWASP's recommended minimum (19 MiB, two passes, one lane): on two cores
argon2-cffi's default (64 MiB, three passes, four lanes) takes five times as long, which every
login and the first start would pay, for no gain OWASP recognises.

A hash takes tens of milliseconds of CPU. Run on the event loop, a handful of logins stall
every other request for that long; so hashes run in worker threads (argon2-cffi releases the
GIL), at most ``concurrency`` at once (more would only share the same cores and make each
one slower). Callers beyond that wait their turn, up to
``WAITING_PER_SLOT`` of them per slot; a caller past that bound is refused with
``503 SERVICE_UNAVAILABLE`` and ``Retry-After`` instead of queueing: an unbounded queue turns
a flood of logins into ever longer waits (and held connections) for everyone, while a 503
says at once to come back, which the SDK does on its own and which is safe because nothing
was done. The hasher is injected so tests can use cheap parameters or block it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from voipbin.common.errors import Unavailable

T = TypeVar("T")

#: Callers that may wait for each hashing slot before more are refused: with a hash of
#: ~30 ms and two slots, the last of them waits about a second.
WAITING_PER_SLOT = 16
#: Whole seconds a refused caller is told to wait: the queue drains in about that long.
RETRY_AFTER_SECONDS = 1


def default_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class Passwords:
    """Hashing and checking passwords; every call is awaited and runs in a worker thread."""

    def __init__(self, hasher: PasswordHasher | None = None, *, concurrency: int = 2) -> None:
        if concurrency < 1:
            raise ValueError("password hashing needs a concurrency of at least 1")
        self.hasher = hasher or default_hasher()
        self.concurrency = concurrency
        self.max_waiting = WAITING_PER_SLOT * concurrency
        # Checked when the username is unknown, so both failures take the same time. Made
        # once, at construction (server start), not on a request.
        self._dummy = self.hasher.hash("voipbin: no such agent")
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting = 0

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``. Without a stored hash (no such agent, or
        an agent with no password yet) it does the same work and answers no."""
        return await self._run(self._verify, stored, password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            self.hasher.verify(stored or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(stored)

    async def _run(self, work: Callable[..., T], *args: str | None) -> T:
        slots = self._slots
        if slots.locked() and self._waiting >= self.max_waiting:
            raise Unavailable(
                message="Too many password checks are waiting; try again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        # The loop's default pool (shut down with the loop). The slot is given back when the
        # thread is done, not when the caller stops waiting: a caller that goes away leaves
        # its hash running, and the bound must count it until it ends.
        done = asyncio.get_running_loop().run_in_executor(None, work, *args)

        def finished(future: asyncio.Future[T]) -> None:
            slots.release()
            if not future.cancelled():
                future.exception()  # retrieved, so an abandoned one is not logged as lost

        done.add_done_callback(finished)
        return await asyncio.shield(done)
