"""``/v1.0/outdials/{id}/targets`` and ``.../targets/{target_id}``: an outdial's targets.

The outdial is looked up first (another customer's, or none, is ``404 OUTDIAL_NOT_FOUND``);
a target of another outdial is ``404 OUTDIAL_TARGET_NOT_FOUND``. Reads are the targets'
generic service restricted to the outdial (paged as every list, filter ``status``).

``POST`` takes one target (``201`` with it and its ``Location``) or a list of up to 1,000
(``200 {"result": [...]}``, one result per item, in order: ``{"status": 201, "target":
{...}}``, or ``{"status": 400, "error": {...}}`` with the error envelope's object). Items
are checked one by one, a bad item sinking only itself, and the good ones are inserted in
one transaction (with the ``Idempotency-Key``'s record, when one is sent). Adding targets
to a deleted outdial is ``409 OUTDIAL_STATE_INVALID``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import ApiError, FailedPrecondition, InvalidArgument, NotFound
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.outdial import (
    MAX_BULK_TARGETS,
    OutdialTargetCreate,
)
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.auth.principal import Principal
from voipbin.server.body import decode_body
from voipbin.server.http import (
    Endpoint,
    Handler,
    etag_response,
    json_response,
    no_parameters,
    path_id,
    query_params,
)
from voipbin.server.idempotency import idempotent
from voipbin.server.resources.base import Values
from voipbin.server.resources.context import CommitHook
from voipbin.server.resources.outdials import target_values
from voipbin.server.resources.service import ResourceService
from voipbin.server.storage.idempotency import IdempotencyKeys

PATH = "/v1.0/outdials/{id}/targets"
ITEM_PATH = PATH + "/{target_id}"

#: A parsed item: its columns, or the error it got.
Checked = Values | ApiError


class _Result(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``models.outdial.OutdialTargetResult`` as the server writes it (the target in wire
    form)."""

    status: int
    target: Any = None
    error: Any = None


class _Results(msgspec.Struct, kw_only=True):
    result: list[_Result]


class OutdialTargets:
    """The targets of the outdials a caller sees, over the two resources' services."""

    def __init__(self, outdials: ResourceService[Any], targets: ResourceService[Any]) -> None:
        self.outdials = outdials
        self.targets = targets

    async def outdial(self, principal: Principal, id_text: str) -> dict[str, Any]:
        """The outdial, by field name, as stored; 404 when the caller does not see it."""
        row = await self.outdials.repository.get(path_id(id_text))
        if row is None:
            raise NotFound("OUTDIAL_NOT_FOUND")
        outdial = self.outdials.current(row)
        if not principal.sees(str(outdial["customer_id"])):
            raise NotFound("OUTDIAL_NOT_FOUND")
        return outdial

    async def list(self, principal: Principal, id_text: str, params: dict[str, str]) -> Any:
        outdial = await self.outdial(principal, id_text)
        return await self.targets.list(principal, params, {"outdial_id": str(outdial["id"])})

    async def get(self, principal: Principal, id_text: str, target_text: str) -> Any:
        path_id(id_text)
        target_id = path_id(target_text, "target_id")
        outdial = await self.outdial(principal, id_text)
        target = await self.targets.get(principal, target_id)
        if str(getattr(target, "outdial_id", "")) != str(outdial["id"]):
            raise NotFound("OUTDIAL_TARGET_NOT_FOUND")
        return target

    async def delete(self, principal: Principal, id_text: str, target_text: str) -> None:
        self.targets.require(principal, "delete")
        await self.get(principal, id_text, target_text)
        await self.targets.delete(principal, target_text)

    async def create(
        self, principal: Principal, id_text: str, body: bytes, record: CommitHook | None
    ) -> msgspec.Struct:
        """One target (the body an object) or a list's results (the body a list)."""
        outdial = await self.outdial(principal, id_text)
        if outdial["tm_delete"] != SENTINEL_TEXT:
            raise FailedPrecondition(
                "OUTDIAL_STATE_INVALID", "The outdial was deleted; it takes no new targets."
            )
        items = _items(body)
        if items is None:
            checked: list[Checked] = [target_values(decode_body(body, OutdialTargetCreate))]
        else:
            checked = [_check(item) for item in items]
        now = self.targets.context(principal).now
        common = {
            "customer_id": str(outdial["customer_id"]),
            "outdial_id": str(outdial["id"]),
            "status": "idle",
            "tm_next_try": now,
        }
        repository, wire = self.targets.repository, self.targets.wire
        results: list[_Result] = []
        async with repository.db.transaction() as tx:
            for item in checked:
                if isinstance(item, ApiError):
                    results.append(_Result(status=item.http_status, error=_error(item)))
                    continue
                row = await repository.insert({**item, **common}, tx)
                results.append(_Result(status=201, target=wire(*row)))
            answer: msgspec.Struct = (
                results[0].target if items is None else _Results(result=results)
            )
            if record is not None:
                await record(tx, answer)
        return answer


def _items(body: bytes) -> list[Any] | None:
    """The body's items when it is a list (400 when it has none or too many); ``None``
    when it is anything else (decoded then as one target)."""
    if not body.lstrip().startswith(b"["):
        return None
    try:
        items = msgspec.json.decode(body, type=list[Any])
    except msgspec.DecodeError:
        raise InvalidArgument("INVALID_JSON_BODY") from None
    if not 1 <= len(items) <= MAX_BULK_TARGETS:
        raise InvalidArgument.field(
            "targets", f"a list of targets holds 1 to {MAX_BULK_TARGETS} items"
        )
    return items


def _check(item: Any) -> Checked:
    try:
        return target_values(decode_body(msgspec.json.encode(item), OutdialTargetCreate))
    except ApiError as exc:
        return exc


def _error(error: ApiError) -> dict[str, Any]:
    return {
        "status": error.status.value,
        "reason": error.reason,
        "message": error.message,
        "details": error.details_as_dicts(),
    }


def outdial_target_routes(
    targets: OutdialTargets, auth: Authenticator, keys: IdempotencyKeys
) -> list[Route]:
    """The collection (GET, POST) and item (GET, DELETE) routes of an outdial's targets."""

    def created(id_text: str) -> Any:
        def respond(answer: msgspec.Struct) -> Response:
            if isinstance(answer, _Results):
                return json_response(answer, 200)
            location = f"/v1.0/outdials/{id_text}/targets/{getattr(answer, 'id', '')}"
            return json_response(answer, 201, {"Location": location})

        return respond

    async def collection(request: Request) -> Response:
        principal = await auth.authenticate(request)
        id_text: str = request.path_params["id"]
        if request.method == "GET":
            page = await targets.list(principal, id_text, query_params(request.scope))
            return json_response(page)
        no_parameters(request)
        targets.targets.require(principal, "create")
        body = await request.body()
        return await idempotent(
            keys,
            request,
            principal.credential_id,
            body,
            lambda record: targets.create(principal, id_text, body, record),
            created(id_text),
        )

    async def item(request: Request) -> Response:
        principal = await auth.authenticate(request)
        no_parameters(request)
        id_text: str = request.path_params["id"]
        target_text: str = request.path_params["target_id"]
        if request.method == "DELETE":
            await targets.delete(principal, id_text, target_text)
            return Response(status_code=204)
        return etag_response(request, await targets.get(principal, id_text, target_text))

    handlers: list[tuple[str, Handler, list[str]]] = [
        (PATH, collection, ["GET", "POST"]),
        (ITEM_PATH, item, ["GET", "DELETE"]),
    ]
    return [Route(path, Endpoint(run), methods=methods) for path, run, methods in handlers]
