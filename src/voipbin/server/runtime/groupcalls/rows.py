"""A groupcall's row as the runtime reads it: the model's fields, then how each destination is
dialled (:class:`Plan`, fixed at creation) and the legs still alive. Reads and conditional
writes go through one :class:`~voipbin.server.storage.repository.Repository`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.groupcall import AnswerMethod, Groupcall, GroupcallStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.calls.placing import Placement
from voipbin.server.runtime.groupcalls import machine
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

#: The model's fields, in its order: what the API shows and events carry.
GROUPCALL_FIELDS: tuple[str, ...] = Groupcall.__struct_fields__
#: What only the runtime reads, after them.
RUNTIME_FIELDS: tuple[str, ...] = ("plans", "live_ids")
FIELDS: tuple[str, ...] = (*GROUPCALL_FIELDS, *RUNTIME_FIELDS)

GroupcallWire = wire_struct(Groupcall)


class Nested(msgspec.Struct, kw_only=True):
    """The groupcall an ``agent`` or ``extension`` destination rings as: the addresses it
    resolved to, each placed."""

    ring_method: str
    destinations: list[Address]
    placements: list[Placement]


class Plan(msgspec.Struct, kw_only=True):
    """How one destination is dialled: a call (``placement``) or a nested groupcall."""

    placement: Placement | None = None
    nested: Nested | None = None


_plans = msgspec.json.Decoder(list[Plan])
_ids = msgspec.json.Decoder(list[str])
_encoder = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """``value`` as the JSON text a JSON column is written with."""
    return _encoder.encode(value).decode()


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


@dataclass(frozen=True, slots=True)
class GroupcallRow:
    """One stored groupcall, by field name."""

    values: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def customer_id(self) -> str:
        return str(self.values["customer_id"])

    @property
    def status(self) -> GroupcallStatus:
        return cast(GroupcallStatus, self.values["status"])

    def ids(self, field: str) -> list[str]:
        """A JSON list of ids (``call_ids``, ``groupcall_ids``, ``live_ids``)."""
        return _ids.decode(_raw(self.values[field]))

    @property
    def plans(self) -> list[Plan]:
        return _plans.decode(_raw(self.values["plans"]))

    @property
    def answer_id(self) -> str | None:
        for field in ("answer_call_id", "answer_groupcall_id"):
            value = str(self.values[field])
            if value != EMPTY_UUID_TEXT:
                return value
        return None

    @property
    def state(self) -> machine.GroupcallState:
        """What the rules read of this groupcall."""
        answer = self.answer_id
        return machine.GroupcallState(
            status=self.status,
            ring_method=machine.ring_method(str(self.values["ring_method"])),
            answer_method=cast(AnswerMethod, self.values["answer_method"]),
            legs=tuple(
                "call" if plan.placement is not None else "groupcall" for plan in self.plans
            ),
            dial_index=int(self.values["dial_index"]),
            call_count=int(self.values["call_count"]),
            groupcall_count=int(self.values["groupcall_count"]),
            answer_id=None if answer is None else UUID(answer),
        )

    @property
    def shown(self) -> Row:
        """The row as the API shows it (the model's fields)."""
        return [self.values[f] for f in GROUPCALL_FIELDS]

    @property
    def wire(self) -> msgspec.Struct:
        return GroupcallWire(*self.shown)


class GroupcallRows:
    """The groupcalls' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        if repository.fields != FIELDS:
            raise ValueError("the runtime reads groupcalls with the model's fields and its own")
        self.repository = repository

    def _row(self, row: Row | None) -> GroupcallRow | None:
        return None if row is None else GroupcallRow(dict(zip(FIELDS, row, strict=True)))

    async def get(self, groupcall_id: str, executor: Executor | None = None) -> GroupcallRow | None:
        return self._row(await self.repository.get(groupcall_id, executor))

    async def insert(self, values: Mapping[str, Any], executor: Executor) -> GroupcallRow:
        row = self._row(await self.repository.insert(values, executor))
        assert row is not None
        return row

    async def move(
        self, executor: Executor, groupcall: GroupcallRow, values: Mapping[str, Any]
    ) -> GroupcallRow | None:
        """Write ``values`` if the groupcall still is as read (its status, counters, cursor
        and answer): one conditional UPDATE; ``None`` when it changed meanwhile."""
        expected = {
            f: groupcall.values[f]
            for f in (
                "status",
                "call_count",
                "groupcall_count",
                "dial_index",
                "answer_call_id",
                "answer_groupcall_id",
            )
        }
        updated = await self.repository.update(
            groupcall.id, values, expected=expected, executor=executor
        )
        return self._row(updated)

    async def soft_delete(self, executor: Executor, groupcall: GroupcallRow) -> GroupcallRow | None:
        if not await self.repository.soft_delete(groupcall.id, executor=executor):
            return None
        return await self.get(groupcall.id, executor)
