"""Numbers: the telephone numbers a customer holds, and the numbers it could buy.

A *normal* number is bought from the carrier; a *virtual* one (``+899`` then 9 digits, never
``+899000...``) exists only on this server: no carrier, no charge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName
from voipbin.models.lookup import Lookup

NumberType = Literal["normal", "virtual"]
NUMBER_TYPES: tuple[str, ...] = ("normal", "virtual")
NUMBER_STATUSES: tuple[str, ...] = ("active", "deleted")
Feature = Literal["emergency", "fax", "mms", "sms", "voice"]

#: The prefix of virtual numbers (ITU "international networks" range, unused by carriers).
VIRTUAL_PREFIX = "+899"
#: Virtual numbers under it are reserved for the platform.
RESERVED_VIRTUAL_PREFIX = "+899000"

#: A number as a body gives it: E.164 (``+`` then 2-15 digits); the server checks the rules
#: of its type and says which one failed.
PhoneNumber = Annotated[
    str,
    msgspec.Meta(
        min_length=3, max_length=16, extra_json_schema={"pattern": r"^\+[1-9][0-9]{1,14}$"}
    ),
]

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class NumberMetadata(msgspec.Struct, kw_only=True):
    """Configuration flags of a number."""

    rtp_debug: bool = False
    """Capture the RTP of calls to this number, for debugging audio."""


class Number(msgspec.Struct, kw_only=True):
    """A number a customer holds (or held: a released one keeps its row, ``status: deleted``)."""

    id: UUID
    customer_id: UUID
    number: str
    type: str
    call_flow_id: UUID | None
    message_flow_id: UUID | None
    name: str
    detail: str
    status: str
    t38_enabled: bool
    emergency_enabled: bool
    metadata: NumberMetadata
    tm_purchase: datetime | None
    """When a normal number was bought; unset for a virtual one."""
    tm_renew: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class NumberCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/numbers`` (a purchase). ``type`` left out is ``virtual`` for a
    ``+899`` number and ``normal`` otherwise. ``customer_id`` is read from super-admins only."""

    number: PhoneNumber
    type: NumberType | Unset = UNSET
    call_flow_id: UUID | None = None
    message_flow_id: UUID | None = None
    name: OptionalName = ""
    detail: Detail = ""
    customer_id: UUID | None = None


class NumberUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/numbers/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    call_flow_id: UUID | Unset | None = UNSET
    message_flow_id: UUID | Unset | None = UNSET


class NumberFlowIds(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/numbers/{id}/flow_ids``: the flows run for calls and messages
    to the number (the empty UUID, or ``null``, for none)."""

    call_flow_id: UUID | None
    message_flow_id: UUID | None


class NumberMetadataUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/numbers/{id}/metadata``: replaces the number's metadata."""

    rtp_debug: bool = False


NUMBERS = ResourceSpec(
    name="number",
    plural="numbers",
    model=Number,
    create=NumberCreate,
    update=NumberUpdate,
    statuses=NUMBER_STATUSES,
    filters=(
        Filter("number", "text", description="Exact number, E.164."),
        Filter("type", "enum", NUMBER_TYPES, description="normal or virtual."),
        Filter("call_flow_id", "uuid", description="Numbers running this flow for calls."),
    ),
    actions=(
        Action("flow_ids", "PUT", NumberFlowIds, summary="Set the number's call and message flows"),
        Action("metadata", "PUT", NumberMetadataUpdate, summary="Replace the number's metadata"),
    ),
    summary="Numbers: purchase (create), configure and release (delete) telephone numbers.",
    paid=(
        "The customer's billing account cannot pay a normal number's first month "
        "(INSUFFICIENT_BALANCE; details name the price and the balance)."
    ),
)


# -- available numbers ----------------------------------------------------------------------

#: Most candidates one lookup answers.
MAX_AVAILABLE = 100


class AvailableNumber(msgspec.Struct, kw_only=True):
    """A number the customer could buy now."""

    number: str
    country: str
    """ISO 3166 alpha-2 code; ``899`` for virtual numbers, as upstream."""
    region: str
    postal_code: str
    features: list[Feature]


class AvailableNumbers(msgspec.Struct, kw_only=True):
    """The answer of ``GET /v1.0/available_numbers``: one page, no token."""

    result: list[AvailableNumber]


class AvailableNumbersQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The query of ``GET /v1.0/available_numbers``."""

    country_code: Annotated[
        str,
        msgspec.Meta(
            max_length=2,
            description="ISO 3166 alpha-2 country code; required unless type is virtual.",
        ),
    ] = ""
    type: Annotated[NumberType, msgspec.Meta(description="normal (the default) or virtual.")] = (
        "normal"
    )
    page_size: Annotated[
        int,
        msgspec.Meta(
            ge=1, description="How many candidates, 1-100; a larger number gives 100 (0 is a 400)."
        ),
    ] = MAX_AVAILABLE


AVAILABLE_NUMBERS = Lookup(
    name="available_numbers",
    path="/v1.0/available_numbers",
    query=AvailableNumbersQuery,
    answer=AvailableNumbers,
    tag="Number",
    summary="Numbers that could be bought now",
    description=(
        "Candidates from the carrier for a country (normal), or free +899 numbers (virtual), "
        "none held by a live number. Deterministic on the simulated carrier."
    ),
)
