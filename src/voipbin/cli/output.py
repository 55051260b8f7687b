"""How the resource commands print: a rich table for people, JSON in the wire form for
programs. Imported only when a resource command runs (rich takes a while to import)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, get_args, get_origin
from uuid import UUID

import msgspec
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from voipbin.common.timestamps import format_timestamp
from voipbin.models.wire import to_wire


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, msgspec.Struct):
        return msgspec.json.encode(to_wire(value)).decode()
    return str(value)


def is_scalar(tp: Any) -> bool:
    """Whether a field's values are plain (a table cell, a ``--set`` word), not lists,
    objects or structs (JSON on the command line)."""
    if get_origin(tp) in (list, dict):
        return False
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return False
    return all(is_scalar(a) for a in get_args(tp))


def print_json(value: Any) -> None:
    """``value`` (a model, or a page of them) in its wire form."""
    if isinstance(value, list):
        data: Any = {"result": [to_wire(item) for item in value], "next_page_token": ""}
    elif hasattr(value, "next_page_token"):
        data = {
            "result": [to_wire(item) for item in value.result],
            "next_page_token": value.next_page_token,
        }
    else:
        data = to_wire(value)
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(data), indent=2).decode() + "\n")


#: Left out of list tables: the same on nearly every row, or rarely what one looks for.
_QUIET_COLUMNS = frozenset({"customer_id", "tm_update"})


def _console() -> Console:
    console = Console()
    # Piped output keeps whole values on one line (for grep and cut), whatever the width.
    return console if console.is_terminal else Console(width=10_000)


def print_page(
    model: type[msgspec.Struct],
    items: Sequence[msgspec.Struct],
    page: Any | None,
    as_json: bool,
) -> None:
    """A list's answer: ``page`` (``None`` when every page was walked into ``items``) as JSON,
    or ``items`` as a table with, on stderr, how to ask for the next page."""
    if as_json:
        print_json(list(items) if page is None else page)
        return
    print_table(model, items)
    token = "" if page is None else page.next_page_token
    if token:
        import typer

        typer.echo(f"next page: --page-token '{token}'", err=True)


def print_table(model: type[msgspec.Struct], items: Sequence[msgspec.Struct]) -> None:
    """One row per item; a column per field that fits in a cell and is set on some row."""
    rows = [
        {name: _text(getattr(item, name)) for name in model.__struct_fields__} for item in items
    ]
    columns = [
        f.name
        for f in msgspec.structs.fields(model)
        if is_scalar(f.type)
        and f.name not in _QUIET_COLUMNS
        and (not rows or any(row[f.name] for row in rows))
    ]
    table = Table(*columns, box=None, header_style="bold")
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        table.add_row(*(row[name] for name in columns))
    _console().print(table)


def print_item(item: msgspec.Struct) -> None:
    """One item, a line per field."""
    table = Table("field", "value", box=None, show_header=False)
    table.columns[1].overflow = "fold"
    for field in msgspec.structs.fields(type(item)):
        table.add_row(field.name, _text(getattr(item, field.name)))
    _console().print(table)


def with_progress(items: Iterable[Any], what: str) -> Iterator[Any]:
    """``items``, counting them on stderr as they arrive."""
    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.completed} " + what), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(what, total=None)
        for item in items:
            progress.advance(task)
            yield item
