"""``client.contacts``: the generic resource's calls, and ``lookup``, the contact owning a
phone number or an email address (``GET /v1.0/contacts/lookup``).

Addresses and tags are the resource's declared actions: ``addresses(id, type=..., target=...)``,
``address_update(id, address_id, ...)``, ``address_delete(id, address_id)``,
``tags(id, tag_id=...)`` and ``tag_delete(id, tag_id)``.
"""

from __future__ import annotations

from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.client.resources import AsyncResource, Resource
from voipbin.models.contact import CONTACT_LOOKUP_PATH, Contact
from voipbin.models.wire import decode_wire


def lookup_contact(
    core: ClientCore, target: str | None, phone: str | None, email: str | None
) -> Exchange[Contact]:
    """The live contact owning the target (give one of them); a 404 ``NotFoundError``
    when there is none."""
    given = (("target", target), ("phone", phone), ("email", email))
    params = tuple((name, value) for name, value in given if value)
    if len(params) != 1:
        raise TypeError("give exactly one of target, phone and email")
    response = yield from core.call(Request("GET", CONTACT_LOOKUP_PATH, params))
    return decode_wire(Contact, response.content)


class Contacts(Resource[Contact]):
    """The contacts of a :class:`~voipbin.client.Client`."""

    def lookup(
        self, target: str | None = None, *, phone: str | None = None, email: str | None = None
    ) -> Contact:
        """The live contact owning a phone number or an email address (compared normalised)."""
        return self._run(lookup_contact(self._calls.core, target, phone, email))


class AsyncContacts(AsyncResource[Contact]):
    """The contacts of an :class:`~voipbin.client.AsyncClient`."""

    async def lookup(
        self, target: str | None = None, *, phone: str | None = None, email: str | None = None
    ) -> Contact:
        """The live contact owning a phone number or an email address (compared normalised)."""
        return await self._run(lookup_contact(self._calls.core, target, phone, email))
