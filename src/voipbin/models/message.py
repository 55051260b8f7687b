"""Messages (SMS): a text sent to one or more destinations, or received on one of the
customer's numbers.

Each destination is a target with its own ``status``: an outgoing target moves ``queued ->
sent -> delivered``, or ends ``failed``, ``dlr_timeout`` (sent, but no delivery receipt) or
``gw_timeout`` (the gateway never took it); a received message's one target is
``received``. ``parts`` is the number of SMS segments the text takes
(:func:`voipbin.common.sms.sms_parts`). The moves are in
:mod:`voipbin.server.runtime.messages.machine`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.common.errors import InvalidArgument
from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.groupcall import RequiredDestinations

TARGET_STATUSES: tuple[str, ...] = (
    "received",
    "queued",
    "gw_timeout",
    "sent",
    "dlr_timeout",
    "failed",
    "delivered",
)
MESSAGE_DIRECTIONS: tuple[str, ...] = ("outbound", "inbound")
#: The longest text, in characters (ten concatenated GSM-7 parts and more).
MAX_TEXT = 1600

MessageText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_TEXT,
        description="1 to 1600 characters; GSM-7 or UCS-2 parts are computed per target.",
    ),
]


class Target(msgspec.Struct, kw_only=True):
    """One destination of a message and how its delivery goes."""

    destination: Address
    status: str
    """``received``, ``queued``, ``sent``, ``delivered``, ``failed``, ``dlr_timeout`` or
    ``gw_timeout``."""
    parts: int
    """The SMS segments the text takes."""
    tm_update: datetime | None
    """When the status last changed."""


class Message(msgspec.Struct, kw_only=True):
    """A message, with upstream's exposed fields (oas ``MessageManagerMessage``)."""

    id: UUID
    customer_id: UUID
    type: str
    """``sms``."""
    source: Address
    targets: list[Target]
    text: str
    direction: str
    """``outbound`` (sent by the customer) or ``inbound`` (received on a number)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class MessageCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/messages``: ``source`` is one of the customer's numbers;
    one target per destination (each a ``tel`` address)."""

    source: Address
    destinations: RequiredDestinations
    text: MessageText


def check_message_create(body: MessageCreate) -> MessageCreate:
    """``body`` with its addresses in canonical form; ``400 INVALID_ARGUMENT`` naming the
    field for a source or destination that is no E.164 ``tel`` address, no destination, or
    a text empty or too long (a flow's ``message_send`` is checked here too)."""
    if not 1 <= len(body.text) <= MAX_TEXT:
        raise InvalidArgument.field("text", f"must be 1 to {MAX_TEXT} characters")
    if not body.destinations:
        raise InvalidArgument.field("destinations", "must name at least one destination")
    source = validate_address(body.source, "source")
    if source.type != "tel":
        raise InvalidArgument.field("source.type", "an SMS is sent from a number: tel")
    destinations = []
    for i, destination in enumerate(body.destinations):
        checked = validate_address(destination, f"destinations[{i}]")
        if checked.type != "tel":
            raise InvalidArgument.field(
                f"destinations[{i}].type", "an SMS is sent to a number: tel"
            )
        destinations.append(checked)
    return msgspec.structs.replace(body, source=source, destinations=destinations)


MESSAGES = ResourceSpec(
    name="message",
    plural="messages",
    model=Message,
    create=MessageCreate,
    verbs=frozenset({"list", "get", "create", "delete"}),
    filters=(
        Filter("direction", "enum", MESSAGE_DIRECTIONS, description="outbound or inbound."),
        Filter(
            "status",
            "held",
            TARGET_STATUSES,
            description="Messages with at least one target in this status.",
            column="statuses",
        ),
    ),
    summary="Messages: send SMS to numbers, and read those sent and received.",
    paid="The customer's billing account cannot pay one SMS per destination "
    "(INSUFFICIENT_BALANCE).",
)
