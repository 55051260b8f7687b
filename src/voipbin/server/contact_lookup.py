"""``GET /v1.0/contacts/lookup``: the live contact of the caller's customer owning a phone
number or an email address, found through the index of normalised targets."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import InvalidArgument, NotFound
from voipbin.common.targets import guess_type, normalised_target
from voipbin.models.contact import ContactLookupQuery
from voipbin.server.auth.principal import Principal
from voipbin.server.resources.service import ResourceService
from voipbin.server.storage.contacts import ContactAddresses

_TYPES = {"phone": "tel", "email": "email"}
_MISSING = {"tel": "CONTACT_PHONE_NUMBER_NOT_FOUND", "email": "CONTACT_EMAIL_NOT_FOUND"}


class ContactLookupAnswer:
    """The lookup's answer, over the contacts' service (who may read, the contact shown)."""

    def __init__(self, contacts: ResourceService[Any]) -> None:
        self.contacts = contacts
        repository = contacts.repository
        self.addresses = ContactAddresses(repository.db, repository.clock)

    async def __call__(self, principal: Principal, query: ContactLookupQuery) -> msgspec.Struct:
        self.contacts.require(principal, "get")
        given = [(n, getattr(query, n)) for n in ("target", "phone", "email") if getattr(query, n)]
        if len(given) != 1:
            raise InvalidArgument.field(
                "target",
                "give exactly one of target, phone and email",
                "MISSING_REQUEST_PARAMETER" if not given else "INVALID_REQUEST_PARAMETER",
            )
        name, text = given[0]
        type = _TYPES.get(name) or guess_type(text)
        key = normalised_target(type, text)
        if key is None:
            expected = "an E.164 phone number" if type == "tel" else "an email address"
            raise InvalidArgument.field(name, f"must be {expected}", "INVALID_REQUEST_PARAMETER")
        owner = await self.addresses.owner(principal.customer_id, key)
        if owner is None:
            raise NotFound(_MISSING[type])
        return await self.contacts.get(principal, owner.id)
