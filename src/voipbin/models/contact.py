"""Contacts: the people a customer talks to, with their phone numbers and email addresses.

A contact's ``addresses`` are ``tel`` (E.164) or ``email`` addresses, each with its own id;
at most one of each type is primary, and a target (compared normalised: the E.164 number,
the email lowercased) belongs to at most one live contact of a customer, so
``GET /v1.0/contacts/lookup`` finds the one contact owning it. ``tag_ids`` are the
customer's tags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import MAX_DETAIL, MAX_NAME, MAX_TARGET
from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import OptionalName, TagIds
from voipbin.models.lookup import Lookup
from voipbin.models.wire import wire_struct

CONTACT_SOURCES: tuple[str, ...] = ("manual", "import", "api", "sync")
ContactSource = Literal["manual", "import", "api", "sync"]
ContactAddressType = Literal["tel", "email"]
#: Most addresses one contact holds.
MAX_CONTACT_ADDRESSES = 64

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

Notes = Annotated[str, msgspec.Meta(max_length=65536)]
Target = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_TARGET,
        description="E.164 (+ then 2-15 digits) for tel; an email address for email.",
    ),
]
AddressName = Annotated[str, msgspec.Meta(max_length=MAX_NAME)]
AddressDetail = Annotated[str, msgspec.Meta(max_length=MAX_DETAIL)]


class ContactAddress(msgspec.Struct, kw_only=True):
    """One phone number or email address of a contact."""

    id: UUID
    customer_id: UUID
    contact_id: UUID
    type: str
    """``tel`` or ``email``."""
    target: str
    target_name: str
    name: str
    detail: str
    is_primary: bool
    """The primary address of its type (at most one per type)."""
    tm_create: datetime


class Contact(msgspec.Struct, kw_only=True):
    """A contact."""

    id: UUID
    customer_id: UUID
    first_name: str
    last_name: str
    display_name: str
    company: str
    job_title: str
    source: str
    """``manual``, ``import``, ``api`` or ``sync``."""
    external_id: str
    notes: str
    addresses: list[ContactAddress]
    """Oldest first."""
    tag_ids: list[UUID]
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class ContactAddressCreate(RequestBody, kw_only=True):
    """An address of ``POST /v1.0/contacts`` and the body of ``POST
    /v1.0/contacts/{id}/addresses``. ``target_name`` is accepted (an Address's field) and
    ignored."""

    type: ContactAddressType
    target: Target
    target_name: OptionalName = ""
    name: AddressName = ""
    detail: AddressDetail = ""
    is_primary: bool = False


class ContactAddressUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/contacts/{id}/addresses/{address_id}``; a field left out keeps its
    value (the type stays)."""

    target: Target | Unset = UNSET
    name: AddressName | Unset = UNSET
    detail: AddressDetail | Unset = UNSET
    is_primary: bool | Unset = UNSET


class ContactCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/contacts``."""

    first_name: OptionalName = ""
    last_name: OptionalName = ""
    display_name: OptionalName = ""
    company: OptionalName = ""
    job_title: OptionalName = ""
    source: ContactSource = "manual"
    external_id: OptionalName = ""
    notes: Notes = ""
    addresses: Annotated[
        list[ContactAddressCreate], msgspec.Meta(max_length=MAX_CONTACT_ADDRESSES)
    ] = msgspec.field(default_factory=list)
    tag_ids: TagIds = msgspec.field(default_factory=list)


class ContactUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/contacts/{id}``; a field left out keeps its value. Addresses and
    tags change through their own routes."""

    first_name: OptionalName | Unset = UNSET
    last_name: OptionalName | Unset = UNSET
    display_name: OptionalName | Unset = UNSET
    company: OptionalName | Unset = UNSET
    job_title: OptionalName | Unset = UNSET
    external_id: OptionalName | Unset = UNSET
    notes: Notes | Unset = UNSET


class ContactTag(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/contacts/{id}/tags``."""

    tag_id: UUID


class ContactLookupQuery(msgspec.Struct, kw_only=True):
    """The query of ``GET /v1.0/contacts/lookup``: exactly one of them."""

    target: str = ""
    """A phone number or an email address (an ``@`` makes it an email)."""
    phone: str = ""
    """A phone number (upstream's parameter)."""
    email: str = ""
    """An email address (upstream's parameter)."""


CONTACT_LOOKUP_PATH = "/v1.0/contacts/lookup"

CONTACTS = ResourceSpec(
    name="contact",
    plural="contacts",
    model=Contact,
    create=ContactCreate,
    update=ContactUpdate,
    filters=(
        Filter(
            "tag_id",
            "uuids",
            column="tag_ids",
            description="Contacts holding this tag (or any of these comma-separated tags).",
        ),
        Filter("source", "enum", CONTACT_SOURCES, description="How the contact was made."),
    ),
    actions=(
        Action(
            "addresses",
            "POST",
            ContactAddressCreate,
            summary="Add an address (tel or email) to the contact",
            status=201,
        ),
        Action(
            "address_update",
            "PUT",
            ContactAddressUpdate,
            summary="Change one of the contact's addresses",
            segment="addresses",
            item="address_id",
        ),
        Action(
            "address_delete",
            "DELETE",
            None,
            summary="Remove one of the contact's addresses",
            segment="addresses",
            item="address_id",
        ),
        Action("tags", "POST", ContactTag, summary="Add a tag to the contact", status=201),
        Action(
            "tag_delete",
            "DELETE",
            None,
            summary="Remove a tag from the contact",
            segment="tags",
            item="tag_id",
        ),
    ),
    summary="Contacts: people, their phone numbers and email addresses, and their tags.",
)

CONTACT_LOOKUP = Lookup(
    name="contact_lookup",
    path=CONTACT_LOOKUP_PATH,
    query=ContactLookupQuery,
    answer=wire_struct(Contact),
    tag="Contact",
    summary="The live contact owning a phone number or an email address",
    not_found=(
        "No live contact of the customer owns the target (CONTACT_PHONE_NUMBER_NOT_FOUND, "
        "CONTACT_EMAIL_NOT_FOUND)."
    ),
    description=(
        "Exactly one of target, phone and email. Compared normalised: a phone number as "
        "E.164 (spaces, dashes and parentheses dropped; a missing + added), an email "
        "lowercased. No such contact of the caller's customer is a 404 "
        "(CONTACT_PHONE_NUMBER_NOT_FOUND or CONTACT_EMAIL_NOT_FOUND)."
    ),
)
"""The lookup, served by its own route (``server/contact_lookup.py``) before the contacts'
``/{id}`` route; the SDK reaches it as ``client.contacts.lookup(...)``."""
