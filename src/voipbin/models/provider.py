"""Providers: the carriers' SIP endpoints that routes send outgoing PSTN calls to.

Providers belong to the project, not to a customer (no ``customer_id``); only super-admins
see or change them. A call to ``+<number>`` is sent to ``tech_prefix + number + tech_postfix``
at ``hostname``, with ``tech_headers`` added to the INVITE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

ProviderType = Literal["sip"]

#: The most headers a provider adds to its calls.
MAX_TECH_HEADERS = 32

#: ``host`` or ``host:port``: a DNS name, an IPv4 address or a bracketed IPv6 one. The
#: server checks the form itself (labels, port range), with a message saying what it wants.
Hostname = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=261,
        description="host or host:port (a DNS name, an IPv4 address or [an IPv6 one]).",
        extra_json_schema={"examples": ["sip.carrier.example.com:5060"]},
    ),
]
#: Digits or dial characters sent before or after the number.
TechAffix = Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[0-9A-Za-z*#+._-]*$")]
#: SIP header name -> value. Names are RFC 3261 tokens; values a single line.
TechHeaders = Annotated[
    dict[
        Annotated[str, msgspec.Meta(min_length=1, max_length=64)],
        Annotated[str, msgspec.Meta(max_length=1024)],
    ],
    msgspec.Meta(max_length=MAX_TECH_HEADERS),
]
#: Comma-separated codec names offered to the provider (``PCMU,PCMA``); empty: the default.
Codecs = Annotated[str, msgspec.Meta(max_length=255)]


class Provider(msgspec.Struct, kw_only=True):
    """A provider."""

    id: UUID
    type: str
    hostname: str
    tech_prefix: str
    tech_postfix: str
    tech_headers: dict[str, str]
    codecs: str
    name: str
    detail: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class ProviderCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/providers``."""

    type: ProviderType = "sip"
    hostname: Hostname
    tech_prefix: TechAffix = ""
    tech_postfix: TechAffix = ""
    tech_headers: TechHeaders = msgspec.field(default_factory=dict)
    codecs: Codecs = ""
    name: OptionalName = ""
    detail: Detail = ""


class ProviderUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/providers/{id}``; a field left out keeps its value."""

    type: ProviderType | Unset = UNSET
    hostname: Hostname | Unset = UNSET
    tech_prefix: TechAffix | Unset = UNSET
    tech_postfix: TechAffix | Unset = UNSET
    tech_headers: TechHeaders | Unset = UNSET
    codecs: Codecs | Unset = UNSET
    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET


PROVIDERS = ResourceSpec(
    name="provider",
    plural="providers",
    model=Provider,
    create=ProviderCreate,
    update=ProviderUpdate,
    customer_scoped=False,
    summary="Carriers' SIP endpoints that routes send calls to (super-admins only).",
)
