"""``Idempotency-Key`` on POST (CONVENTIONS.md §10): a repeat of a request that ran, from the
same credential, gets the same response again, with ``Idempotent-Replayed: true``; the same
key with another request is ``422``; a repeat while the first runs is ``409``.

The caller's permission is checked before this runs (a caller who may not create never sees
a stored response). The response is recorded in the transaction that creates the resource,
so "created but not recorded" cannot happen; a request that failed releases its key, so its
retry runs afresh. Requests refused before they ran (bad credentials, rate limits, the role)
store nothing. Storage, sealing and expiry: ``storage/idempotency.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from voipbin.common.errors import FailedPrecondition, InvalidArgument, Unprocessable
from voipbin.server.storage.database import Executor
from voipbin.server.storage.idempotency import ClaimLost, IdempotencyKeys, StoredResponse

log = logging.getLogger("voipbin.server")

T = TypeVar("T")

#: Written in the creating transaction, given what was created; the creation commits only
#: if it succeeds.
Record = Callable[[Executor, T], Awaitable[None]]

HEADER = "idempotency-key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = ("location", "content-type")


def fingerprint(request: Request, body: bytes) -> str:
    """What makes two requests the same: method, path, query and the body's JSON (so key
    order and spacing do not matter; a body that is not JSON, or that does not decode for any
    reason, nesting too deep included, counts byte for byte)."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode())
        digest.update(b"\0")
    with contextlib.suppress(msgspec.MsgspecError, ValueError, RecursionError):
        body = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    digest.update(body)
    return digest.hexdigest()


async def idempotent(
    keys: IdempotencyKeys,
    request: Request,
    credential_id: str,
    body: bytes,
    create: Callable[[Record[T] | None], Awaitable[T]],
    respond: Callable[[T], Response],
) -> Response:
    """``respond(await create(record))``, at most once per credential and
    ``Idempotency-Key``; ``create`` calls ``record`` in the transaction that creates."""
    key = request.headers.get(HEADER)
    if key is None:
        return respond(await create(None))
    if not _KEY.fullmatch(key):
        raise InvalidArgument.field("Idempotency-Key", "must be 1-255 visible ASCII characters")
    claim = await keys.claim(credential_id, key, fingerprint(request, body))
    if claim.outcome == "mismatch":
        raise Unprocessable("IDEMPOTENCY_KEY_REUSED")
    if claim.outcome == "running":
        raise FailedPrecondition("IDEMPOTENCY_KEY_IN_USE")
    if claim.stored is not None:
        stored = claim.stored
        return Response(
            stored.body, stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
        )
    responses: list[Response] = []

    async def record(executor: Executor, created: T) -> None:
        response = respond(created)
        kept = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
        stored = StoredResponse(response.status_code, kept, bytes(response.body))
        await keys.complete(claim, stored, executor)
        responses.append(response)

    try:
        await create(record)
    except ClaimLost:  # taken over while this ran: nothing was created, the key is not ours
        raise FailedPrecondition("IDEMPOTENCY_KEY_IN_USE") from None
    except BaseException:
        try:
            await keys.release(claim)
        except Exception:  # the database is down: the key frees itself once abandoned
            log.warning("could not release an idempotency key")
        raise
    return responses[0]
