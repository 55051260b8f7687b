"""Emails: a message sent to one or more email addresses, by ``POST /v1.0/emails`` or a flow's
``email_send`` action, with upstream's fields (oas ``EmailManagerEmail``) and statuses.

An email is made ``initiated`` (``email_created``) and paid for then, one ``email`` unit per
destination. It is then delivered by the server's mail transport: the simulator's local outbox
(``GET /_sim/emails``), or the SMTP server ``VOIPBIN_SMTP_URL`` names. Each change of
``status`` is an ``email_updated`` event; the rules are in
:mod:`voipbin.server.runtime.emails.machine`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.common.errors import InvalidArgument
from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.flows.options import Attachment
from voipbin.models.groupcall import RequiredDestinations

#: Upstream's statuses (``EmailManagerEmailStatus``); those after ``delivered`` are what a
#: mail provider reports later (opens, clicks...), which no transport here reports.
EMAIL_STATUSES: tuple[str, ...] = (
    "initiated",
    "processed",
    "delivered",
    "open",
    "click",
    "bounce",
    "dropped",
    "deferred",
    "unsubscribe",
    "spamreport",
)

#: An email subject: one header line (no CR or LF, which would start another header).
Subject = Annotated[
    str, msgspec.Meta(max_length=998, pattern=r"^[^\r\n]*$", description="One line of text.")
]
Content = Annotated[str, msgspec.Meta(max_length=65_536)]
Attachments = Annotated[list[Attachment], msgspec.Meta(max_length=100)]


class Email(msgspec.Struct, kw_only=True):
    """An email, with upstream's fields in its order."""

    id: UUID
    customer_id: UUID
    source: Address | None
    """The sender: an ``email`` address (the transport's ``from``)."""
    destinations: list[Address]
    status: str
    """``initiated``, then ``delivered``; ``deferred`` while a temporary failure is retried,
    ``bounce`` when the receiving server refuses it, ``dropped`` when every retry failed."""
    subject: str
    content: str
    attachments: list[Attachment]
    """References to recordings (``reference_type`` ``recording``) of the customer, each
    sent as the recording's zip (``<recording id>.zip``)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class EmailCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/emails``."""

    destinations: RequiredDestinations
    """``email`` addresses, 1 to 100."""
    subject: Subject
    content: Content
    attachments: Attachments = msgspec.field(default_factory=list)


def check_destinations(destinations: list[Address], field: str = "destinations") -> list[Address]:
    """``destinations`` in canonical form, or a 400 naming the first that is not a valid
    ``email`` address (``destinations[1].type``)."""
    if not destinations:
        raise InvalidArgument.field(field, "give at least one destination")
    checked = []
    for i, address in enumerate(destinations):
        if address.type != "email":
            raise InvalidArgument.field(f"{field}[{i}].type", "an email is sent to type email")
        checked.append(validate_address(address, f"{field}[{i}]"))
    return checked


def check_text(subject: str, content: str, field: str = "") -> None:
    """A 400 naming ``subject`` or ``content`` when it does not fit an email (what a flow's
    templates fill in is checked here; a request's body by its schema)."""
    if len(subject) > 998 or "\r" in subject or "\n" in subject:
        raise InvalidArgument.field(f"{field}subject", "one line of at most 998 characters")
    if len(content) > 65_536:
        raise InvalidArgument.field(f"{field}content", "at most 65536 characters")


EMAILS = ResourceSpec(
    name="email",
    plural="emails",
    model=Email,
    create=EmailCreate,
    verbs=frozenset({"list", "get", "create", "delete"}),
    statuses=EMAIL_STATUSES,
    summary="Emails: sent by the API or a flow's email_send action, and their delivery.",
    paid="The customer's billing account cannot pay one email per destination "
    "(INSUFFICIENT_BALANCE).",
)
