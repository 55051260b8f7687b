"""An outdial's targets as the dialer uses them: the idle ones that are due, oldest first;
the claim of one (``idle -> progressing`` with its try counted, one conditional UPDATE: two
dialers, on two processes, never dial one target twice at once); and its state after a
dial."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from voipbin.common.address import Address
from voipbin.models.outdial import OutdialTarget
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.campaigns import machine
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery, Repository

TARGET_FIELDS: tuple[str, ...] = OutdialTarget.__struct_fields__
#: Idle targets read per page while looking for due ones.
PAGE = 200

_address = msgspec.json.Decoder(Address | None)


@dataclass(frozen=True, slots=True)
class TargetRow(StoredRow):
    MODEL_FIELDS = TARGET_FIELDS
    WIRE = wire_struct(OutdialTarget)

    @property
    def status(self) -> str:
        return str(self.values["status"])

    def destination(self, index: int) -> Address | None:
        """``destination_<index>``; ``None`` when empty."""
        found = _address.decode(raw_json(self.values[f"destination_{index}"]))
        return found if found is not None and found.type and found.target else None

    @property
    def has_destination(self) -> list[bool]:
        return [self.destination(i) is not None for i in machine.INDEXES]

    @property
    def try_counts(self) -> list[int]:
        return [int(self.values[f"try_count_{i}"]) for i in machine.INDEXES]


@dataclass(frozen=True)
class Due:
    """What a look at an outdial's idle targets found."""

    targets: list[TargetRow]
    """Due now, oldest first (at most the number asked for)."""
    next_due: datetime | None
    """The soonest time one of the others is due (``None``: no other idle target)."""


class TargetPool(RuntimeRows[TargetRow]):
    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, TargetRow, TARGET_FIELDS)

    async def due(
        self, tx: Executor, outdial_id: str, now: datetime, wanted: int, scan: int
    ) -> Due:
        """Up to ``wanted`` idle targets of the outdial due at ``now``, looking at up to
        ``scan`` idle targets, oldest first."""
        found: list[TargetRow] = []
        soonest: datetime | None = None
        after: datetime | None = None
        seen = 0
        while seen < scan and len(found) < wanted:
            query = ListQuery(
                limit=min(PAGE, scan - seen),
                equals={"outdial_id": outdial_id, "status": "idle"},
                tm_create_from=after,
                oldest_first=True,
            )
            page = [r for r in map(self.row, await self.repository.list(query, tx)) if r]
            for target in page:
                next_try = target.time("tm_next_try")
                if machine.due(next_try, now):
                    if len(found) < wanted:
                        found.append(target)
                elif next_try is not None and (soonest is None or next_try < soonest):
                    soonest = next_try
            seen += len(page)
            if len(page) < PAGE:
                break
            created = page[-1].time("tm_create")
            assert created is not None
            after = created + timedelta(microseconds=1)
        return Due(found, soonest)

    async def any_of(self, tx: Executor, outdial_id: str, statuses: Sequence[str]) -> bool:
        """Whether the outdial has a live target in one of ``statuses``."""
        for status in statuses:
            wanted = {"outdial_id": outdial_id, "status": status}
            if await self.repository.find(("id",), wanted, executor=tx) is not None:
                return True
        return False

    async def claim(self, tx: Executor, target: TargetRow, dial: machine.Dial) -> bool:
        """``idle -> progressing``, the dial's try counted, if the target is still as read."""
        counted = f"try_count_{dial.index}"
        values: dict[str, Any] = {"status": "progressing", counted: dial.try_count}
        expected = {"status": "idle", counted: dial.try_count - 1}
        return await self.update(tx, target.id, values, expected) is not None

    async def settle(
        self, tx: Executor, target_id: str, after: machine.TargetAfter, current: str
    ) -> TargetRow | None:
        """Write what a dial's end (or a spent target) makes of it, if still ``current``."""
        values: dict[str, Any] = {
            "status": after.status,
            "result": after.result,
            "tm_next_try": after.due,
        }
        return await self.update(tx, target_id, values, {"status": current})

    async def get_live(self, tx: Executor, target_id: str) -> TargetRow | None:
        target = await self.get(target_id, tx)
        return target if target is not None and target.time("tm_delete") is None else None
