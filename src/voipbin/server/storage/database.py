"""Running compiled statements on the raw driver: the interface and the shared pieces.

SQLAlchemy builds and compiles statements (once per dialect, see ``statements``); the
drivers run them, so SQLAlchemy stays off the request path. A backend that is down or slow
raises ``Unavailable`` (503), never hangs and never surfaces as a 500; a value the backend
cannot store (NUL in text, a number out of range) is ``InvalidArgument`` (400), the same on
every backend.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from voipbin.common.errors import InvalidArgument

Row = Sequence[Any]

#: How many compiled statements a database keeps. Statements are keyed by their shape (table,
#: fields, which filters are present), a few per resource, so the working set is far below
#: this; the bound only stops a shape that varies per request from growing memory forever.
STATEMENT_CACHE_SIZE = 512

#: Why a driver refused a value, by the kind of refusal the backends report.
_UNSTORABLE: dict[UnstorableKind, str] = {
    "text": "text holds a character the database cannot store (NUL or an invalid code point).",
    "range": "a number is out of the range the database can store.",
    "length": "a text is longer than the database can store.",
    "form": "a value does not have the form the database expects.",
}
UnstorableKind = Literal["text", "range", "length", "form"]


def unstorable(kind: UnstorableKind) -> InvalidArgument:
    """The 400 for a value a backend refused; it names no SQL and no data."""
    return InvalidArgument(message=f"A value cannot be stored: {_UNSTORABLE[kind]}")


class UniqueViolation(Exception):
    """An INSERT or UPDATE hit a unique index; ``constraint`` is the index name."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


@dataclass(frozen=True)
class Compiled:
    """A statement compiled for one dialect, with its positional parameter names."""

    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        defaults = self.defaults
        return tuple(params[n] if n in params else defaults[n] for n in self.names)


def compile_statement(statement: sa.ClauseElement, dialect: Dialect) -> Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(getattr(compiled, "positiontup", None) or ())
    defaults = {k: v for k, v in (compiled.params or {}).items() if v is not None}
    return Compiled(str(compiled), names, defaults)


class Executor(ABC):
    """Something that runs compiled statements: the database, or one transaction."""

    @abstractmethod
    async def fetch(self, statement: Compiled, params: Mapping[str, Any]) -> list[Row]: ...

    @abstractmethod
    async def fetchrow(self, statement: Compiled, params: Mapping[str, Any]) -> Row | None: ...

    @abstractmethod
    async def execute(self, statement: Compiled, params: Mapping[str, Any]) -> int:
        """Run a statement; return the number of rows it changed."""

    def savepoint(self) -> contextlib.AbstractAsyncContextManager[None]:
        """A nested transaction: a failure inside it undoes only what it did, and the
        enclosing transaction can go on. Outside a transaction every statement is its own."""
        return _NO_SAVEPOINT


class _NoSavepoint(contextlib.AbstractAsyncContextManager[None]):
    async def __aexit__(self, *exc: object) -> None:
        return None


_NO_SAVEPOINT = _NoSavepoint()


class Database(Executor):
    """A connection (pool) to one database."""

    name: str
    dialect: Dialect

    def __init__(self) -> None:
        self._compiled: OrderedDict[Hashable, Compiled] = OrderedDict()

    def compile(self, key: Hashable, build: Callable[[], sa.ClauseElement]) -> Compiled:
        """The compiled form of the statement ``build()`` makes, compiled once per ``key``
        and kept while it is among the ``STATEMENT_CACHE_SIZE`` most recently used."""
        cache = self._compiled
        compiled = cache.get(key)
        if compiled is None:
            compiled = cache[key] = compile_statement(build(), self.dialect)
            if len(cache) > STATEMENT_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return compiled

    @property
    def compiled_statements(self) -> int:
        """How many compiled statements are cached."""
        return len(self._compiled)

    @abstractmethod
    def timestamp_param(self, value: datetime) -> Any:
        """A timestamp as the driver takes it."""

    @abstractmethod
    def ids_param(self, ids: Sequence[str]) -> Any:
        """A list of ids as one parameter: an array, or JSON text where there are no arrays."""

    @abstractmethod
    def transaction(self) -> contextlib.AbstractAsyncContextManager[Executor]: ...

    @abstractmethod
    async def has_table(self, name: str) -> bool:
        """Whether the database has a table of this name."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise ``Unavailable`` unless the database answers."""

    @abstractmethod
    async def close(self) -> None: ...


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy URL (for Alembic) of a ``VOIPBIN_DATABASE_URL``."""
    scheme, rest = url.split(":", 1)
    if scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+asyncpg:{rest}"
    return url
