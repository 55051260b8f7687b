"""The simulated carrier's numbers: plausible E.164 numbers of real area codes, the same
ones on every run, so tests and demos can name them.

Each country lists regions with an area prefix and the range of the subscriber part that
follows it; candidates take the regions in turn, each region's subscriber parts in a fixed
scattered order (see :func:`~voipbin.server.carrier.numbers.scattered`).
"""

from __future__ import annotations

from dataclasses import dataclass

from voipbin.common.errors import InvalidArgument, Unprocessable
from voipbin.models.number import AvailableNumber
from voipbin.server.carrier.numbers import scattered


@dataclass(frozen=True)
class Region:
    name: str
    postal_code: str
    prefix: str
    """Country calling code and area code: ``+1415``."""
    low: int
    high: int
    """The subscriber part is in ``[low, high)``, written with ``len(str(high - 1))`` digits."""

    def holds(self, number: str) -> bool:
        """Whether ``number`` is one of this region's."""
        width = len(str(self.high - 1))
        rest = number.removeprefix(self.prefix)
        return (
            rest != number
            and len(rest) == width
            and rest.isdigit()
            and self.low <= int(rest) < self.high
        )

    def number(self, index: int) -> str:
        width = len(str(self.high - 1))
        return f"{self.prefix}{scattered(index, self.low, self.high):0{width}d}"


def _nanp(name: str, postal_code: str, area: str) -> Region:
    # North America: the exchange (first of the seven digits) is 2-9.
    return Region(name, postal_code, f"+1{area}", 2_000_000, 10_000_000)


def _eight(name: str, postal_code: str, prefix: str) -> Region:
    return Region(name, postal_code, prefix, 20_000_000, 100_000_000)


COUNTRIES: dict[str, tuple[Region, ...]] = {
    "US": (
        _nanp("California", "94105", "415"),
        _nanp("New York", "10001", "212"),
        _nanp("Texas", "73301", "512"),
        _nanp("Illinois", "60601", "312"),
        _nanp("Washington", "98101", "206"),
    ),
    "CA": (
        _nanp("Ontario", "M5H 2N2", "416"),
        _nanp("British Columbia", "V6B 1A1", "604"),
        _nanp("Quebec", "H2Y 1C6", "514"),
    ),
    "GB": (
        _eight("London", "EC1A 1BB", "+4420"),
        Region("Manchester", "M1 1AE", "+44161", 2_000_000, 10_000_000),
    ),
    "DE": (_eight("Berlin", "10115", "+4930"), _eight("Munich", "80331", "+4989")),
    "FR": (_eight("Paris", "75001", "+331"), _eight("Lyon", "69001", "+334")),
    "NL": (Region("Amsterdam", "1012", "+3120", 2_000_000, 10_000_000),),
    "JP": (
        _eight("Tokyo", "100-0001", "+813"),
        Region("Osaka", "530-0001", "+816", 20_000_000, 100_000_000),
    ),
    "KR": (_eight("Seoul", "04524", "+822"),),
    "AU": (_eight("New South Wales", "2000", "+612"), _eight("Victoria", "3000", "+613")),
}


class SimulatedCarrier:
    """The built-in carrier: offers numbers in :data:`COUNTRIES`, voice and SMS."""

    async def search(self, country_code: str, limit: int, offset: int) -> list[AvailableNumber]:
        regions = COUNTRIES.get(country_code)
        if regions is None:
            raise InvalidArgument.field(
                "country_code",
                f"the carrier offers no numbers there; countries: {', '.join(sorted(COUNTRIES))}",
                "INVALID_REQUEST_PARAMETER",
            )
        found = []
        for position in range(offset, offset + limit):
            region = regions[position % len(regions)]
            index = position // len(regions)
            if index >= region.high - region.low:
                break
            found.append(
                AvailableNumber(
                    number=region.number(index),
                    country=country_code,
                    region=region.name,
                    postal_code=region.postal_code,
                    features=["voice", "sms"],
                )
            )
        return found

    async def purchase(self, number: str) -> None:
        """The simulated network sells every number of its regions (and only those): a
        number it does not offer is a ``422`` naming ``number``."""
        if not any(r.holds(number) for regions in COUNTRIES.values() for r in regions):
            raise Unprocessable.field(
                "number",
                "the carrier offers no such number; GET /v1.0/available_numbers lists "
                "numbers it sells",
            )
