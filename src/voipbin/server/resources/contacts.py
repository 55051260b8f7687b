"""Contacts: the generic resource, with addresses and tags changed through their own routes.

Every change to a contact's addresses runs in one transaction that first takes the contact
(a conditional UPDATE of the live row: it waits for any other change to the same contact,
and a deleted contact is a 409), changes the ``contact_addresses`` rows, and writes the
contact's ``addresses`` back from them. The rows' unique indexes hold the rules whatever
races: a normalised target belongs to one live address of a customer (another is ``409
ADDRESS_ALREADY_EXISTS``), and one live address per contact and type is primary (a new
primary takes the mark from the old one, as upstream does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from voipbin.common.address import is_e164, is_email
from voipbin.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from voipbin.common.ids import new_id
from voipbin.common.targets import normalised_target
from voipbin.models.contact import (
    CONTACTS,
    Contact,
    ContactAddressCreate,
    ContactAddressUpdate,
    ContactCreate,
    ContactTag,
)
from voipbin.models.wire import wire_struct
from voipbin.server.resources.base import Current, ServerResource, Values
from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.resources.references import live_tag_ids
from voipbin.server.storage.contacts import ADDRESS_FIELDS, ContactAddresses
from voipbin.server.storage.database import Executor, Row, UniqueViolation
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import contact_contacts

_WIRE = wire_struct(Contact)
_TARGET_INDEX = "uq_contact_addresses_customer_id_target_key"


def _repository(ctx: Context) -> Repository:
    return ctx.services["contact"].repository


def _addresses(ctx: Context) -> ContactAddresses:
    repository = _repository(ctx)
    return ContactAddresses(repository.db, repository.clock)


_EXPECTED = {
    "tel": (is_e164, "must be an E.164 number: + then 2-15 digits, the first not 0"),
    "email": (is_email, "must be a valid email address"),
}


def _key(type: str, target: str, field: str) -> tuple[str, str]:
    """The target and its normalised key; 400 naming ``field`` when the target is no
    E.164 number (``tel``) or email address (``email``)."""
    check, expected = _EXPECTED[type]
    key = normalised_target(type, target) if check(target) else None
    if key is None:
        raise InvalidArgument.field(field, f"{expected} for type {type}")
    return target, key


def _duplicate(exc: UniqueViolation, field: str) -> Exception:
    if exc.constraint == _TARGET_INDEX:
        return AlreadyExists(
            "ADDRESS_ALREADY_EXISTS",
            details=[{"field": field, "description": "another live contact has this target"}],
        )
    return FailedPrecondition("CONTACT_STATE_INVALID", "The contact changed meanwhile; retry.")


def _address_json(rows: list[Row]) -> str:
    shown = len(ADDRESS_FIELDS)
    items = [dict(zip(ADDRESS_FIELDS, row[:shown], strict=True)) for row in rows]
    return msgspec.json.encode(items).decode()


# -- create and delete -------------------------------------------------------------------


async def _create(ctx: Context, body: ContactCreate, commit_with: CommitHook | None) -> Any:
    # Malformed fields (400), then references (422), then clashes with stored ones (409).
    addresses = []
    primary: set[str] = set()
    for i, a in enumerate(body.addresses):
        target, key = _key(a.type, a.target, f"addresses[{i}].target")
        if a.is_primary:
            if a.type in primary:
                raise InvalidArgument.field(
                    f"addresses[{i}].is_primary", f"another {a.type} address is primary already"
                )
            primary.add(a.type)
        addresses.append((a, target, key))
    tag_ids = await live_tag_ids(ctx, body.tag_ids)
    repository, store = _repository(ctx), _addresses(ctx)
    contact_id = str(new_id())
    async with repository.db.transaction() as tx:
        rows = []
        for i, (a, target, key) in enumerate(addresses):
            values = _address_values(ctx.customer_id, contact_id, a, target, key)
            try:
                rows.append(await store.insert(values, tx))
            except UniqueViolation as exc:
                raise _duplicate(exc, f"addresses[{i}].target") from None
        fields = msgspec.structs.asdict(body)
        del fields["addresses"], fields["tag_ids"]
        row = await repository.insert(
            {
                **fields,
                "id": contact_id,
                "customer_id": ctx.customer_id,
                "addresses": _address_json(rows),
                "tag_ids": msgspec.json.encode(tag_ids).decode(),
            },
            tx,
        )
        item = _WIRE(*row)
        if commit_with is not None:
            await commit_with(tx, item)
    return item


def _address_values(
    customer_id: str, contact_id: str, body: ContactAddressCreate, target: str, key: str
) -> Values:
    return {
        "customer_id": customer_id,
        "contact_id": contact_id,
        "type": body.type,
        "target": target,
        "target_key": key,
        "name": body.name,
        "detail": body.detail,
        "is_primary": body.is_primary,
    }


async def _delete(ctx: Context, current: Current) -> bool:
    """Delete the contact and its addresses' rows (freeing their targets), together. Its
    ``addresses`` stay as they were, for a GET of the deleted contact."""
    repository, store = _repository(ctx), _addresses(ctx)
    contact_id = str(current["id"])
    async with repository.db.transaction() as tx:
        deleted = await repository.soft_delete(contact_id, executor=tx)
        if deleted:
            await store.delete_of(contact_id, tx)
    return deleted


# -- addresses and tags --------------------------------------------------------------------

#: Given the transaction, the address rows and the contact as taken, the columns to write.
Change = Callable[[Executor, ContactAddresses, dict[str, Any]], Awaitable[Values]]


async def _change(ctx: Context, current: Current, change: Change) -> Row:
    """Take the contact (waiting for any other change to it), apply ``change`` and write
    what it answers, in one transaction."""
    repository, store = _repository(ctx), _addresses(ctx)
    contact_id = str(current["id"])
    async with repository.db.transaction() as tx:
        taken = await repository.update(contact_id, {}, executor=tx)
        if taken is None:
            raise FailedPrecondition(
                "CONTACT_STATE_INVALID", "The contact was deleted; it cannot be changed."
            )
        values = await change(tx, store, dict(zip(repository.fields, taken, strict=True)))
        row = await repository.update(contact_id, values, executor=tx)
    assert row is not None  # taken in this transaction
    return row


async def _rewritten(store: ContactAddresses, contact_id: str, tx: Executor) -> Values:
    return {"addresses": _address_json(await store.live_of(contact_id, tx))}


async def _add_address(ctx: Context, body: ContactAddressCreate, current: Current) -> Row:
    target, key = _key(body.type, body.target, "target")

    async def change(tx: Executor, store: ContactAddresses, contact: dict[str, Any]) -> Values:
        contact_id = str(contact["id"])
        if body.is_primary:
            await store.clear_primary(contact_id, body.type, tx)
        values = _address_values(str(contact["customer_id"]), contact_id, body, target, key)
        try:
            await store.insert(values, tx)
        except UniqueViolation as exc:
            raise _duplicate(exc, "target") from None
        return await _rewritten(store, contact_id, tx)

    return await _change(ctx, current, change)


async def _update_address(
    ctx: Context, body: ContactAddressUpdate, current: Current, address_id: str
) -> Row:
    async def change(tx: Executor, store: ContactAddresses, contact: dict[str, Any]) -> Values:
        contact_id = str(contact["id"])
        rows = await store.live_of(contact_id, tx)
        found = next((r for r in rows if str(r[0]) == address_id), None)
        if found is None:
            raise NotFound("ADDRESS_NOT_FOUND")
        type = str(found[ADDRESS_FIELDS.index("type")])
        values: Values = {}
        if body.target is not msgspec.UNSET:
            values["target"], values["target_key"] = _key(type, body.target, "target")
        for name in ("name", "detail"):
            value = getattr(body, name)
            if value is not msgspec.UNSET:
                values[name] = value
        if body.is_primary is not msgspec.UNSET:
            if body.is_primary:
                await store.clear_primary(contact_id, type, tx)
            values["is_primary"] = body.is_primary
        if values:
            try:
                await store.update(address_id, contact_id, values, tx)
            except UniqueViolation as exc:
                raise _duplicate(exc, "target") from None
        return await _rewritten(store, contact_id, tx)

    return await _change(ctx, current, change)


async def _delete_address(ctx: Context, body: Any, current: Current, address_id: str) -> Row:
    async def change(tx: Executor, store: ContactAddresses, contact: dict[str, Any]) -> Values:
        contact_id = str(contact["id"])
        if not await store.delete(address_id, contact_id, tx):
            raise NotFound("ADDRESS_NOT_FOUND")
        return await _rewritten(store, contact_id, tx)

    return await _change(ctx, current, change)


def _held(contact: dict[str, Any]) -> list[str]:
    held: list[str] = msgspec.json.decode(contact["tag_ids"])
    return held


async def _add_tag(ctx: Context, body: ContactTag, current: Current) -> Row:
    (tag_id,) = await live_tag_ids(ctx, [body.tag_id], "tag_id")

    async def change(tx: Executor, store: ContactAddresses, contact: dict[str, Any]) -> Values:
        held = _held(contact)
        if tag_id in held:
            return {}
        return {"tag_ids": msgspec.json.encode([*held, tag_id]).decode()}

    return await _change(ctx, current, change)


async def _remove_tag(ctx: Context, body: Any, current: Current, tag_id: str) -> Row:
    async def change(tx: Executor, store: ContactAddresses, contact: dict[str, Any]) -> Values:
        held = _held(contact)
        if tag_id not in held:
            raise NotFound("CONTACT_TAG_NOT_FOUND")
        return {"tag_ids": msgspec.json.encode([t for t in held if t != tag_id]).decode()}

    return await _change(ctx, current, change)


RESOURCE: ServerResource[Contact] = ServerResource(
    spec=CONTACTS,
    table=contact_contacts,
    reason_prefix="CONTACT",
    create_with=_create,
    performs_delete=_delete,
    performs={"addresses": _add_address, "tags": _add_tag},
    item_performs={
        "address_update": _update_address,
        "address_delete": _delete_address,
        "tag_delete": _remove_tag,
    },
)
