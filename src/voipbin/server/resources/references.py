"""References between resources: an id field that must name a live resource of the same
customer (a number's ``call_flow_id`` a flow), declared once on the resource
(``ServerResource.references``) and checked here for every resource alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from voipbin.common.errors import Unprocessable
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.server.resources.context import Context


async def check_references(
    ctx: Context, references: Mapping[str, str], values: Mapping[str, Any]
) -> None:
    """``422`` naming the first field of ``values`` declared in ``references`` whose id is
    not a live resource of ``ctx.customer_id``. The empty UUID (or ``None``) is no reference
    and passes; so does a field whose resource has no service in ``ctx.services`` (a
    resource this server does not serve yet: the check starts when it is registered)."""
    for field, name in references.items():
        value = values.get(field)
        if value is None or str(value) == EMPTY_UUID_TEXT:
            continue
        peer = ctx.services.get(name)
        if peer is None:
            continue
        if await peer.missing(ctx.customer_id, [str(value)]):
            raise Unprocessable.field(field, f"is not a live {name} of the customer")


async def live_tag_ids(ctx: Context, ids: Iterable[Any], field: str = "tag_ids") -> list[str]:
    """The tag ids, each once and in order; ``422`` naming ``field`` and the ids that are
    no live tag of the customer."""
    texts = list(dict.fromkeys(str(i) for i in ids))
    missing = await ctx.services["tag"].missing(ctx.customer_id, texts)
    if missing:
        raise Unprocessable.field(field, f"no such tags: {', '.join(missing)}")
    return texts


async def stored_tag_ids(ctx: Context, ids: Iterable[Any]) -> str:
    """:func:`live_tag_ids` as a ``tag_ids`` column stores them (a JSON list)."""
    return msgspec.json.encode(await live_tag_ids(ctx, ids)).decode()
