"""The statements behind the simulated network's scripts: rules and extensions' devices, in
the database so every server instance sees the same ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from voipbin.common.ids import new_id
from voipbin.common.timestamps import parse_timestamp
from voipbin.models.simulator import Rule, RuleType, Script
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.tables import sim_devices, sim_message_rules, sim_rules

_RULE_COLUMNS = ("id", "type", "pattern", "script", "tm_create")
_scripts = msgspec.json.Decoder(list[Script])
_script = msgspec.json.Decoder(Script)
_encoder = msgspec.json.Encoder()


def _time(value: Any) -> datetime:
    return parse_timestamp(value) if isinstance(value, str) else value


def _delete(table: sa.Table) -> Callable[[], sa.Delete]:
    return lambda: sa.delete(table)


class SimulatorScripts:
    """Rules (kept in creation order) and devices (per extension) of the simulated network."""

    def __init__(self, db: Database, clock: CreationClock, reader: Executor | None = None) -> None:
        self.db = db
        self.clock = clock
        self.reader: Executor = reader or db

    def within(self, executor: Executor) -> SimulatorScripts:
        """The same scripts, read through ``executor`` (a transaction in progress, which on
        SQLite holds the one connection a read would otherwise wait for)."""
        return SimulatorScripts(self.db, self.clock, executor)

    def _rule(self, row: Row) -> Rule:
        script = _script.decode(row[3])
        return Rule(
            id=row[0],
            type=row[1],
            pattern=row[2],
            tm_create=_time(row[4]),
            **msgspec.structs.asdict(script),
        )

    async def add_rule(self, type: RuleType, pattern: str, script: Script) -> Rule:
        """Store a rule after every earlier one; the rule as stored."""
        t = sim_rules
        statement = self.db.compile(
            ("sim", "add_rule"),
            lambda: sa.insert(t).values({n: sa.bindparam(n) for n in _RULE_COLUMNS}),
        )
        now = self.clock.next()
        values = {
            "id": str(new_id()),
            "type": type,
            "pattern": pattern,
            "script": _encoder.encode(script).decode(),
            "tm_create": self.db.timestamp_param(now),
        }
        await self.db.execute(statement, values)
        return self._rule([values["id"], type, pattern, values["script"], now])

    async def rules(self) -> list[Rule]:
        """Every stored rule, earliest first."""
        t = sim_rules
        statement = self.db.compile(
            ("sim", "rules"),
            lambda: sa.select(*(t.c[n] for n in _RULE_COLUMNS)).order_by(t.c.tm_create, t.c.id),
        )
        rows = await self.reader.fetch(statement, {})
        return [self._rule([str(row[0]), *row[1:]]) for row in rows]

    async def delete_rule(self, rule_id: str) -> bool:
        """Remove a rule (``rule_id`` in canonical form); whether there was one."""
        t = sim_rules
        statement = self.db.compile(
            ("sim", "delete_rule"), lambda: sa.delete(t).where(t.c.id == sa.bindparam("id"))
        )
        return await self.db.execute(statement, {"id": rule_id}) > 0

    async def set_devices(self, extension_id: str, devices: list[Script]) -> None:
        """The extension's devices become ``devices`` (the earlier ones go)."""
        t = sim_devices
        delete = self.db.compile(
            ("sim", "delete_devices"),
            lambda: sa.delete(t).where(t.c.extension_id == sa.bindparam("extension_id")),
        )
        insert = self.db.compile(
            ("sim", "insert_devices"),
            lambda: sa.insert(t).values(
                extension_id=sa.bindparam("extension_id"),
                devices=sa.bindparam("devices"),
                tm_update=sa.bindparam("tm_update"),
            ),
        )
        params = {"extension_id": extension_id}
        async with self.db.transaction() as tx:
            await tx.execute(delete, params)
            await tx.execute(
                insert,
                {
                    **params,
                    "devices": _encoder.encode(devices).decode(),
                    "tm_update": self.db.timestamp_param(self.clock.next()),
                },
            )

    async def devices(self, extension_id: str) -> list[Script]:
        """The extension's devices, in the order they were given; ``[]`` for none."""
        t = sim_devices
        statement = self.db.compile(
            ("sim", "devices"),
            lambda: sa.select(t.c.devices).where(t.c.extension_id == sa.bindparam("extension_id")),
        )
        row = await self.reader.fetchrow(statement, {"extension_id": extension_id})
        return [] if row is None else _scripts.decode(row[0])

    async def reset(self) -> None:
        """No stored rules (of calls and of messages) and no devices: the built-in rules
        alone again."""
        async with self.db.transaction() as tx:
            for table in (sim_rules, sim_devices, sim_message_rules):
                await tx.execute(self.db.compile(("sim", "reset", table.name), _delete(table)), {})
