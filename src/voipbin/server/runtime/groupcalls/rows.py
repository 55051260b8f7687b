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
from voipbin.models.flows.actions import FlowAction
from voipbin.models.groupcall import AnswerMethod, Groupcall, GroupcallStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.calls.placing import Placement
from voipbin.server.runtime.groupcalls import machine
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, raw_json
from voipbin.server.storage.database import Executor
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


class Plan(msgspec.Struct, kw_only=True, omit_defaults=True):
    """How one destination is dialled: a call (``placement``) or a nested groupcall; and
    what its calls run once answered besides the groupcall's ``flow_id``: inline
    ``actions`` (a groupcall made with actions and no flow) and the customer's
    ``variables`` (``POST /v1.0/calls``'). Kept on each plan, so that a linear groupcall's
    later legs and a nested groupcall's legs run what the first would have."""

    placement: Placement | None = None
    nested: Nested | None = None
    actions: list[FlowAction] = msgspec.field(default_factory=list)
    variables: dict[str, str] = msgspec.field(default_factory=dict)


_plans = msgspec.json.Decoder(list[Plan])
_ids = msgspec.json.Decoder(list[str])


@dataclass(frozen=True, slots=True)
class GroupcallRow(StoredRow):
    """One stored groupcall, by field name."""

    MODEL_FIELDS = GROUPCALL_FIELDS
    WIRE = GroupcallWire

    @property
    def status(self) -> GroupcallStatus:
        return cast(GroupcallStatus, self.values["status"])

    def ids(self, field: str) -> list[str]:
        """A JSON list of ids (``call_ids``, ``groupcall_ids``, ``live_ids``)."""
        return _ids.decode(raw_json(self.values[field]))

    @property
    def plans(self) -> list[Plan]:
        return _plans.decode(raw_json(self.values["plans"]))

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


class GroupcallRows(RuntimeRows[GroupcallRow]):
    """The groupcalls' table, as the runtime uses it."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, GroupcallRow, FIELDS)

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
        return await self.update(executor, groupcall.id, values, expected)
