"""The rules a list of actions must keep beyond its schema, checked without I/O.

:func:`check_actions` gives every action without an id a new one, and refuses (400, naming
the field path) a reserved id, an id given twice, and a ``next_id`` or option target
(``goto.target_id``, ``branch.target_ids``, a condition's ``false_target_id``...) that names
no action of the same list. A ``call`` action's inline ``actions`` are a list of their own,
checked the same way. It also gathers the ids of other resources the options name, for the
server to check against storage. The flow engine runs the same check on fetched actions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

import msgspec
import msgspec.inspect as mi

from voipbin.common.address import Address, validate_address
from voipbin.common.errors import InvalidArgument
from voipbin.models.flows.actions import RESERVED_IDS, ActionBase
from voipbin.models.flows.options import EMPTY, REFERENCES


@dataclass(frozen=True)
class _Field:
    """An option field the check looks into."""

    name: str
    """The name on the wire."""
    attr: str
    """The attribute of the struct."""
    kind: str
    """``action``, ``action_map``, ``actions``, ``address``, ``addresses`` or a resource."""


@dataclass
class References:
    """Ids of other resources named by the checked actions: resource -> [(field path, id)]."""

    by_resource: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, resource: str, path: str, id: UUID) -> None:
        if id != EMPTY:
            self.by_resource.setdefault(resource, []).append((path, str(id)))


def _references(t: mi.Type) -> str | None:
    if isinstance(t, mi.Metadata) and t.extra:
        resource = t.extra.get(REFERENCES)
        return resource if isinstance(resource, str) else None
    return None


def _unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    if isinstance(t, mi.UnionType):
        rest = [a for a in t.types if not isinstance(a, mi.NoneType)]
        if len(rest) == 1:
            return _unwrap(rest[0])
    return t


def _kind(t: mi.Type) -> str | None:
    resource = _references(t)
    if resource is not None:
        return resource
    inner = _unwrap(t)
    if isinstance(inner, mi.DictType) and _references(inner.value_type) == "action":
        return "action_map"
    if isinstance(inner, mi.StructType) and inner.cls is Address:
        return "address"
    if isinstance(inner, mi.ListType):
        item = _unwrap(inner.item_type)
        if isinstance(item, mi.StructType) and item.cls is Address:
            return "addresses"
        if isinstance(item, mi.UnionType):
            return "actions"
    return None


@cache
def _fields(option: type[msgspec.Struct]) -> tuple[_Field, ...]:
    info = mi.type_info(option)
    assert isinstance(info, mi.StructType)
    found = []
    for f in info.fields:
        kind = _kind(f.type)
        if kind is not None:
            found.append(_Field(f.encode_name, f.name, kind))
    return tuple(found)


def _address(value: Address, path: str) -> Address:
    """A checked address; one whose target is a ``${variable}`` template is checked when
    the action runs, once the variable has its value."""
    if "${" in value.target:
        return value
    return validate_address(value, path)


def check_actions(
    actions: list[ActionBase], path: str = "actions", refs: References | None = None
) -> tuple[list[ActionBase], References]:
    """``actions`` with ids given and addresses in canonical form, and the references to
    other resources they hold; ``400 INVALID_ARGUMENT`` naming the first broken rule."""
    refs = refs if refs is not None else References()
    ids: dict[UUID, int] = {}
    given: list[ActionBase] = []
    for i, action in enumerate(actions):
        id = action.id
        if id == EMPTY:
            id = uuid.uuid4()
        elif id in RESERVED_IDS:
            raise InvalidArgument.field(
                f"{path}[{i}].id", "is reserved by the flow engine (start, finish, next)"
            )
        elif id in ids:
            raise InvalidArgument.field(
                f"{path}[{i}].id", f"is given twice (also {path}[{ids[id]}].id)"
            )
        ids[id] = i
        given.append(msgspec.structs.replace(action, id=id, tm_execute=msgspec.UNSET))
    checked: list[ActionBase] = []
    for i, action in enumerate(given):
        at = f"{path}[{i}]"
        _target(action.next_id, ids, f"{at}.next_id")
        option = _check_option(action.option, ids, f"{at}.option", refs)  # type: ignore[attr-defined]
        checked.append(msgspec.structs.replace(action, option=option))
    return checked, refs


def _target(id: UUID, ids: dict[UUID, int], path: str) -> None:
    if id != EMPTY and id not in ids:
        raise InvalidArgument.field(path, "names no action of the flow")


def _check_option(
    option: msgspec.Struct, ids: dict[UUID, int], path: str, refs: References
) -> msgspec.Struct:
    changes: dict[str, Any] = {}
    for f in _fields(type(option)):
        value = getattr(option, f.attr)
        at = f"{path}.{f.name}"
        if f.kind == "action":
            _target(value, ids, at)
        elif f.kind == "action_map":
            for key, target in value.items():
                _target(target, ids, f"{at}.{key}")
        elif f.kind == "actions":
            changes[f.attr], _ = check_actions(value, at, refs)
        elif f.kind == "address":
            if value is not None:
                changes[f.attr] = _address(value, at)
        elif f.kind == "addresses":
            changes[f.attr] = [_address(a, f"{at}[{k}]") for k, a in enumerate(value)]
        else:
            refs.add(f.kind, at, value)
    return msgspec.structs.replace(option, **changes) if changes else option


def check_filled_addresses(option: msgspec.Struct, path: str) -> msgspec.Struct:
    """``option`` with its addresses checked and canonical, once its ``${variable}``
    templates are filled in (the flow engine calls it when the action runs);
    ``400 INVALID_ARGUMENT`` naming the first bad one."""
    changes: dict[str, Any] = {}
    for f in _fields(type(option)):
        value = getattr(option, f.attr)
        at = f"{path}.{f.name}"
        if f.kind == "address" and value is not None:
            changes[f.attr] = validate_address(value, at)
        elif f.kind == "addresses":
            changes[f.attr] = [validate_address(a, f"{at}[{k}]") for k, a in enumerate(value)]
    return msgspec.structs.replace(option, **changes) if changes else option
