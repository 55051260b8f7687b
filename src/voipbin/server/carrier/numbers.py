"""Where numbers come from: the interface a carrier implements to offer numbers, the
server's own source of virtual (``+899``) numbers, and the search that leaves out the
numbers this server's customers already hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from voipbin.models.number import VIRTUAL_PREFIX, AvailableNumber

#: A prime: ``(i * _STEP) mod span`` for i = 0, 1, ... visits every value of a span that is
#: not a multiple of it exactly once, in an order that looks random and never changes.
_STEP = 7919


def scattered(index: int, low: int, high: int) -> int:
    """The ``index``-th value of ``[low, high)`` in a fixed, scattered order (distinct for
    the first ``high - low`` indexes)."""
    return low + ((index + 1) * _STEP) % (high - low)


class NumberSource(Protocol):
    """Somewhere numbers can be bought or made: a carrier (the simulated one today, a real
    one later) or the server itself (virtual numbers)."""

    async def search(self, country_code: str, limit: int, offset: int) -> list[AvailableNumber]:
        """Up to ``limit`` numbers from position ``offset`` of what it offers in the country
        (an ISO 3166 alpha-2 code, upper case), in an order that does not change between
        calls; ``[]`` past the end. A country it serves no numbers in is a 400 naming
        ``country_code``."""
        ...


class NumberSeller(NumberSource, Protocol):
    """A carrier that sells the numbers it offers."""

    async def purchase(self, number: str) -> None:
        """Buy ``number`` for this server; ``422`` naming ``number`` when the carrier does
        not offer it."""
        ...


class VirtualNumbers:
    """Virtual numbers: ``+899``, an area from 001 to 999, six digits. They need no
    carrier, so this server makes them itself; ``country_code`` is ignored."""

    async def search(self, country_code: str, limit: int, offset: int) -> list[AvailableNumber]:
        # 9 digits from 001000000 to 999999999: the reserved area 000 is never reached.
        span_low, span_high = 1_000_000, 1_000_000_000
        last = min(offset + limit, span_high - span_low)
        return [
            AvailableNumber(
                number=f"{VIRTUAL_PREFIX}{scattered(i, span_low, span_high):09d}",
                country="899",
                region="",
                postal_code="",
                features=["voice"],
            )
            for i in range(offset, last)
        ]


#: Most batches a search asks for before answering with what it found: bounds the work of
#: one request even when nearly every candidate is taken.
MAX_ROUNDS = 10


async def available(
    source: NumberSource,
    country_code: str,
    limit: int,
    taken: Callable[[list[str]], Awaitable[set[str]]],
) -> list[AvailableNumber]:
    """Up to ``limit`` of ``source``'s numbers that ``taken`` does not report as held, in
    the source's order: the same answer for the same holdings."""
    found: list[AvailableNumber] = []
    offset = 0
    for _ in range(MAX_ROUNDS):
        batch = await source.search(country_code, limit, offset)
        if not batch:
            break
        offset += len(batch)
        held = await taken([candidate.number for candidate in batch])
        found += [c for c in batch if c.number not in held]
        if len(found) >= limit:
            break
    return found[:limit]
