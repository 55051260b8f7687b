"""The wire form of a model: the same fields, with ids and timestamps as strings.

The server encodes responses with it (rows arrive from storage already in wire form), the
OpenAPI document describes it, and the SDK reads it back into the model with
:func:`from_wire` (or :func:`decode_wire` and :func:`decode_wire_page` straight from a response's
bytes; :func:`to_wire` is the inverse).

Reading is lenient where the conventions allow it: timestamps in any accepted input form (6 or
9 fraction digits, ``T``, ``Z`` or an offset), ``null`` or ``""`` for a time or reference that is
not set, unknown fields ignored. An optional timestamp that is the ``9999-01-01`` sentinel reads
as ``None``, and an optional id that is the empty UUID reads as ``None``.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin
from uuid import UUID

import msgspec
from msgspec import Meta

from voipbin.common.ids import EMPTY_UUID_TEXT, parse_id, read_id, write_id
from voipbin.common.pagination import Page
from voipbin.common.timestamps import (
    SENTINEL_TEXT,
    format_timestamp,
    parse_timestamp,
    read_timestamp,
)

S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")

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
    if _is_resource(tp):
        return wire_struct(tp)  # a resource inside an answer (the calls a creation made)
    return tp


def _is_resource(tp: Any) -> bool:
    """Whether ``tp`` is a resource's model: a struct with an ``id`` and a ``tm_create``."""
    if not (isinstance(tp, type) and issubclass(tp, msgspec.Struct)):
        return False
    fields = tp.__struct_fields__
    return "id" in fields and "tm_create" in fields


def wire_struct(model: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """The wire struct of ``model``: positional, in the model's field order."""
    return _wire_struct(model)


@cache
def _wire_struct(model: Any) -> type[msgspec.Struct]:
    fields = [(f.name, _wire_type(f.type)) for f in msgspec.structs.fields(model)]
    return msgspec.defstruct(model.__name__, fields, module=model.__module__, array_like=False)


# -- reading and writing models ---------------------------------------------------------------

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Codec:
    """How one model type travels: msgspec converts wire data to ``wire``, then ``read``
    makes the model's value of it; ``write`` is the way back. ``None``: nothing to do."""

    wire: Any
    read: Convert | None = None
    write: Convert | None = None


def _items(convert: Convert) -> Convert:
    return lambda values: [convert(v) for v in values]


def _values(convert: Convert) -> Convert:
    return lambda values: {k: convert(v) for k, v in values.items()}


def _skipping(convert: Convert, *passed: object) -> Convert:
    return lambda value: value if any(value is p for p in passed) else convert(value)


def _codec(tp: Any) -> _Codec:
    origin = get_origin(tp)
    if tp is UUID:
        return _Codec(str, parse_id, str)
    if tp is datetime:
        return _Codec(str, parse_timestamp, format_timestamp)
    if origin is Annotated:
        inner = _codec(get_args(tp)[0])
        return inner if inner.read is not None else _Codec(tp)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _struct_codec(tp)
    if origin is list:
        (item,) = get_args(tp)
        inner = _codec(item)
        if inner.read is None or inner.write is None:
            return _Codec(tp)
        return _Codec(
            types.GenericAlias(list, (inner.wire,)), _items(inner.read), _items(inner.write)
        )
    if origin is dict:
        key, value = get_args(tp)
        inner = _codec(value)
        if inner.read is None or inner.write is None:
            return _Codec(tp)
        return _Codec(
            types.GenericAlias(dict, (key, inner.wire)), _values(inner.read), _values(inner.write)
        )
    if origin in (Union, types.UnionType):
        return _union_codec(tp)
    return _Codec(tp)


def _union_codec(tp: Any) -> _Codec:
    args = get_args(tp)
    nullable = type(None) in args
    unset = msgspec.UnsetType in args
    rest = [a for a in args if a is not type(None) and a is not msgspec.UnsetType]
    inner = _codec(rest[0]) if len(rest) == 1 else _Codec(tp)
    if inner.read is None or inner.write is None:
        return _Codec(tp)
    wire: Any = inner.wire
    read, write = inner.read, inner.write
    if nullable:
        wire = wire | None
        base = rest[0]
        if base is UUID:  # the empty UUID means "no reference"
            read, write = read_id, write_id
        elif base is datetime:  # the sentinel means "has not happened"
            read, write = read_timestamp, format_timestamp
        else:
            read, write = _skipping(read, None), _skipping(write, None)
    if unset:
        wire = wire | msgspec.UnsetType
        read, write = _skipping(read, msgspec.UNSET), _skipping(write, msgspec.UNSET)
    return _Codec(wire, read, write)


@cache
def _struct_codec(model: type[msgspec.Struct]) -> _Codec:
    fields = msgspec.structs.fields(model)
    codecs = [(f, _codec(f.type)) for f in fields]
    if all(c.read is None for _, c in codecs):
        return _Codec(model)
    wire_fields: list[Any] = []
    for f, c in codecs:
        if f.default is not msgspec.NODEFAULT:
            wire_fields.append((f.encode_name, c.wire, f.default))
        elif f.default_factory is not msgspec.NODEFAULT:
            wire_fields.append(
                (f.encode_name, c.wire, msgspec.field(default_factory=f.default_factory))
            )
        else:
            wire_fields.append((f.encode_name, c.wire))
    wire = msgspec.defstruct(
        f"{model.__name__}Wire", wire_fields, kw_only=True, module=model.__module__
    )
    plan = [(f.name, f.encode_name, c.read, c.write) for f, c in codecs]

    def read(value: Any) -> msgspec.Struct:
        return model(
            **{
                name: getattr(value, wire_name)
                if convert is None
                else convert(getattr(value, wire_name))
                for name, wire_name, convert, _ in plan
            }
        )

    # A tagged struct (a flow action) names its tag in its wire form too.
    config = model.__struct_config__
    tag = {config.tag_field: config.tag} if config.tag_field is not None else {}

    def write(value: Any) -> dict[str, Any]:
        written = dict(tag)
        for name, wire_name, _, convert in plan:
            item = getattr(value, name)
            if item is not msgspec.UNSET:  # a field left unset is left out, as msgspec does
                written[wire_name] = item if convert is None else convert(item)
        return written

    return _Codec(wire, read, write)


def from_wire(model: type[S], data: Mapping[str, Any]) -> S:
    """Read a decoded JSON object in wire form into ``model``.

    Raises ``msgspec.ValidationError`` when ``data`` does not have the model's shape, and
    ``ValueError`` for an id or timestamp that does not parse.
    """
    codec = _struct_codec(model)
    result: S = _read(codec, msgspec.convert(data, codec.wire))
    return result


def decode_wire(model: type[S], content: bytes) -> S:
    """:func:`from_wire` of a JSON document, decoded straight into the wire struct."""
    result: S = _read(_struct_codec(model), _decoders(model)[0].decode(content))
    return result


def decode_wire_page(model: type[S], content: bytes) -> Page[S]:
    """A list page in wire form (``null`` or a missing field reads as empty)."""
    codec = _struct_codec(model)
    page = _decoders(model)[1].decode(content)
    return Page(
        result=[_read(codec, item) for item in page.result or ()],
        next_page_token=page.next_page_token or "",
    )


class _WirePage(msgspec.Struct, Generic[T]):
    result: list[T] | None = None
    next_page_token: str | None = None


@cache
def _decoders(model: type[msgspec.Struct]) -> tuple[msgspec.json.Decoder[Any], ...]:
    """JSON decoders for one ``model`` and for a page of them, built once."""
    wire = _struct_codec(model).wire
    return msgspec.json.Decoder(wire), msgspec.json.Decoder(types.GenericAlias(_WirePage, (wire,)))


def _read(codec: _Codec, value: Any) -> Any:
    return value if codec.read is None else codec.read(value)


def to_wire(value: msgspec.Struct) -> dict[str, Any]:
    """``value`` in wire form, as JSON-ready builtins: ids as strings (an optional one that is
    ``None`` as the empty UUID), timestamps in the canonical form (``None`` as the sentinel)."""
    codec = _struct_codec(type(value))
    data = codec.write(value) if codec.write is not None else value
    result: dict[str, Any] = msgspec.to_builtins(data)
    return result
