"""The server half of a resource declaration: storage, permissions, reasons, rules.

A resource declares only what differs: its table, its reason prefix, which roles may use each
verb and action, and hooks that turn a validated body into column values (checking what a
schema cannot: references to other resources, which permissions may be granted).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

import msgspec

from voipbin.common.permissions import CUSTOMER_ANY, CUSTOMER_MANAGERS, Permission
from voipbin.common.reasons import REASONS
from voipbin.models.base import M, ResourceSpec
from voipbin.models.events import EVENT_TYPES
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

if TYPE_CHECKING:
    from voipbin.server.resources.context import CommitHook, Context

Values = dict[str, Any]
Current = Mapping[str, Any]
"""A stored resource, by field name, in wire form."""

#: A validated body (and, for updates and actions, the resource as it is) -> column values.
Prepare = Callable[["Context", Any, Current | None], Awaitable[Values]]
#: Raises when the caller may not act on this particular resource (beyond its role).
Guard = Callable[["Context", str, Current], None]
#: Raises when the resource, as it is, may not be deleted (a rule that needs storage).
CheckDelete = Callable[["Context", Current], Awaitable[None]]
#: An action that does its own writes (a balance change with its ledger row): given a
#: validated body and the resource as it is, it answers the resource as it is after.
Perform = Callable[["Context", Any, Current], Awaitable[Row]]
#: An action on one item the resource holds (an ``Action`` with ``item``): as ``Perform``,
#: also given the item's id (canonical) from the path.
ItemPerform = Callable[["Context", Any, Current, str], Awaitable[Row]]
#: Written in the transaction that creates a resource, given the new resource: a failure
#: (a 402 for a number that cannot be paid) creates nothing.
WithCreate = Callable[["Context", Executor, Current], Awaitable[None]]
#: A delete that does its own writes (an activeflow stops, a live call is hung up, before it
#: is deleted): given the resource as it is; whether it was live.
PerformDelete = Callable[["Context", Current], Awaitable[bool]]
#: A creation the resource does itself (several resources at once, a process started):
#: given the validated body and what records the answer in the creating transaction.
CreateWith = Callable[["Context", Any, "CommitHook | None"], Awaitable[msgspec.Struct]]
#: What a single read shows of a stored row, given the resource's repository: a field worked
#: out when read (a waiting queuecall's ``position``).
View = Callable[[Repository, Row], Awaitable[Row]]
#: How the companion of a new owner is made, in the owner's creation transaction
#: (``ctx.customer_id`` is the owner); by default one row of column defaults.
MakeCompanion = Callable[["Context", Executor], Awaitable[None]]

#: An update or action's ``prepare`` may put, under this key, the column values the row must
#: still hold when it is written (``{"status": "active"}``): the write is one conditional
#: UPDATE, and a row that changed meanwhile is a 409, never a lost transition.
EXPECTED = "__expected__"

#: ``prepare_create`` may put fields that the creation answer shows (and that are not
#: stored) under this key: an access key's token.
SHOWN_ONCE = "__shown_once__"


@dataclass(frozen=True)
class Rules:
    """Which permission bits may use each verb (super-admins may use all).

    ``actions`` gives an action's bits (default: ``update``'s). ``self_service`` names the
    verbs and actions an agent may use on the resource whose id is their own agent id (only
    meaningful for agents); with ``get`` in it, such an agent's list shows only themselves.

    ``role_first``: a caller whose role may not use a verb gets 403 before the resource is
    looked up, even for a resource of a customer (by default another customer's resource is
    a 404 first). For resources only super-admins use, where a 403 hides nothing.
    """

    read: Permission = CUSTOMER_ANY
    create: Permission = CUSTOMER_MANAGERS
    update: Permission = CUSTOMER_MANAGERS
    delete: Permission = CUSTOMER_MANAGERS
    actions: Mapping[str, Permission] = field(default_factory=dict)
    self_service: frozenset[str] = frozenset()
    role_first: bool = False

    def of(self, verb: str) -> Permission:
        if verb in ("list", "get"):
            return self.read
        if verb in ("create", "update", "delete"):
            permission: Permission = getattr(self, verb)
            return permission
        return self.actions.get(verb, self.update)


async def plain_values(ctx: Context, body: Any, current: Current | None) -> Values:
    """The body's fields as column values, leaving out those the client did not send."""
    return {
        k: v
        for k, v in msgspec.structs.asdict(body).items()
        if v is not msgspec.UNSET and k != "customer_id"
    }


def no_guard(ctx: Context, verb: str, current: Current) -> None:
    return None


async def no_delete_check(ctx: Context, current: Current) -> None:
    return None


@dataclass(frozen=True)
class ServerResource(Generic[M]):
    """A resource as the server serves it."""

    spec: ResourceSpec[M]
    table: Any
    """Its ``voipbin.server.storage.tables`` table."""
    reason_prefix: str
    """``TAG`` gives ``TAG_NOT_FOUND`` and ``TAG_STATE_INVALID``."""
    rules: Rules = Rules()
    prepare_create: Prepare = plain_values
    prepare_update: Prepare = plain_values
    actions: Mapping[str, Prepare] = field(default_factory=dict)
    """The implementation of each action the spec declares, as column values..."""
    performs: Mapping[str, Perform] = field(default_factory=dict)
    """... or as an action doing its own writes."""
    performs_update: Perform | None = None
    """An update doing its own writes (with its event), in place of the generic one."""
    undos: Mapping[str, Perform] = field(default_factory=dict)
    """The undo (``DELETE <path>/{id}/<name>``) of each action that declares one."""
    item_performs: Mapping[str, ItemPerform] = field(default_factory=dict)
    """The implementation of each action on an item (declared with ``item``)."""
    create_with: CreateWith | None = None
    """A creation the resource does itself, in place of the generic insert."""
    with_create: WithCreate | None = None
    """Written in the transaction that creates the resource (a purchase's charge)."""
    performs_delete: PerformDelete | None = None
    """A delete doing its own writes, in place of the soft delete (and ``cascade``)."""
    make_companion: MakeCompanion | None = None
    """How this resource is made as a companion of a new owner (see ``companions``)."""
    guard: Guard = no_guard
    check_delete: CheckDelete = no_delete_check
    unique: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Unique index name -> (field, reason) for a duplicate."""
    identity: bool = False
    """Writes change who may authenticate (customers, agents, access keys)."""
    cascade: tuple[str, ...] = ()
    """Resources whose rows of a deleted one (by ``customer_id``) are deleted with it."""
    companions: tuple[str, ...] = ()
    """Resources made, one each, with a new one of these (by ``customer_id``), in the
    transaction that creates it: a customer's outbound config."""
    per_customer: bool = False
    """One live row per customer (a unique index on ``customer_id`` among live rows): made
    with the customer (a ``companions`` entry of customers), found by customer by the own
    route, and made there when missing (a customer from before the resource existed)."""
    deleted_values: Mapping[str, Any] = field(default_factory=dict)
    """Columns a soft delete also sets, in the same UPDATE (a customer's ``status``)."""
    shared_customer_id: str | None = None
    """A ``customer_id`` that stands for every customer (the owner of default routes): a
    super-admin may name it in a creation body although no customer has it."""
    view: View | None = None
    """What ``GET <path>/{id}`` shows of the stored row, when it works a field out."""
    references: Mapping[str, str] = field(default_factory=dict)
    """Id fields that must name a live resource of the same customer, by the name of that
    resource's service (``{"call_flow_id": "flow"}``): a 422 naming the field otherwise.
    Checked by the generic service on every write that sets them; the empty UUID is no
    reference. A name no registered resource has (one not built yet) is not checked."""
    events: str = ""
    """The resource of its lifecycle events in the event catalogue (``number``: the generic
    service writes ``number_created``, ``number_updated`` and ``number_deleted``, with the
    resource as shown, in the transaction of the write); empty: none (upstream publishes
    none for it)."""
    action_events: Mapping[str, str] = field(default_factory=dict)
    """An action's own event in place of ``<events>_updated`` (an agent's ``status``:
    ``agent_status_updated``)."""

    def __post_init__(self) -> None:
        for reason in (self.not_found, self.state_invalid, *(r for _, r in self.unique.values())):
            if reason not in REASONS:
                raise ValueError(f"{self.spec.name}: reason {reason} is not in the catalog")
        declared = {a.name for a in (*self.spec.actions, *self.spec.own_actions)}
        if declared != set(self.actions) | set(self.performs) | set(self.item_performs):
            raise ValueError(f"{self.spec.name}: actions {declared} need implementations")
        undone = {a.name for a in self.spec.actions if a.undo}
        if undone != set(self.undos):
            raise ValueError(f"{self.spec.name}: the undos of {undone} need implementations")
        if self.events:
            types = [f"{self.events}_{s}" for s in ("created", "updated", "deleted")]
            for type in (*types, *self.action_events.values()):
                if type not in EVENT_TYPES or EVENT_TYPES[type].resource != self.events:
                    raise ValueError(f"{self.spec.name}: event {type} is not in the catalogue")

    @property
    def fields(self) -> tuple[str, ...]:
        """The stored fields a row is read with: the model's, then those only the own route
        shows."""
        model = self.spec.model.__struct_fields__
        own = self.spec.own.__struct_fields__ if self.spec.own is not None else ()
        return (*model, *(f for f in own if f not in model))

    @property
    def not_found(self) -> str:
        return f"{self.reason_prefix}_NOT_FOUND"

    @property
    def state_invalid(self) -> str:
        return f"{self.reason_prefix}_STATE_INVALID"
