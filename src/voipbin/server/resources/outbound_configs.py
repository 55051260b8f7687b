"""Outbound configs: one per customer, made with it, which outgoing PSTN calls are checked
against (the countries they may reach, the caller id they fall back on).

Read by admins and managers, changed by admins (it decides where the customer's money may
be spent); never created or deleted through the API. Customers made before the resource
existed got theirs from the migration, and any still missing one is made on the first read
of ``/v1.0/outbound_config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from voipbin.common.countries import country_code
from voipbin.common.errors import InvalidArgument, Unprocessable
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import CUSTOMER_MANAGERS, Permission
from voipbin.models.outbound_config import OUTBOUND_CONFIGS, OutboundConfig
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.resources.providers import check_codecs
from voipbin.server.storage.tables import call_outbound_configs


def allows(config: Mapping[str, Any], destination_country: str) -> bool:
    """Whether an outgoing PSTN call to a number of ``destination_country`` (its ISO 3166-1
    alpha-2 code, any case) may be placed under ``config`` (an outbound config, by field
    name): its country is in ``destination_whitelist``. An empty whitelist refuses every
    PSTN call, as upstream does; a country that is no assigned code is never allowed.

    The one place the whitelist is applied: the runtime calls it for every outgoing ``tel``
    call, after resolving the destination number to its country, and refuses the call when
    it answers ``False``.
    """
    code = country_code(destination_country)
    return code is not None and code in config["destination_whitelist"]


def whitelist(codes: list[str]) -> list[str]:
    """The codes upper case, each once, in the order given; a 400 naming the first entry
    that is no assigned ISO 3166-1 alpha-2 code (``destination_whitelist[2]``)."""
    seen: dict[str, None] = {}
    for index, text in enumerate(codes):
        code = country_code(text)
        if code is None:
            raise InvalidArgument.field(
                f"destination_whitelist[{index}]",
                f"{text!r} is not an ISO 3166-1 alpha-2 country code (US, GB, KR...)",
            )
        seen[code] = None
    return list(seen)


async def _check_source_number(ctx: Context, number_id: str) -> None:
    """A default caller id must be a normal number: a virtual one reaches no PSTN callee.
    Whether it is a live number of the customer is the declared reference's check."""
    row = await ctx.services["number"].repository.find(
        ("type",), {"id": number_id, "customer_id": ctx.customer_id}
    )
    if row is not None and row[0] != "normal":
        raise Unprocessable.field(
            "default_outgoing_source_number_id",
            "is a virtual number; the default caller id must be a normal number",
        )


async def _update(ctx: Context, body: Any, current: Current | None) -> Values:
    # ``null`` keeps the value, as a field left out does (as upstream).
    values = {k: v for k, v in (await plain_values(ctx, body, current)).items() if v is not None}
    if "destination_whitelist" in values:
        codes = whitelist(values["destination_whitelist"])
        values["destination_whitelist"] = msgspec.json.encode(codes).decode()
    if "codecs" in values:
        check_codecs(values["codecs"])
    if "default_outgoing_source_number_id" in values:
        number_id = str(values["default_outgoing_source_number_id"])
        values["default_outgoing_source_number_id"] = number_id
        if number_id != EMPTY_UUID_TEXT:
            await _check_source_number(ctx, number_id)
    return values


RESOURCE: ServerResource[OutboundConfig] = ServerResource(
    spec=OUTBOUND_CONFIGS,
    table=call_outbound_configs,
    reason_prefix="OUTBOUND_CONFIG",
    rules=Rules(read=CUSTOMER_MANAGERS, update=Permission.CUSTOMER_ADMIN),
    prepare_update=_update,
    references={"default_outgoing_source_number_id": "number"},
    per_customer=True,
)
