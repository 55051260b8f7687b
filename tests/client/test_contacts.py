"""Contacts through the SDK: created with an address, addresses and tags changed through the
declared actions (those on one item take its id after the contact's), and ``lookup``, on the
sync and the async client."""

from __future__ import annotations

import pytest

from voipbin.client import AsyncClient, Client, NotFound
from voipbin.models.contact import Contact


async def test_contacts_addresses_tags_and_lookup_async(aclient: AsyncClient) -> None:
    tag = await aclient.tags.create(name="vip")
    contact = await aclient.contacts.create(
        display_name="Ada", addresses=[{"type": "tel", "target": "+15551230001"}]
    )
    assert isinstance(contact, Contact)
    (address,) = contact.addresses
    assert (address.type, address.target, address.contact_id) == ("tel", "+15551230001", contact.id)

    added = await aclient.contacts.addresses(
        contact.id, type="email", target="Ada@Example.com", is_primary=True
    )
    assert [a.target for a in added.addresses] == ["+15551230001", "Ada@Example.com"]
    changed = await aclient.contacts.address_update(contact.id, address.id, {"name": "mobile"})
    assert changed.addresses[0].name == "mobile"
    tagged = await aclient.contacts.tags(contact.id, tag_id=tag.id)
    assert tagged.tag_ids == [tag.id]

    found = await aclient.contacts.lookup(email="ada@example.com")
    assert found.id == contact.id
    assert (await aclient.contacts.lookup("+1 555 123 0001")).id == contact.id

    untagged = await aclient.contacts.tag_delete(contact.id, tag.id)
    assert untagged.tag_ids == []
    removed = await aclient.contacts.address_delete(contact.id, address.id)
    assert [a.type for a in removed.addresses] == ["email"]
    with pytest.raises(NotFound) as caught:
        await aclient.contacts.lookup(phone="+15551230001")
    assert caught.value.reason == "CONTACT_PHONE_NUMBER_NOT_FOUND"
    with pytest.raises(TypeError):
        await aclient.contacts.address_delete(contact.id)


def test_contacts_lookup_sync(client: Client) -> None:
    contact = client.contacts.create(addresses=[{"type": "email", "target": "b@example.com"}])
    assert client.contacts.lookup(target="B@example.com").id == contact.id
    with pytest.raises(TypeError):
        client.contacts.lookup()
