"""The wire form of a model: the same fields, with ids and timestamps as strings.

The server encodes responses with it (rows arrive from storage already in wire form), the
OpenAPI document describes it, and the SDK reads it back into the model.
"""

from __future__ import annotations

import types
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

import msgspec
from msgspec import Meta

from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import SENTINEL_TEXT

WireId = Annotated[
    str,
    Meta(
        description="A lowercase UUID; the empty UUID means no reference.",
        extra_json_schema={"format": "uuid", "examples": [EMPTY_UUID_TEXT]},
    ),
]
WireTimestamp = Annotated[
    str,
    Meta(
        pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$",
        description=f"UTC, YYYY-MM-DD HH:MM:SS.ffffff; {SENTINEL_TEXT} when it has not happened.",
        extra_json_schema={"examples": ["2022-05-01 15:10:38.785510"]},
    ),
]


def _wire_type(tp: Any) -> Any:
    origin = get_origin(tp)
    if tp is UUID:
        return WireId
    if tp is datetime:
        return WireTimestamp
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and args[0] in (UUID, datetime):
            return _wire_type(args[0])
        return tp
    if origin is list:
        (item,) = get_args(tp)
        return list[_wire_type(item)]  # type: ignore[misc]
    return tp


def wire_struct(model: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """The wire struct of ``model``: positional, in the model's field order."""
    return _wire_struct(model)


@cache
def _wire_struct(model: Any) -> type[msgspec.Struct]:
    fields = [(f.name, _wire_type(f.type)) for f in msgspec.structs.fields(model)]
    return msgspec.defstruct(model.__name__, fields, module=model.__module__, array_like=False)
