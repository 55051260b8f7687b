"""Request bodies: the checks every body passes before anything reads it, and decoding into
declared structs, with errors that name the field and say what would be accepted.

The edge (``middleware.input``) runs :func:`check_body` on every body as it arrives, so the
code after it (the idempotency fingerprint, :func:`decode_body`) only ever sees bodies nested
at most ``max_json_depth`` deep whose text every backend can store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable, Mapping
from functools import cache
from itertools import accumulate
from typing import Any, TypeVar, cast

import msgspec
import msgspec.inspect as mi

from voipbin.common.errors import InvalidArgument
from voipbin.common.text import printable, text_problem

T = TypeVar("T")

#: Default of the ``max_json_depth`` setting.
DEFAULT_MAX_JSON_DEPTH = 32

# -- nesting depth ------------------------------------------------------------------------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
# +1 for an opening bracket, -1 for a closing one, 0 for anything else (a byte -> its step).
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """How deep ``body``'s arrays and objects nest (brackets inside strings do not count).
    Runs in C-speed passes, without recursion, whatever the body holds."""
    brackets = _STRING.sub(b"", body).translate(None, delete=_NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_json_depth(body: bytes, limit: int = DEFAULT_MAX_JSON_DEPTH) -> None:
    """``400 INVALID_JSON_BODY`` when ``body`` nests deeper than ``limit``.

    Call it before decoding a body untyped: a decoder recurses once per level and fails with
    ``RecursionError`` long before a body of a megabyte of ``[`` runs out.
    """
    # Fewer brackets than the limit cannot nest deeper than it: the common case, two counts.
    if body.count(b"[") + body.count(b"{") <= limit:
        return
    if json_depth(body) > limit:
        raise InvalidArgument(
            "INVALID_JSON_BODY",
            f"The request body nests arrays and objects more than {limit} levels deep.",
        )


# -- text every backend can store ---------------------------------------------------------------

# An escape that may decode to NUL or to half of a surrogate pair.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _unstorable(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        problem = text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            field = f"{path}.{key}" if path else key
            problem = text_problem(key)
            if problem:
                return field, f"(a field name) {problem}"
            found = _unstorable(item, field)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable(item, f"{path}[{index}]")
            if found:
                return found
    return None


def check_text(body: bytes) -> None:
    """``400 INVALID_ARGUMENT`` naming the field when a string in ``body`` holds NUL (escaped
    or raw), bytes that are not UTF-8, or a lone surrogate escape: PostgreSQL refuses them
    and SQLite would store them, so the API refuses them on both. The depth must be checked
    first."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_utf8: UnicodeDecodeError | None = exc
    else:
        # Nearly every body ends here, after a decode and two or three C-speed searches.
        if b"\x00" not in body and (b"\\u" not in body or not _SUSPECT_ESCAPE.search(body)):
            return
        bad_utf8 = None
    try:
        # The stdlib decoder keeps lone surrogates and (strict=False) raw control
        # characters, which is what must be found.
        value = json.loads(body.decode("utf-8", "surrogateescape"), strict=False)
    except ValueError:
        if bad_utf8 is not None:
            raise InvalidArgument(
                "INVALID_JSON_BODY",
                f"The request body is not valid UTF-8: byte {bad_utf8.start} cannot be decoded.",
            ) from None
        return  # not JSON: decoding says where
    found = _unstorable(value, "")
    if found is not None:
        field, description = found
        raise InvalidArgument.field(printable(field), description)


def check_body(body: bytes, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> None:
    """Every check a body passes before anything decodes it: depth, then text."""
    if body:
        check_json_depth(body, max_depth)
        check_text(body)


# -- decoding into a declared struct ------------------------------------------------------------

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`")
_NOT_OBJECT = re.compile(r"^Expected `object`, got `[a-z]+`$")
_BAD_ENUM = re.compile(r"^Invalid enum value ")
_TOO_LONG = re.compile(r"^Expected `(?P<kind>array|str)` of length <= (?P<n>\d+)")
_TOO_SHORT = re.compile(r"^Expected `(?P<kind>array|str)` of length >= (?P<n>\d+)")
_SEGMENT = re.compile(r"\.?([^.\[]+)|\[(\d+)\]")
_AT_BYTE = re.compile(r" \(byte (\d+)\)$")


def _unwrap(t: mi.Type) -> mi.Type:
    """The one type behind an optional field's union (type info leaves ``UNSET`` out)."""
    while True:
        if isinstance(t, mi.Metadata):
            t = t.type
        elif isinstance(t, mi.UnionType):
            rest = [a for a in t.types if not isinstance(a, mi.NoneType)]
            if len(rest) != 1:
                return t
            t = rest[0]
        else:
            return t


@cache
def _type_info(kind: Any) -> mi.Type:
    info: mi.Type = mi.type_info(kind)
    return info


def _tagged(t: mi.Type) -> tuple[str, dict[Any, mi.StructType]] | None:
    """A tagged union's tag field and its members by tag, or ``None``."""
    if not isinstance(t, mi.UnionType):
        return None
    members = [m for m in t.types if isinstance(m, mi.StructType) and m.tag_field]
    if not members or len(members) != len(t.types):
        return None
    return members[0].tag_field or "", {m.tag: m for m in members}


def _member(t: mi.Type, value: Any) -> mi.Type | None:
    """``t``, or at a tagged union the member ``value`` names (``None`` if it names none)."""
    tagged = _tagged(t)
    if tagged is None:
        return t
    tag_field, members = tagged
    tag = value.get(tag_field) if isinstance(value, dict) else None
    return members.get(tag) if isinstance(tag, Hashable) else None


def _steps(kind: type[Any], path: str, data: Any) -> tuple[list[mi.Type], Any] | None:
    """The declared type at each segment of ``path`` (``actions[1].option.digits``) in
    ``kind``, as declared (metadata kept), and the value of ``data`` (the decoded body) at
    ``path``. At a tagged union, the member that ``data`` names is followed."""
    t = _type_info(cast(Hashable, kind))
    steps = [t]
    value = data
    for name, index in _SEGMENT.findall(path):
        inner = _member(_unwrap(t), value)
        if inner is None:
            return None
        if name:
            if isinstance(inner, mi.StructType):
                field = next((f for f in inner.fields if f.encode_name == name), None)
                if field is None:
                    return None
                t = field.type
            elif isinstance(inner, mi.DictType):
                t = inner.value_type
            else:
                return None
            value = value.get(name) if isinstance(value, dict) else None
        else:
            if not isinstance(inner, mi.ListType):
                return None
            t = inner.item_type
            i = int(index)
            value = value[i] if isinstance(value, list) and i < len(value) else None
        steps.append(t)
    return steps, value


def _type_at(kind: type[Any], path: str, data: Any) -> mi.Type | None:
    """The declared type of the field at ``path`` (``addresses[1].type``) in ``kind``."""
    found = _steps(kind, path, data)
    return None if found is None else _member(_unwrap(found[0][-1]), found[1])


def _declared_reason(t: mi.Type) -> str | None:
    """The reason a type declares for its bad values (``Meta(extra={"reason": ...})``)."""
    while isinstance(t, mi.Metadata):
        reason = (t.extra or {}).get("reason")
        if isinstance(reason, str):
            return reason
        t = t.type
    return None


def _choices(values: Iterable[Any]) -> str:
    return ", ".join(json.dumps(v) if v == "" else str(v) for v in values)


def _tag_error(kind: type[Any], path: str, data: Any) -> tuple[str, str | None] | None:
    """When ``path`` is the tag field of a tagged union (an action's ``type``): what the
    tag may be, and the reason the union declares."""
    parent, _, name = path.rpartition(".")
    found = _steps(kind, parent, data) if name and not name.endswith("]") else None
    if found is None:
        return None
    steps = found[0]
    tagged = _tagged(_unwrap(steps[-1]))
    if tagged is None or tagged[0] != name:
        return None
    return f"must be one of: {_choices(sorted(tagged[1]))}", _declared_reason(steps[-1])


def _decoded(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None


def _field(kind: type[Any], message: str, body: bytes = b"") -> tuple[str, str, str | None]:
    """The field path (``destinations[1].target``), the description and the declared reason
    (``None``: the default one) of a msgspec error."""
    match = _PATH.search(message)
    path = match["path"].lstrip(".") if match else ""
    text = message[: match.start()] if match else message
    data = _decoded(body) if body else None
    missing = _MISSING.match(text)
    if missing:
        name = missing["name"]
        field = f"{path}.{name}" if path else name
        tag = _tag_error(kind, field, data)
        return field, "is required", tag[1] if tag else None
    unknown = _UNKNOWN.match(text)
    if unknown:
        name = unknown["name"]
        owner = _type_at(kind, path, data)
        known = (
            sorted(f.encode_name for f in owner.fields) if isinstance(owner, mi.StructType) else []
        )
        field = f"{path}.{name}" if path else name
        return printable(field), f"unknown field; known fields: {', '.join(known)}", None
    tag = _tag_error(kind, path, data)
    if tag is not None:
        return path, *tag
    found = _steps(kind, path, data)
    steps = found[0] if found else None
    reason = _declared_reason(steps[-1]) if steps else None
    if _BAD_ENUM.match(text):
        declared = _unwrap(steps[-1]) if steps else None
        if isinstance(declared, mi.LiteralType):
            return path, f"must be one of: {_choices(declared.values)}", reason
    bound = _TOO_LONG.match(text) or _TOO_SHORT.match(text)
    if bound:
        unit = "items" if bound["kind"] == "array" else "characters"
        most = "most" if bound.re is _TOO_LONG else "least"
        return path, f"must have at {most} {bound['n']} {unit}", reason
    return path, text[0].lower() + text[1:] if text else text, reason


def _not_json(message: str) -> str:
    """``JSON is malformed: invalid character (byte 17)`` -> where and what, as a sentence."""
    text = message.removeprefix("JSON is malformed: ")
    if text == "Input data was truncated":
        return "The request body is not valid JSON: it ends before the value does."
    text = _AT_BYTE.sub(r" at byte \1", text)
    return f"The request body is not valid JSON: {text}."


def decode_body(body: bytes, kind: type[T]) -> T:
    """The body as ``kind``; ``400 INVALID_JSON_BODY`` or ``400 INVALID_ARGUMENT`` if not.

    The body has passed :func:`check_body` at the edge.
    """
    if not body.strip():
        raise InvalidArgument("INVALID_JSON_BODY", "The request body is empty; send a JSON object.")
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        if _NOT_OBJECT.match(message):
            raise InvalidArgument("INVALID_JSON_BODY") from None
        # The typed decoder stops at the first field it refuses, before reading the rest:
        # a body that is no JSON at all is said to be so, not blamed on a field.
        try:
            msgspec.json.decode(body, type=msgspec.Raw)  # syntax only: 1e400 is JSON
        except msgspec.DecodeError as syntax:
            raise InvalidArgument("INVALID_JSON_BODY", _not_json(str(syntax))) from None
        field, description, reason = _field(kind, message, body)
        raise InvalidArgument.field(field, description, reason) from None
    except msgspec.DecodeError as exc:
        raise InvalidArgument("INVALID_JSON_BODY", _not_json(str(exc))) from None
    except UnicodeDecodeError:  # only when the edge did not check the body
        check_text(body)
        raise InvalidArgument("INVALID_JSON_BODY") from None


def decode_query(params: Mapping[str, str], kind: type[T]) -> T:
    """Query parameters as ``kind``, their text converted to its field types (``"10"`` to
    an integer); a bad one is ``400 INVALID_REQUEST_PARAMETER`` naming it. An empty value
    means the parameter is not given (CONVENTIONS.md §5)."""
    given = {name: value for name, value in params.items() if value != ""}
    try:
        return msgspec.convert(given, kind, strict=False)
    except msgspec.ValidationError as exc:
        field, description, _ = _field(kind, str(exc))
        raise InvalidArgument.field(field, description, "INVALID_REQUEST_PARAMETER") from None
