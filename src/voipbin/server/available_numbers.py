"""``GET /v1.0/available_numbers``: numbers a customer could buy now, from the carrier
(normal) or made here (virtual), none held by a live number of any customer."""

from __future__ import annotations

from typing import Any

from voipbin.common.errors import InvalidArgument
from voipbin.common.pagination import MAX_PAGE_SIZE
from voipbin.models.number import AvailableNumbers, AvailableNumbersQuery
from voipbin.server.auth.principal import Principal
from voipbin.server.carrier.numbers import NumberSource, VirtualNumbers, available
from voipbin.server.resources.service import ResourceService


class AvailableNumbersAnswer:
    """The lookup's answer, over the numbers' service (who may look, what is held) and the
    carrier that sells normal numbers."""

    def __init__(self, numbers: ResourceService[Any], carrier: NumberSource) -> None:
        self.numbers = numbers
        self.carrier = carrier
        self.virtual = VirtualNumbers()

    async def __call__(
        self, principal: Principal, query: AvailableNumbersQuery
    ) -> AvailableNumbers:
        # Whoever may list numbers may see what they could buy.
        self.numbers.require(principal, "list")
        limit = min(query.page_size, MAX_PAGE_SIZE)
        if query.type == "virtual":
            source: NumberSource = self.virtual
        elif not query.country_code:
            raise InvalidArgument.field(
                "country_code",
                "is required unless type is virtual",
                "MISSING_REQUEST_PARAMETER",
            )
        else:
            source = self.carrier
        result = await available(source, query.country_code.upper(), limit, self._held)
        return AvailableNumbers(result=result)

    async def _held(self, numbers: list[str]) -> set[str]:
        return await self.numbers.repository.live_values("number", numbers)
