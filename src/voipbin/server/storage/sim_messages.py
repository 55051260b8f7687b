"""The statements behind the simulated network's SMS rules, in the database so every server
instance sees the same ones (``/_sim/reset`` forgets them with the call rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from voipbin.common.ids import new_id
from voipbin.common.timestamps import parse_timestamp
from voipbin.models.simulator_messages import MessageRule, MessageScript
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.tables import sim_message_rules

_COLUMNS = ("id", "pattern", "script", "tm_create")
_script = msgspec.json.Decoder(MessageScript)
_encoder = msgspec.json.Encoder()


def _time(value: Any) -> datetime:
    return parse_timestamp(value) if isinstance(value, str) else value


class MessageRules:
    """The stored SMS rules, kept in creation order."""

    def __init__(self, db: Database, clock: CreationClock) -> None:
        self.db = db
        self.clock = clock

    def _rule(self, row: Row) -> MessageRule:
        script = _script.decode(row[2])
        return MessageRule(
            id=row[0], pattern=row[1], tm_create=_time(row[3]), **msgspec.structs.asdict(script)
        )

    async def add(self, pattern: str, script: MessageScript) -> MessageRule:
        """Store a rule after every earlier one; the rule as stored."""
        t = sim_message_rules
        statement = self.db.compile(
            ("sim", "add_message_rule"),
            lambda: sa.insert(t).values({n: sa.bindparam(n) for n in _COLUMNS}),
        )
        now = self.clock.next()
        values = {
            "id": str(new_id()),
            "pattern": pattern,
            "script": _encoder.encode(script).decode(),
            "tm_create": self.db.timestamp_param(now),
        }
        await self.db.execute(statement, values)
        return self._rule([values["id"], pattern, values["script"], now])

    async def list(self, executor: Executor | None = None) -> list[MessageRule]:
        """Every stored rule, earliest first."""
        t = sim_message_rules
        statement = self.db.compile(
            ("sim", "message_rules"),
            lambda: sa.select(*(t.c[n] for n in _COLUMNS)).order_by(t.c.tm_create, t.c.id),
        )
        rows = await (executor or self.db).fetch(statement, {})
        return [self._rule([str(row[0]), *row[1:]]) for row in rows]

    async def delete(self, rule_id: str) -> bool:
        """Remove a rule (``rule_id`` in canonical form); whether there was one."""
        t = sim_message_rules
        statement = self.db.compile(
            ("sim", "delete_message_rule"),
            lambda: sa.delete(t).where(t.c.id == sa.bindparam("id")),
        )
        return await self.db.execute(statement, {"id": rule_id}) > 0
