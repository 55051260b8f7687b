"""``Idempotency-Key`` on POST (CONVENTIONS.md §10): a repeat of a request that ran gets the
same response again, with ``Idempotent-Replayed: true``; the same key with another request is
``422``; a repeat while the first runs is ``409``. Requests refused before they ran (bad
credentials, rate limits, validation) store nothing, so their retries run afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from voipbin.common.errors import FailedPrecondition, InvalidArgument, Unprocessable
from voipbin.server.storage.idempotency import IdempotencyKeys, StoredResponse

log = logging.getLogger("voipbin.server")

HEADER = "idempotency-key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = ("location", "content-type")


def fingerprint(request: Request, body: bytes) -> str:
    """What makes two requests the same: method, path, query and the body's JSON (so key
    order and spacing do not matter; a body that is not JSON counts byte for byte)."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode())
        digest.update(b"\0")
    with contextlib.suppress(msgspec.DecodeError):
        body = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    digest.update(body)
    return digest.hexdigest()


async def idempotent(
    keys: IdempotencyKeys,
    request: Request,
    customer_id: str,
    body: bytes,
    run: Callable[[], Awaitable[Response]],
) -> Response:
    """``run()``, at most once per customer and ``Idempotency-Key``."""
    key = request.headers.get(HEADER)
    if key is None:
        return await run()
    if not _KEY.fullmatch(key):
        raise InvalidArgument.field("Idempotency-Key", "must be 1-255 visible ASCII characters")
    claim, stored = await keys.claim(customer_id, key, fingerprint(request, body))
    if claim == "mismatch":
        raise Unprocessable("IDEMPOTENCY_KEY_REUSED")
    if claim == "running":
        raise FailedPrecondition("IDEMPOTENCY_KEY_IN_USE")
    if stored is not None:
        return Response(
            stored.body, stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
        )
    try:
        response = await run()
    except BaseException:
        try:
            await keys.release(customer_id, key)
        except Exception:  # the database is down: the key frees itself once abandoned
            log.warning("could not release idempotency key of customer %s", customer_id)
        raise
    kept = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
    await keys.complete(
        customer_id, key, StoredResponse(response.status_code, kept, bytes(response.body))
    )
    return response
