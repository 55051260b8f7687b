"""The generic resource service: list, get, create, update, delete and actions for any
declared resource, with its role rules, tenancy and soft-deletion rules applied the same way.

Order of checks, everywhere: the id's form (400), the resource's existence for this caller
(404; another customer's resource does not exist for them, whatever their role), the caller's
role (403; first, for resources of no customer or declared ``role_first``, and for list and
create), the body (400/422), the resource's state (409).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic

import msgspec

from voipbin.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    PermissionDenied,
    Unprocessable,
)
from voipbin.common.pagination import Page
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.base import M, RequestBody
from voipbin.models.wire import wire_struct
from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import Principal, server_principal
from voipbin.server.billing.ledger import Ledger, ledger_for
from voipbin.server.body import decode_body
from voipbin.server.carrier.numbers import NumberSeller
from voipbin.server.carrier.sim import SimulatedCarrier
from voipbin.server.http import path_id
from voipbin.server.resources.base import EXPECTED, SHOWN_ONCE, Current, Perform, ServerResource
from voipbin.server.resources.context import Context, Runtime
from voipbin.server.resources.query import parse_list_query
from voipbin.server.resources.references import check_references
from voipbin.server.settings import Settings
from voipbin.server.storage.database import Executor, Row, UniqueViolation
from voipbin.server.storage.repository import Repository

#: Written in the transaction that creates a resource, given the created resource.
CommitHook = Callable[[Executor, msgspec.Struct], Awaitable[None]]


class _NoBody(RequestBody, kw_only=True):
    """The body of an action that takes none: any field is unknown."""


def _no_body(body: bytes) -> _NoBody:
    return decode_body(body, _NoBody) if body.strip() else _NoBody()


def _action_body(body: bytes, kind: type[msgspec.Struct]) -> Any:
    if not body.strip() and all(
        f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT
        for f in msgspec.structs.fields(kind)
    ):
        return kind()
    return decode_body(body, kind)


class ResourceService(Generic[M]):
    def __init__(
        self,
        resource: ServerResource[M],
        repository: Repository,
        services: Mapping[str, ResourceService[Any]],
        passwords: Passwords,
        on_identity_change: Callable[[], None] = lambda: None,
        settings: Settings | None = None,
        carrier: NumberSeller | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.resource = resource
        self.spec = resource.spec
        self.rules = resource.rules
        self.repository = repository
        self.services = services
        self.passwords = passwords
        self.settings = settings or Settings()
        self.carrier: NumberSeller = carrier or SimulatedCarrier()
        self._ledger = ledger
        self.runtime = Runtime()
        """The runtime's services: the app gives every service the same one."""
        self._identity_changed = on_identity_change if resource.identity else lambda: None
        self.wire = wire_struct(self.spec.model)
        self.fields = repository.fields
        # A row holds the model's fields, then those only the own route shows.
        self._shown = len(self.spec.model.__struct_fields__)
        self.own_wire = wire_struct(self.spec.own) if self.spec.own is not None else self.wire
        self._customer = self.fields.index("customer_id") if self.spec.customer_scoped else None
        self._deleted = self.fields.index("tm_delete")
        self._created = self.fields.index("tm_create")
        created = self.spec.created
        self._created_wire = wire_struct(created) if created is not None else None
        self._shown_once = (
            tuple(f for f in created.__struct_fields__ if f not in self.fields)
            if created is not None
            else ()
        )

    @property
    def created_wire(self) -> type[msgspec.Struct]:
        """The wire struct ``create`` answers with."""
        return self._created_wire or self.wire

    # -- helpers ------------------------------------------------------------------------------

    def _item(self, row: Row, own: bool = False) -> msgspec.Struct:
        """``row`` on the wire; ``own``: as the own route shows it (with what only the
        resource's own people see)."""
        if own:
            return self.own_wire(*row)
        return (
            self.wire(*row) if self._shown == len(self.fields) else self.wire(*row[: self._shown])
        )

    def current(self, row: Row) -> dict[str, Any]:
        return dict(zip(self.fields, row, strict=True))

    @property
    def ledger(self) -> Ledger:
        """The balances' service (one per app; made here for a service built alone)."""
        if self._ledger is None:
            self._ledger = ledger_for(self.repository.db, self.repository.clock, self.settings)
        return self._ledger

    def context(self, principal: Principal, customer_id: str | None = None) -> Context:
        return Context(
            principal,
            customer_id or principal.customer_id,
            self.services,
            self.passwords,
            self.repository.clock.now(),
            self.settings,
            self.carrier,
            self.ledger,
            self.runtime,
        )

    def _allowed(self, principal: Principal, verb: str) -> bool:
        return principal.is_super_admin or bool(principal.permission & self.rules.of(verb))

    def require(self, principal: Principal, verb: str) -> None:
        """403 unless the caller's role allows ``verb``."""
        if not self._allowed(principal, verb):
            raise PermissionDenied()

    async def _visible(self, principal: Principal, id: str) -> Row:
        row = await self.repository.get(id)
        if row is None or (
            self._customer is not None and not principal.sees(str(row[self._customer]))
        ):
            raise NotFound(self.resource.not_found)
        return row

    async def _target(
        self, principal: Principal, verb: str, id: str, *, authorized: bool = False
    ) -> Row:
        """The resource ``id`` as this caller may ``verb`` it. Another customer's resource
        is a 404 before the role is looked at: a 404, never a 403 (CONVENTIONS.md §6)."""
        if authorized or self._allowed(principal, verb):
            return await self._visible(principal, id)
        self_service = verb in self.rules.self_service
        if (self._customer is None or self.rules.role_first) and not self_service:
            raise PermissionDenied()  # nothing of another customer to hide: role first
        row = await self._visible(principal, id)
        if not self_service or str(row[0]) != principal.agent_id:
            raise PermissionDenied()
        return row

    def _live(self, row: Row) -> None:
        if row[self._deleted] != SENTINEL_TEXT:
            title = self.spec.title
            raise FailedPrecondition(
                self.resource.state_invalid,
                f"The {title} was deleted; a deleted {title} cannot be changed.",
            )

    async def missing(self, customer_id: str, ids: list[str]) -> list[str]:
        """Those of ``ids`` that are not live resources of ``customer_id``."""
        wanted = list(dict.fromkeys(ids))
        scope = customer_id if self._customer is not None else None
        live = await self.repository.live_ids(wanted, scope)
        return [id for id in wanted if id not in live]

    # -- verbs --------------------------------------------------------------------------------

    async def list(
        self, principal: Principal, params: Mapping[str, str], within: dict[str, Any] | None = None
    ) -> Page[Any]:
        """A page of what the caller sees; ``within``: of one owner the caller was found to
        see (an outdial's targets, by ``outdial_id``), whatever its customer."""
        only_self = not self._allowed(principal, "list")
        if only_self and "get" not in self.rules.self_service:
            raise PermissionDenied()
        query = parse_list_query(self.spec, params, principal)
        if query is None:
            return Page(result=[], next_page_token="")
        if within is not None:
            query = dataclasses.replace(query.restricted(**within), customer_id=None)
        if only_self:
            query = query.restricted(id=principal.agent_id)
        rows = await self.repository.list(query)
        token = ""
        if len(rows) >= query.limit:
            rows = rows[: query.limit - 1]
            token = str(rows[-1][self._created])
        wire = self.wire
        if self._shown == len(self.fields):  # nothing beyond the model's fields was read
            return Page(result=[wire(*row) for row in rows], next_page_token=token)
        shown = self._shown
        return Page(result=[wire(*row[:shown]) for row in rows], next_page_token=token)

    async def get(
        self, principal: Principal, id_text: str, *, authorized: bool = False, own: bool = False
    ) -> msgspec.Struct:
        id = path_id(id_text)
        row = await self._target(principal, "get", id, authorized=authorized)
        if self.resource.view is not None:
            row = await self.resource.view(self.repository, row)
        return self._item(row, own)

    async def create(
        self, principal: Principal, body: bytes, *, commit_with: CommitHook | None = None
    ) -> msgspec.Struct:
        """Create a resource from ``body``. ``commit_with`` is written in the same transaction
        as the new resource, given it: if it fails, nothing is created."""
        self.require(principal, "create")
        assert self.spec.create is not None
        decoded = decode_body(body, self.spec.create)
        customer_id = await self._customer_for(principal, decoded)
        ctx = self.context(principal, customer_id)
        if self.resource.create_with is not None:
            return await self.resource.create_with(ctx, decoded, commit_with)
        values = await self.resource.prepare_create(ctx, decoded, None)
        await check_references(ctx, self.resource.references, values)
        shown = values.pop(SHOWN_ONCE, {})
        if self._customer is not None:
            values["customer_id"] = customer_id
        with_create = self.resource.with_create
        alone = not (self.resource.companions or self.resource.events)
        if commit_with is None and alone and with_create is None:
            item = self._answer(await self._insert(values), shown)
        else:
            # Only the writes hold the transaction: the checks above read through the
            # database, which on SQLite waits for the transaction's one connection.
            async with self.repository.db.transaction() as tx:
                row = await self._insert(values, tx)
                if self.resource.companions:
                    # A companion may name itself in its owner (a billing account).
                    await self.create_companions(str(row[0]), tx)
                    row = await self.repository.get(str(row[0]), tx) or row
                if with_create is not None:
                    await with_create(ctx, tx, self.current(row))
                await self._emit(tx, "created", row)
                item = self._answer(row, shown)
                if commit_with is not None:
                    await commit_with(tx, item)
        self._identity_changed()
        return item

    async def create_companions(self, id: str, executor: Executor) -> None:
        """Make the ``companions`` of the new resource ``id`` (a customer), in ``executor``'s
        transaction: each with its columns' defaults, owned by ``id``."""
        for name in self.resource.companions:
            companion = self.services[name]
            make = companion.resource.make_companion
            if make is None:
                await companion.repository.insert({"customer_id": id}, executor)
            else:
                await make(companion.context(server_principal(id), id), executor)

    async def own_id(self, customer_id: str) -> str:
        """The id of the live resource of ``customer_id``, for a resource declared
        ``per_customer``: made now if the customer has none yet (it predates the resource),
        once however many requests ask at the same time."""
        for _ in range(2):
            row = await self.repository.find(("id",), {"customer_id": customer_id})
            if row is not None:
                return str(row[0])
            if not self.resource.per_customer:
                break
            try:
                return str((await self.repository.insert({"customer_id": customer_id}))[0])
            except UniqueViolation:
                continue  # another request made it first: read theirs
        raise NotFound(self.resource.not_found)

    async def _insert(self, values: dict[str, Any], executor: Executor | None = None) -> Row:
        try:
            return await self.repository.insert(values, executor)
        except UniqueViolation as exc:
            raise self._duplicate(exc) from None

    def _answer(self, row: Row, shown: Mapping[str, Any]) -> msgspec.Struct:
        """What ``create`` answers: the resource, and what it shows only once (a token)."""
        if self._created_wire is not None:
            return self._created_wire(*row[: self._shown], *(shown[f] for f in self._shown_once))
        return self._item(row)

    async def _customer_for(self, principal: Principal, body: msgspec.Struct) -> str:
        """The customer a new resource belongs to: the caller's, or the one a super-admin
        names in the body (which must exist); anyone else's ``customer_id`` is ignored."""
        wanted = getattr(body, "customer_id", None)
        if self._customer is None or wanted is None or not principal.is_super_admin:
            return principal.customer_id
        customer_id = str(wanted)
        if customer_id == self.resource.shared_customer_id:
            return customer_id
        if await self.services["customer"].missing(customer_id, [customer_id]):
            raise Unprocessable.field("customer_id", "is not a live customer")
        return customer_id

    async def update(
        self,
        principal: Principal,
        id_text: str,
        body: bytes,
        *,
        authorized: bool = False,
        own: bool = False,
    ) -> msgspec.Struct:
        id = path_id(id_text)
        row = await self._target(principal, "update", id, authorized=authorized)
        assert self.spec.update is not None
        if self.resource.performs_update is not None:
            decoded = decode_body(body, self.spec.update)
            perform = self.resource.performs_update
            return await self._perform(principal, "update", row, decoded, perform, own)
        return await self._change(
            principal,
            "update",
            row,
            decode_body(body, self.spec.update),
            self.resource.prepare_update,
            own,
        )

    async def action(
        self,
        principal: Principal,
        name: str,
        id_text: str,
        body: bytes,
        *,
        authorized: bool = False,
        own: bool = False,
        undo: bool = False,
        item: str | None = None,
    ) -> msgspec.Struct:
        """Run the action ``name`` (its undo, when ``undo``); ``own``: one of the own
        route's (answered as it shows); ``item``: the path's item id, for an action on an
        item."""
        id = path_id(id_text)
        declared = self.spec.own_actions if own else self.spec.actions
        action = next(a for a in declared if a.name == name)
        item_id = path_id(item, action.item) if action.item else None
        row = await self._target(principal, name, id, authorized=authorized)
        kind = action.body
        # An action of no body takes none, or an empty object (what a client may send); one
        # whose fields all have defaults takes no body as ``{}`` (a mute of both directions).
        decoded = _action_body(body, kind) if kind is not None else _no_body(body)
        if item_id is not None:
            item_perform = self.resource.item_performs[name]

            async def on_item(ctx: Context, decoded: Any, current: Current) -> Row:
                return await item_perform(ctx, decoded, current, item_id)

            return await self._perform(principal, name, row, decoded, on_item, own)
        perform = (self.resource.undos if undo else self.resource.performs).get(name)
        if perform is not None:
            return await self._perform(principal, name, row, decoded, perform, own)
        return await self._change(principal, name, row, decoded, self.resource.actions[name], own)

    async def _perform(
        self, principal: Principal, verb: str, row: Row, decoded: Any, perform: Perform, own: bool
    ) -> msgspec.Struct:
        """An action that does its own writes: the same checks as a change, then its answer."""
        current: Current = self.current(row)
        ctx = self.context(principal, str(current.get("customer_id", principal.customer_id)))
        self.resource.guard(ctx, verb, current)
        self._live(row)
        return self._item(await perform(ctx, decoded, current), own)

    async def _change(
        self, principal: Principal, verb: str, row: Row, decoded: Any, prepare: Any, own: bool
    ) -> msgspec.Struct:
        current: Current = self.current(row)
        ctx = self.context(principal, str(current.get("customer_id", principal.customer_id)))
        self.resource.guard(ctx, verb, current)
        self._live(row)
        values = await prepare(ctx, decoded, current)
        expected = values.pop(EXPECTED, None)
        await check_references(ctx, self.resource.references, values)
        if not values:
            return self._item(row, own)
        try:
            if not self.resource.events:
                updated = await self.repository.update(str(row[0]), values, expected=expected)
            else:
                async with self.repository.db.transaction() as tx:
                    updated = await self.repository.update(
                        str(row[0]), values, expected=expected, executor=tx
                    )
                    if updated is not None:
                        event = self.resource.action_events.get(verb, "")
                        await self._emit(tx, "updated", updated, event)
        except UniqueViolation as exc:
            raise self._duplicate(exc) from None
        if updated is None:  # deleted (or moved to another state) in the meantime
            raise FailedPrecondition(self.resource.state_invalid)
        self._identity_changed()
        return self._item(updated, own)

    async def delete(self, principal: Principal, id_text: str) -> None:
        id = path_id(id_text)
        row = await self._target(principal, "delete", id)
        ctx, current = self.context(principal), self.current(row)
        self.resource.guard(ctx, "delete", current)
        await self.resource.check_delete(ctx, current)
        values = self.resource.deleted_values
        if self.resource.performs_delete is not None:
            deleted = await self.resource.performs_delete(ctx, current)
        elif self.resource.events and not self.resource.cascade:
            async with self.repository.db.transaction() as tx:
                gone = await self.repository.soft_delete_returning(id, values=values, executor=tx)
                deleted = gone is not None
                if gone is not None:
                    await self._emit(tx, "deleted", gone)
        elif not self.resource.cascade:
            deleted = await self.repository.soft_delete(id, values=values)
        else:
            # All or nothing: a customer is never deleted with its agents still able to log in.
            async with self.repository.db.transaction() as tx:
                deleted = await self.repository.soft_delete(id, values=values, executor=tx)
                if deleted:
                    for name in self.resource.cascade:
                        owned = self.services[name]
                        await owned.repository.soft_delete_owned(
                            id, values=owned.resource.deleted_values, executor=tx
                        )
        if deleted:
            self._identity_changed()

    async def announce(self, executor: Executor, id: str, type: str) -> None:
        """Write the event ``type`` of the resource ``id`` as it stands in ``executor``'s
        transaction (a change the runtime made: an agent a queue rings)."""
        row = await self.repository.get(id, executor)
        if row is not None:
            await self._emit(executor, "updated", row, type)

    async def _emit(self, executor: Executor, change: str, row: Row, type: str = "") -> None:
        """Write the resource's ``<events>_<change>`` event (or ``type``) of ``row``, as its
        GET shows it, in ``executor``'s transaction: when the resource declares events and
        the app records them."""
        sink = self.runtime.events
        if not self.resource.events or sink is None:
            return
        customer_id = str(row[self._customer]) if self._customer is not None else str(row[0])
        type = type or f"{self.resource.events}_{change}"
        await sink.emit(
            executor, customer_id, type, self.resource.events, str(row[0]), self._item(row)
        )

    def _duplicate(self, exc: UniqueViolation) -> Exception:
        known = self.resource.unique.get(exc.constraint)
        if known is None:
            return AlreadyExists()
        field, reason = known
        return AlreadyExists(reason, details=[{"field": field, "description": "already exists"}])
