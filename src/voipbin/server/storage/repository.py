"""The generic repository: get, keyset list, insert, update and soft delete for any
resource table. Rows come back in wire form (ids and timestamps as canonical strings, unset
times as the sentinel, JSON columns as raw JSON), in the order of the fields asked for, so
the layer above builds responses from them without converting anything.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from voipbin.common.errors import Unavailable
from voipbin.common.ids import new_id
from voipbin.common.timestamps import SENTINEL_TEXT, parse_timestamp
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row, UniqueViolation
from voipbin.server.storage.tables import kind_of

Deleted = Literal["false", "true", "all"]

_PG_FORMAT = "YYYY-MM-DD HH24:MI:SS.US"
_INSERT_ATTEMPTS = 20


@dataclass(frozen=True)
class ListQuery:
    """What a list asks for; ``equals`` holds the equality filters by column name."""

    limit: int
    customer_id: str | None = None
    equals: Mapping[str, Any] = field(default_factory=dict)
    any_of: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """JSON list columns that must hold at least one of the given ids, by column name."""
    tm_create_from: datetime | None = None
    tm_create_to: datetime | None = None
    before: datetime | None = None
    deleted: Deleted = "false"
    oldest_first: bool = False
    """Oldest first (a queue's waiting line) instead of newest first."""

    def restricted(self, **equals: Any) -> ListQuery:
        """The same query, also requiring ``equals``."""
        return dataclasses.replace(self, equals={**self.equals, **equals})


def _wire_column(column: sa.Column[Any], dialect: str) -> sa.ColumnElement[Any]:
    kind = kind_of(column)
    if dialect == "postgresql":
        if kind == "id" or kind == "json":
            return sa.cast(column, sa.Text)
        if kind == "timestamp":
            text = sa.func.to_char(sa.func.timezone("UTC", column), _PG_FORMAT)
            return sa.func.coalesce(text, SENTINEL_TEXT) if column.nullable else text
    elif kind == "timestamp" and column.nullable:
        return sa.func.coalesce(column, SENTINEL_TEXT)
    return column


def _holds_any(column: sa.Column[Any], name: str, dialect: str) -> sa.ColumnElement[bool]:
    """The JSON list ``column`` holds one of the ids bound as ``:name`` (one parameter, as in
    :func:`in_id_list`)."""
    if dialect == "postgresql":
        wanted = sa.bindparam(name, type_=postgresql.ARRAY(sa.Text))
        return sa.cast(column, postgresql.JSONB).op("?|")(wanted)
    held = sa.func.json_each(column).table_valued("value").alias(f"held_{column.name}")
    listed = sa.select(sa.column("value", sa.String)).select_from(
        sa.func.json_each(sa.bindparam(name, type_=sa.String))
    )
    return sa.exists(
        sa.select(sa.literal(1)).select_from(held).where(held.c.value.in_(listed.scalar_subquery()))
    )


def in_id_list(column: sa.Column[Any], dialect: str, name: str = "ids") -> sa.ColumnElement[bool]:
    """``column`` is one of the ids (or other text values) bound as ``:<name>`` (see
    ``Database.ids_param``): one parameter however many, so the statement's text, and its
    cache entry, is one."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    listed = sa.select(sa.column("value", sa.String)).select_from(
        sa.func.json_each(sa.bindparam(name, type_=sa.String))
    )
    return column.in_(listed.scalar_subquery())


class Repository:
    """Data access for one resource table."""

    def __init__(
        self,
        db: Database,
        table: sa.Table,
        fields: Sequence[str],
        clock: CreationClock,
    ) -> None:
        self.db = db
        self.table = table
        self.fields = tuple(fields)
        self.clock = clock
        # Statements are cached per table and per field list: two repositories of one table
        # (the service's, the login's) return different columns.
        self._key = (table.name, self.fields)
        # Columns the driver does not hand back in wire form: JSON text (passed through as
        # raw JSON) and, on SQLite, booleans stored as 0 and 1.
        self._json = tuple(
            i for i, name in enumerate(self.fields) if kind_of(table.c[name]) == "json"
        )
        self._bool = tuple(
            i for i, name in enumerate(self.fields) if kind_of(table.c[name]) == "bool"
        )
        self._convert = bool(self._json or self._bool)
        self._tm_create_index = f"uq_{table.name}_tm_create"
        # Columns made at insert by the storage layer itself (a customer's webhook secret).
        self._generated = tuple(c for c in table.columns if "generate" in c.info)
        self.customer_scoped = "customer_id" in table.c
        # An append-only table (the event outbox) has a creation time and nothing else: no
        # ``tm_update`` to stamp, no ``tm_delete`` to filter on.
        self._stamps = ("tm_create", "tm_update") if "tm_update" in table.c else ("tm_create",)
        self._deletable = "tm_delete" in table.c

    # -- statements, compiled once per shape --------------------------------------------

    def _select(self, columns: Iterable[str] | None = None) -> sa.Select[Any]:
        names = self.fields if columns is None else tuple(columns)
        return sa.select(*(_wire_column(self.table.c[n], self.db.name).label(n) for n in names))

    def _returning(self) -> list[sa.ColumnElement[Any]]:
        return [_wire_column(self.table.c[n], self.db.name).label(n) for n in self.fields]

    def _param(self, column: str, value: Any) -> Any:
        if isinstance(value, datetime) and kind_of(self.table.c[column]) == "timestamp":
            return self.db.timestamp_param(value)
        return value

    def _rows(self, rows: list[Row]) -> list[Row]:
        if not self._convert:
            return rows
        return [self._decode(row) for row in rows]

    def _decode(self, row: Row) -> Row:
        if not self._convert:
            return row
        values = list(row)
        for i in self._json:
            values[i] = msgspec.Raw(values[i].encode())
        for i in self._bool:
            values[i] = bool(values[i])
        return values

    # -- reads ------------------------------------------------------------------------------

    async def get(self, id: str, executor: Executor | None = None) -> Row | None:
        """The row with this id, deleted or not."""
        t = self.table
        statement = self.db.compile(
            (self._key, "get"),
            lambda: self._select().where(t.c.id == sa.bindparam("id")),
        )
        row = await (executor or self.db).fetchrow(statement, {"id": id})
        return None if row is None else self._decode(row)

    async def find(
        self,
        columns: Sequence[str],
        equals: Mapping[str, Any],
        *,
        live: bool = True,
        executor: Executor | None = None,
    ) -> Row | None:
        """The first row matching ``equals`` (live rows only, unless told), as ``columns``."""
        t = self.table
        names = tuple(sorted(equals))

        def build() -> sa.Select[Any]:
            query = self._select(columns).where(*(t.c[n] == sa.bindparam(n) for n in names))
            if live:
                query = query.where(t.c.tm_delete.is_(None))
            return query.limit(1)

        statement = self.db.compile((self._key, "find", tuple(columns), names, live), build)
        params = {n: self._param(n, v) for n, v in equals.items()}
        return await (executor or self.db).fetchrow(statement, params)

    async def live_ids(self, ids: Sequence[str], customer_id: str | None = None) -> set[str]:
        """Those of ``ids`` that are live rows (of ``customer_id``, when given), in one query
        whose text does not depend on how many ids there are."""
        return await self.live_values("id", ids, customer_id)

    async def live_values(
        self, column: str, values: Sequence[str], customer_id: str | None = None
    ) -> set[str]:
        """Those of ``values`` that ``column`` holds in live rows (of ``customer_id``, when
        given): ids, or the numbers of any customer already held. One query whose text does
        not depend on how many values there are."""
        if not values:
            return set()
        t = self.table
        scoped = customer_id is not None

        def build() -> sa.Select[Any]:
            query = sa.select(_wire_column(t.c[column], self.db.name)).where(
                in_id_list(t.c[column], self.db.name), t.c.tm_delete.is_(None)
            )
            if scoped:
                query = query.where(t.c.customer_id == sa.bindparam("customer_id"))
            return query

        statement = self.db.compile((self._key, "live_values", column, scoped), build)
        params: dict[str, Any] = {"ids": self.db.ids_param(values)}
        if scoped:
            params["customer_id"] = customer_id
        return {str(row[0]) for row in await self.db.fetch(statement, params)}

    async def list(self, query: ListQuery, executor: Executor | None = None) -> list[Row]:
        """Up to ``query.limit`` rows, newest first, older than ``query.before``."""
        t = self.table

        def build() -> sa.Select[Any]:
            return (
                self._select()
                .where(*self._conditions(query))
                .order_by(t.c.tm_create.asc() if query.oldest_first else t.c.tm_create.desc())
                .limit(sa.bindparam("limit", literal_execute=False))
            )

        statement = self.db.compile(self._shape("list", query), build)
        return self._rows(await (executor or self.db).fetch(statement, self._params(query)))

    async def count(self, query: ListQuery, executor: Executor | None = None) -> int:
        """How many rows ``query`` would list, counted up to ``query.limit``: one number
        read, no row (a dialer's live calls, a caller's place in its queue)."""

        def build() -> sa.Select[Any]:
            matching = (
                sa.select(sa.literal(1))
                .select_from(self.table)
                .where(*self._conditions(query))
                .limit(sa.bindparam("limit", literal_execute=False))
            )
            return sa.select(sa.func.count()).select_from(matching.subquery())

        statement = self.db.compile(self._shape("count", query), build)
        row = await (executor or self.db).fetchrow(statement, self._params(query))
        return int(row[0]) if row is not None else 0

    def _shape(self, kind: str, query: ListQuery) -> tuple[Any, ...]:
        """The cache key of ``query``'s statement: what changes its text, not its values."""
        return (
            self._key,
            kind,
            tuple(sorted(query.equals)),
            tuple(sorted(query.any_of)),
            query.customer_id is not None,
            query.tm_create_from is not None,
            query.tm_create_to is not None,
            query.before is not None,
            query.deleted,
            query.oldest_first,
        )

    def _conditions(self, query: ListQuery) -> tuple[sa.ColumnElement[bool], ...]:
        t = self.table
        conditions: builtins.list[sa.ColumnElement[bool]] = [
            t.c[n] == sa.bindparam(n) for n in sorted(query.equals)
        ]
        conditions += [_holds_any(t.c[n], f"any_{n}", self.db.name) for n in sorted(query.any_of)]
        if query.customer_id is not None:
            conditions.append(t.c.customer_id == sa.bindparam("customer_id"))
        if query.tm_create_from is not None:
            conditions.append(t.c.tm_create >= sa.bindparam("tm_create_from"))
        if query.tm_create_to is not None:
            conditions.append(t.c.tm_create < sa.bindparam("tm_create_to"))
        if query.before is not None:
            conditions.append(t.c.tm_create < sa.bindparam("before"))
        if not self._deletable:
            pass
        elif query.deleted == "false":
            conditions.append(t.c.tm_delete.is_(None))
        elif query.deleted == "true":
            conditions.append(t.c.tm_delete.is_not(None))
        return tuple(conditions)

    def _params(self, query: ListQuery) -> dict[str, Any]:
        ts = self.db.timestamp_param
        params: dict[str, Any] = {n: self._param(n, v) for n, v in query.equals.items()}
        params.update({f"any_{n}": self.db.ids_param(v) for n, v in query.any_of.items()})
        params["limit"] = query.limit
        if query.customer_id is not None:
            params["customer_id"] = query.customer_id
        if query.tm_create_from is not None:
            params["tm_create_from"] = ts(query.tm_create_from)
        if query.tm_create_to is not None:
            params["tm_create_to"] = ts(query.tm_create_to)
        if query.before is not None:
            params["before"] = ts(query.before)
        return params

    # -- writes -----------------------------------------------------------------------------

    async def insert(self, values: Mapping[str, Any], executor: Executor | None = None) -> Row:
        """Insert a row with a new id and a creation time no other row of the table has."""
        t = self.table
        generated = {c.name: c.info["generate"]() for c in self._generated if c.name not in values}
        values = {**values, **generated}
        names = tuple(sorted(values))
        statement = self.db.compile(
            (self._key, "insert", names),
            lambda: (
                sa.insert(t)
                .values({n: sa.bindparam(n) for n in (*names, "id", *self._stamps)})
                .returning(*self._returning())
            ),
        )
        params = {n: self._param(n, v) for n, v in values.items()}
        params.setdefault("id", str(new_id()))
        runner = executor or self.db
        for attempt in range(_INSERT_ATTEMPTS):
            now = self.db.timestamp_param(self.clock.next())
            for stamp in self._stamps:
                params[stamp] = now
            try:
                # In a transaction, a clash must not abort the whole transaction.
                async with runner.savepoint():
                    row = await runner.fetchrow(statement, params)
            except UniqueViolation as exc:
                if exc.constraint != self._tm_create_index:
                    raise
                if attempt >= 2:
                    latest = await self._latest(runner)
                    if latest is not None:
                        self.clock.advance_past(latest)
                continue
            assert row is not None
            return self._decode(row)
        raise Unavailable("SERVICE_UNAVAILABLE", "The server could not allocate a creation time.")

    async def _latest(self, executor: Executor) -> datetime | None:
        t = self.table
        statement = self.db.compile(
            (self._key, "latest"), lambda: sa.select(sa.func.max(t.c.tm_create))
        )
        row = await executor.fetchrow(statement, {})
        if row is None or row[0] is None:
            return None
        value = row[0]
        if isinstance(value, str):
            return parse_timestamp(value)
        assert isinstance(value, datetime)
        return value

    def _update_live(self, scoped: bool) -> sa.Update:
        """An UPDATE of the live row ``:id`` (and, when ``scoped``, of ``:customer_id``)."""
        t = self.table
        conditions = [t.c.id == sa.bindparam("id"), t.c.tm_delete.is_(None)]
        if scoped:
            conditions.append(t.c.customer_id == sa.bindparam("customer_id"))
        return sa.update(t).where(*conditions)

    async def update(
        self,
        id: str,
        values: Mapping[str, Any],
        *,
        customer_id: str | None = None,
        expected: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> Row | None:
        """Change a live row (of this customer, when given; whose columns hold ``expected``,
        when given: a state transition in one conditional UPDATE); ``None`` when there is
        none."""
        names = tuple(sorted(values))
        scoped = customer_id is not None
        wanted = tuple(sorted(expected or {}))
        t = self.table

        def build() -> sa.Update:
            return (
                self._update_live(scoped)
                .where(*(t.c[n] == sa.bindparam(f"w_{n}") for n in wanted))
                .values({n: sa.bindparam(f"v_{n}") for n in (*names, "tm_update")})
                .returning(*self._returning())
            )

        statement = self.db.compile((self._key, "update", names, scoped, wanted), build)
        params = {f"v_{n}": self._param(n, v) for n, v in values.items()}
        params.update({f"w_{n}": v for n, v in (expected or {}).items()})
        params["v_tm_update"] = self.db.timestamp_param(self.clock.next())
        params["id"] = id
        if scoped:
            params["customer_id"] = customer_id
        row = await (executor or self.db).fetchrow(statement, params)
        return None if row is None else self._decode(row)

    async def soft_delete_owned(
        self,
        customer_id: str,
        *,
        values: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> int:
        """Soft-delete every live row of ``customer_id``, also setting ``values``; how many
        there were."""
        t = self.table
        names = tuple(sorted(values or {}))
        statement = self.db.compile(
            (self._key, "delete_owned", names),
            lambda: (
                sa.update(t)
                .where(t.c.customer_id == sa.bindparam("customer_id"), t.c.tm_delete.is_(None))
                .values(self._deleted_values(names))
            ),
        )
        params = self._deleted_params(values or {})
        params["customer_id"] = customer_id
        return await (executor or self.db).execute(statement, params)

    async def soft_delete(
        self,
        id: str,
        *,
        customer_id: str | None = None,
        values: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> bool:
        """Set ``tm_delete`` (and ``values``) on a live row; ``False`` when there was none to
        delete."""
        scoped = customer_id is not None
        names = tuple(sorted(values or {}))
        statement = self.db.compile(
            (self._key, "delete", scoped, names),
            lambda: self._update_live(scoped).values(self._deleted_values(names)),
        )
        params = self._deleted_params(values or {})
        params["id"] = id
        if scoped:
            params["customer_id"] = customer_id
        return await (executor or self.db).execute(statement, params) > 0

    async def soft_delete_returning(
        self,
        id: str,
        *,
        values: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> Row | None:
        """:meth:`soft_delete`, answering the deleted row (``None`` when there was none):
        what a deletion's event shows, in the same statement."""
        names = tuple(sorted(values or {}))
        statement = self.db.compile(
            (self._key, "delete returning", names),
            lambda: (
                self._update_live(False)
                .values(self._deleted_values(names))
                .returning(*self._returning())
            ),
        )
        params = self._deleted_params(values or {})
        params["id"] = id
        row = await (executor or self.db).fetchrow(statement, params)
        return None if row is None else self._decode(row)

    @staticmethod
    def _deleted_values(names: Sequence[str]) -> dict[str, sa.BindParameter[Any]]:
        values: dict[str, sa.BindParameter[Any]] = {n: sa.bindparam(f"v_{n}") for n in names}
        return {**values, "tm_delete": sa.bindparam("now"), "tm_update": sa.bindparam("now")}

    def _deleted_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = {f"v_{n}": self._param(n, v) for n, v in values.items()}
        params["now"] = self.db.timestamp_param(self.clock.next())
        return params
