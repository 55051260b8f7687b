"""``client.outdials``: the generic resource's calls, and its targets
(``/v1.0/outdials/{id}/targets``): ``targets(id, status=...)`` (a page), ``iter_targets``,
``add_target(id, destination_0=...)``, ``add_targets(id, [...])`` (up to 1,000, answered
per item), ``get_target(id, target_id)`` and ``delete_target(id, target_id)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import msgspec

from voipbin.client.calls import Body, Id, encode_body
from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.client.paging import Pager
from voipbin.client.resources import AsyncResource, Resource
from voipbin.common.pagination import Page
from voipbin.models.outdial import (
    MAX_BULK_TARGETS,
    Outdial,
    OutdialTarget,
    OutdialTargetCreate,
    OutdialTargetResult,
)
from voipbin.models.wire import decode_wire, decode_wire_page, from_wire

_JSON = {"Content-Type": "application/json"}


def _path(outdial_id: Id, target_id: Id | None = None) -> str:
    path = f"/v1.0/outdials/{quote(str(outdial_id), safe='')}/targets"
    return path if target_id is None else f"{path}/{quote(str(target_id), safe='')}"


def list_targets(
    core: ClientCore,
    outdial_id: Id,
    page_size: int | None,
    page_token: str | None,
    status: str | None,
) -> Exchange[Page[OutdialTarget]]:
    """One page of the outdial's targets, newest first."""
    given = (("status", status), ("page_size", page_size), ("page_token", page_token))
    params = tuple((name, str(value)) for name, value in given if value)
    response = yield from core.call(Request("GET", _path(outdial_id), params))
    return decode_wire_page(OutdialTarget, response.content)


def add_target(
    core: ClientCore, outdial_id: Id, body: Body | None, fields: dict[str, Any]
) -> Exchange[OutdialTarget]:
    content = encode_body(OutdialTargetCreate, body, fields)
    response = yield from core.call(Request("POST", _path(outdial_id), body=content, headers=_JSON))
    return decode_wire(OutdialTarget, response.content)


def add_targets(
    core: ClientCore, outdial_id: Id, items: Sequence[Body]
) -> Exchange[list[OutdialTargetResult]]:
    """Each item's result, in order: a target made (``status`` 201) or its error."""
    if not 1 <= len(items) <= MAX_BULK_TARGETS:
        raise ValueError(f"give 1 to {MAX_BULK_TARGETS} targets")
    content = msgspec.json.encode(list(items))
    response = yield from core.call(Request("POST", _path(outdial_id), body=content, headers=_JSON))
    results: list[dict[str, Any]] = msgspec.json.decode(response.content)["result"]
    return [
        OutdialTargetResult(
            status=r["status"],
            target=from_wire(OutdialTarget, r["target"]) if r.get("target") else None,
            error=r.get("error"),
        )
        for r in results
    ]


def get_target(core: ClientCore, outdial_id: Id, target_id: Id) -> Exchange[OutdialTarget]:
    response = yield from core.call(Request("GET", _path(outdial_id, target_id)))
    return decode_wire(OutdialTarget, response.content)


def delete_target(core: ClientCore, outdial_id: Id, target_id: Id) -> Exchange[None]:
    yield from core.call(Request("DELETE", _path(outdial_id, target_id)))


class Outdials(Resource[Outdial]):
    """The outdials of a :class:`~voipbin.client.Client`, with their targets."""

    def targets(
        self,
        id: Id,
        *,
        status: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Page[OutdialTarget]:
        """One page of the outdial's targets (newest first), of one ``status`` if given."""
        return self._run(list_targets(self._calls.core, id, page_size, page_token, status))

    def iter_targets(self, id: Id, *, status: str | None = None) -> Iterator[OutdialTarget]:
        """Every target of the outdial, fetching pages as the iteration reaches them."""
        pager = Pager()
        while not pager.done:
            page = self._run(list_targets(self._calls.core, id, None, pager.token, status))
            yield from page.result
            pager.advance(page)

    def add_target(self, id: Id, body: Body | None = None, /, **fields: Any) -> OutdialTarget:
        """Add one target (``destination_0`` required, ``destination_1..4`` optional)."""
        return self._run(add_target(self._calls.core, id, body, fields))

    def add_targets(self, id: Id, items: Sequence[Body]) -> list[OutdialTargetResult]:
        """Add up to 1,000 targets; a bad item fails alone (its result holds the error)."""
        return self._run(add_targets(self._calls.core, id, items))

    def get_target(self, id: Id, target_id: Id) -> OutdialTarget:
        return self._run(get_target(self._calls.core, id, target_id))

    def delete_target(self, id: Id, target_id: Id) -> None:
        self._run(delete_target(self._calls.core, id, target_id))


class AsyncOutdials(AsyncResource[Outdial]):
    """The outdials of an :class:`~voipbin.client.AsyncClient`, with their targets."""

    async def targets(
        self,
        id: Id,
        *,
        status: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Page[OutdialTarget]:
        """One page of the outdial's targets (newest first), of one ``status`` if given."""
        return await self._run(list_targets(self._calls.core, id, page_size, page_token, status))

    async def iter_targets(
        self, id: Id, *, status: str | None = None
    ) -> AsyncIterator[OutdialTarget]:
        """Every target of the outdial, fetching pages as the iteration reaches them."""
        pager = Pager()
        while not pager.done:
            page = await self._run(list_targets(self._calls.core, id, None, pager.token, status))
            for target in page.result:
                yield target
            pager.advance(page)

    async def add_target(self, id: Id, body: Body | None = None, /, **fields: Any) -> OutdialTarget:
        """Add one target (``destination_0`` required, ``destination_1..4`` optional)."""
        return await self._run(add_target(self._calls.core, id, body, fields))

    async def add_targets(self, id: Id, items: Sequence[Body]) -> list[OutdialTargetResult]:
        """Add up to 1,000 targets; a bad item fails alone (its result holds the error)."""
        return await self._run(add_targets(self._calls.core, id, items))

    async def get_target(self, id: Id, target_id: Id) -> OutdialTarget:
        return await self._run(get_target(self._calls.core, id, target_id))

    async def delete_target(self, id: Id, target_id: Id) -> None:
        await self._run(delete_target(self._calls.core, id, target_id))
